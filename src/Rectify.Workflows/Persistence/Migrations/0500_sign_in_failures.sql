-- Failed sign-ins per user name, for the temporary lockout (shared by every node).
create table sign_in_failures (
    user_name    text primary key,
    failures     int not null,
    window_start timestamptz not null,
    locked_until timestamptz
);
