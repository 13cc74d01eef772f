-- The key ring that signs sign-in cookies and antiforgery tokens, shared by every node through the database: a cookie
-- issued by one node is accepted by all, wherever they run (ASP.NET's default is a folder on each machine).
create table data_protection_keys (
    id            bigint generated always as identity primary key,
    friendly_name text not null unique,
    xml           text not null
);
