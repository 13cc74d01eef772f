-- Issue 19 (accounts). Every sign-in, browser cookie or bearer token, is a row of auth_tokens: the cookie carries a
-- random session token (its SHA-256 is the row's key, as for bearer tokens), so logging out, an administrator, a
-- password change or disabling the user ends it on every node at the next request.
alter table auth_tokens
    add column id           uuid not null default gen_random_uuid(),
    add column kind         text not null default 'bearer' check (kind in ('bearer', 'cookie')),
    add column source       text,
    add column user_agent   text,
    add column revoked_why  text;
create unique index auth_tokens_id on auth_tokens(id);
create index auth_tokens_user_live on auth_tokens(user_id) where revoked_at is null;

alter table users
    add column disabled_at         timestamptz,
    add column password_changed_at timestamptz;

-- Sign-in limits replace the per-name lockout of 0500, which let anyone lock any account (the administrator's too)
-- with five wrong passwords: failures now count per (user name, source) with a growing back-off, and per source.
drop table sign_in_failures;
create table sign_in_failures (
    scope         text not null check (scope in ('account', 'source')),
    key           text not null,
    failures      int not null,
    window_start  timestamptz not null,
    blocked_until timestamptz,
    primary key (scope, key)
);
