-- Foundation: organisation (units, people), accounts, workflow definitions, campaigns, items.
-- Migration numbering: 0001-0099 foundation, 0100-0199 runtime, 0200-0299 notifications,
-- 0300-0399 documents/import, 0400-0499 UI, 0500-0599 reliability/security.

create table units (
    code        text primary key,
    name        text not null,
    kind        text not null check (kind in ('leadingGroup','department','township','village','supervisionOffice','other')),
    parent_code text references units(code),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create index units_parent on units(parent_code);

create table people (
    id               uuid primary key,
    name             text not null,
    title            text,
    unit_code        text not null references units(code),
    email            text,
    mobile           text,
    wecom_webhook    text,
    dingtalk_webhook text,
    feishu_webhook   text,
    is_unit_contact  boolean not null default false,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
create index people_unit on people(unit_code) include (is_unit_contact);

create table users (
    id            uuid primary key,
    user_name     text not null,
    password_hash text not null,
    role          text not null check (role in ('admin','leadingGroup','unit','supervisor')),
    unit_code     text references units(code),
    person_id     uuid references people(id),
    created_at    timestamptz not null default now()
);
create unique index users_user_name on users(lower(user_name));

create table auth_tokens (
    token_hash bytea primary key,
    user_id    uuid not null references users(id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
);
create index auth_tokens_user on auth_tokens(user_id);

create table workflow_definitions (
    id           text not null,
    version      int  not null,
    name         text not null,
    definition   jsonb not null,
    published_at timestamptz not null default now(),
    primary key (id, version)
);

create table campaigns (
    id               uuid primary key,
    title            text not null,
    document_number  text,
    issued_by_unit   text not null references units(code),
    supervision_unit text references units(code),
    time_zone        text not null default 'Asia/Shanghai',
    workflow_id      text not null,
    workflow_version int  not null,
    notice_date      date,
    phases           jsonb not null default '[]',
    state            text not null default 'draft' check (state in ('draft','active','closed')),
    created_at       timestamptz not null default now(),
    launched_at      timestamptz,
    version          int not null default 1,
    foreign key (workflow_id, workflow_version) references workflow_definitions(id, version)
);
create index campaigns_issued_by on campaigns(issued_by_unit);
create index campaigns_supervision on campaigns(supervision_unit);

create table items (
    id                    uuid primary key,
    campaign_id           uuid not null references campaigns(id) on delete cascade,
    seq                   int  not null,
    number                text,
    category              text,
    title                 text not null,
    description           text,
    measures              text,
    target                text,
    responsible_leader_id uuid references people(id),
    lead_unit             text not null references units(code),
    units                 text[] not null default '{}',
    deadline              date,
    ongoing               boolean not null default false,
    report_every          text,
    hard_deadline         boolean not null default false,
    state                 text not null default 'draft',
    effective_deadline    date,
    escalation_level      text not null default 'none',
    assigned_at           timestamptz,
    acknowledged_at       timestamptz,
    closed_at             timestamptz,
    version               int not null default 1,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    unique (campaign_id, seq)
);
create index items_campaign on items(campaign_id, seq);
create index items_lead_unit on items(lead_unit);
create index items_units on items using gin (units);

-- Administrative changes (units, people, users, calendar, definitions): who changed what, when.
create table admin_journal (
    id        bigint generated always as identity primary key,
    at        timestamptz not null,
    actor     text not null,
    action    text not null,
    entity    text not null,
    entity_id text not null,
    data      jsonb
);
create index admin_journal_entity on admin_journal(entity, entity_id);

-- Small facts the service keeps about itself (demo loaded, controlled clock, …).
create table app_settings (
    key        text primary key,
    value      text not null,
    updated_at timestamptz not null default now()
);
