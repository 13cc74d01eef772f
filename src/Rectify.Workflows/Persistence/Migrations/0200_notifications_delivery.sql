-- Notifications delivery (issue 4): leases, digest folding, wake-ups, inbox, robot secrets, supervision letters.
-- See docs/adr/0002-outbox-contract.md and docs/notifications.md.

-- claim_token: the lease of the dispatcher that claimed the row (claiming moves not_before forward, so a crashed
--   node's rows come back when the lease runs out); a completion only counts when the token still matches.
-- digest_hold: held for the recipient's daily digest instead of being sent on its own.
-- digested_in: the digest row that carried it; it is sent (or dead) together with that row.
alter table outbox
    add column claim_token uuid,
    add column digest_hold boolean not null default false,
    add column digested_in bigint references outbox(id);

create index outbox_claimable on outbox(not_before)
    where status in ('pending','failed') and not digest_hold and digested_in is null;
create index outbox_held on outbox(recipient_person_id, channel)
    where digest_hold and digested_in is null and status = 'pending';
create index outbox_digested_in on outbox(digested_in) where digested_in is not null;

-- Wakes idle dispatchers (LISTEN rectify_outbox) when rows are enqueued: one notify per statement, not per row.
create function outbox_enqueued_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('rectify_outbox', '');
    return null;
end
$$;
create trigger outbox_enqueued after insert on outbox for each statement execute function outbox_enqueued_notify();

-- Robot signing secrets and a personal generic webhook; write-only through PUT /api/people/{id}/channel-secrets.
alter table people
    add column dingtalk_secret text,
    add column feishu_secret   text,
    add column webhook_url     text,
    add column webhook_secret  text;

-- The in-app inbox: one row per delivered inbox message (outbox_id unique makes re-delivery a no-op).
create table inbox_messages (
    id          bigint generated always as identity primary key,
    outbox_id   bigint not null unique references outbox(id) on delete cascade,
    person_id   uuid not null references people(id) on delete cascade,
    kind        text not null,
    level       text,
    campaign_id uuid,
    item_id     uuid,
    subject     text not null,
    body        text not null,
    link        text,
    created_at  timestamptz not null,
    read_at     timestamptz
);
create index inbox_messages_person on inbox_messages(person_id, id desc);
create index inbox_messages_unread on inbox_messages(person_id) where read_at is null;

-- Per-webhook fixed one-minute windows shared by every node (robots allow about 20 messages a minute).
create table channel_rate_windows (
    key          text primary key,
    window_start timestamptz not null,
    used         int not null
);

-- 督办函 numbers: office prefix〔year〕seq号, one sequence per office per year.
create table letter_sequences (
    office_unit text not null references units(code),
    year        int  not null,
    last_seq    int  not null,
    primary key (office_unit, year)
);

-- The generated letter, kept so the download and the e-mail attachment are the same document.
create table supervision_letters (
    escalation_id uuid primary key references escalations(id) on delete cascade,
    letter_number text not null,
    file_name     text not null,
    response_due  date not null,
    content       bytea not null,
    created_at    timestamptz not null
);
