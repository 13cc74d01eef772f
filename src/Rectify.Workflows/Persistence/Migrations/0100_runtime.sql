-- Workflow runtime (issue 3): working-day calendar, item lifecycle columns, per-unit deliverables, the journal,
-- durable timers, evidence attachments and idempotency keys. See docs/adr/0001-timers.md.

-- Exceptions to the Monday-Friday week: holidays on weekdays and working weekend days (调休).
create table calendar_days (
    day         date primary key,
    kind        text not null check (kind in ('holiday','workday')),
    name        text not null,
    provisional boolean not null default false,
    updated_at  timestamptz not null default now()
);

-- One row. version changes with every calendar edit, so every node can tell cheaply that its cached calendar is stale.
-- seeded_years: years the shipped data file was loaded for, so a day an operator deleted does not come back on restart.
create table calendar_state (
    id           int primary key default 1 check (id = 1),
    version      bigint not null default 1,
    seeded_years int[] not null default '{}'
);
insert into calendar_state default values;

-- cycle: the schedule generation (1 at launch, +1 on an approved extension or a reopen); part of every timer's and
-- notification's key, so a rescheduled reminder is a new message while a re-fired one is not.
alter table items
    add column cycle                  int not null default 0,
    add column ack_due_at             timestamptz,
    add column last_progress_at       timestamptz,
    add column pending_extension      date,
    add column pending_extension_note text,
    add column extension_count        int not null default 0,
    add column reopen_count           int not null default 0;
-- Launch, events and escalations update columns no index covers; free space on each page lets PostgreSQL do those
-- updates in place (HOT) without touching the four indexes (one of them GIN). Applies to pages written from now on.
alter table items set (fillfactor = 80);

-- What each unit owes the campaign besides its items: its own plan, its report (tracked like items).
create table deliverables (
    id               uuid primary key,
    campaign_id      uuid not null references campaigns(id) on delete cascade,
    kind             text not null,
    unit_code        text not null references units(code),
    due_date         date not null,
    state            text not null default 'pending' check (state in ('pending','submitted','accepted','returned')),
    cycle            int not null default 1,
    escalation_level text not null default 'none',
    submitted_at     timestamptz,
    accepted_at      timestamptz,
    version          int not null default 1,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    unique (campaign_id, kind, unit_code)
);
create index deliverables_unit on deliverables(unit_code);

-- Every event and every fired (or skipped) timer, with actor and time: the timeline.
create table journal (
    id             bigint generated always as identity primary key,
    campaign_id    uuid not null references campaigns(id) on delete cascade,
    item_id        uuid references items(id) on delete cascade,
    deliverable_id uuid references deliverables(id) on delete cascade,
    at             timestamptz not null,
    actor          text not null,
    type           text not null,
    from_state     text,
    to_state       text,
    note           text,
    -- The outbox subject key of the messages this entry caused (item:<id>:reminder:T-7:c1), for the timeline.
    subject_key    text,
    data           jsonb not null default '{}'
);
create index journal_item on journal(item_id, id) where item_id is not null;
create index journal_deliverable on journal(deliverable_id, id) where deliverable_id is not null;
create index journal_campaign on journal(campaign_id, id);

-- Durable timers: one row per pending step. A sweep claims due rows with FOR UPDATE SKIP LOCKED and deletes them in
-- the transaction that applies their effect, so a timer fires exactly once whatever the number of nodes.
create table timers (
    id           bigint generated always as identity primary key,
    due_at       timestamptz not null,
    subject_kind text not null check (subject_kind in ('item','deliverable','campaign')),
    subject_id   uuid not null,
    campaign_id  uuid not null references campaigns(id) on delete cascade,
    cycle        int not null,
    step         text not null,
    created_at   timestamptz not null,
    unique (subject_id, cycle, step)
);
create index timers_due on timers(due_at, id);

create table attachments (
    id             uuid primary key,
    item_id        uuid references items(id) on delete cascade,
    deliverable_id uuid references deliverables(id) on delete cascade,
    file_name      text not null,
    content_type   text not null,
    size           bigint not null,
    sha256         text not null,
    content        bytea not null,
    uploaded_by    text not null,
    uploaded_at    timestamptz not null,
    -- The journal entry (closure request, progress report) the file was submitted with; null while unused.
    journal_id     bigint references journal(id)
);
create index attachments_item on attachments(item_id);
create index attachments_deliverable on attachments(deliverable_id);

-- Idempotency-Key: the first response to a POST, replayed for a repeat by the same user.
create table idempotency_keys (
    user_id      uuid not null,
    key          text not null,
    method       text not null,
    path         text not null,
    status       int,
    content_type text,
    body         bytea,
    created_at   timestamptz not null,
    primary key (user_id, key)
);
create index idempotency_keys_created on idempotency_keys(created_at);

-- An escalation level opens once per item/deliverable until resolved.
create unique index escalations_open_item_level on escalations(item_id, level) where resolved_at is null and item_id is not null;
create unique index escalations_open_deliverable_level on escalations(deliverable_id, level) where resolved_at is null and deliverable_id is not null;
