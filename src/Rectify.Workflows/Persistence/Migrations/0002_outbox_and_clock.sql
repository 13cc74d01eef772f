-- The outbox: the only way anything leaves Rectify. Shared by the runtime (which enqueues) and the
-- notifications dispatcher (which claims, renders, sends). See docs/adr/0002-outbox-contract.md.

-- Per-person preferences; a person without a row gets the defaults of notification_routes.
create table notification_preferences (
    person_id   uuid primary key references people(id) on delete cascade,
    channels    text[] not null default '{email,inbox}',
    digest      boolean not null default false,
    language    text not null default 'zh',
    quiet_start time,
    quiet_end   time,
    updated_at  timestamptz not null default now()
);

-- Which channels a message to a person goes out on. The runtime's bulk SQL and the enqueue port both
-- expand recipients through this view, so routing is defined once.
create view notification_routes as
select p.id as person_id, ch.channel
from people p
left join notification_preferences np on np.person_id = p.id
cross join lateral unnest(
    coalesce(np.channels, case when p.email is not null then array['email','inbox'] else array['inbox'] end)
) as ch(channel);

create table outbox (
    id                  bigint generated always as identity primary key,
    -- subject:step:recipient:channel, e.g. item:<uuid>:reminder:T-7:c1:<person>:email. Enqueue is
    -- "insert … on conflict (idempotency_key) do nothing", so a re-fire never sends twice.
    idempotency_key     text not null unique,
    kind                text not null check (kind in ('assigned','reminder','escalation','phase','digest','periodicReport','decision','deliverable')),
    level               text,
    campaign_id         uuid,
    item_id             uuid,
    deliverable_id      uuid,
    escalation_id       uuid,
    recipient_person_id uuid references people(id),
    channel             text not null check (channel in ('email','wecom','dingtalk','feishu','webhook','sms','inbox')),
    urgent              boolean not null default false,
    status              text not null default 'pending' check (status in ('pending','sent','failed','dead')),
    attempts            int not null default 0,
    not_before          timestamptz not null,
    created_at          timestamptz not null,
    sent_at             timestamptz,
    subject             text,
    body                text,
    payload             jsonb not null default '{}',
    last_error          text
);
create index outbox_due on outbox(not_before) where status in ('pending','failed');
create index outbox_item on outbox(item_id);
create index outbox_campaign on outbox(campaign_id);
create index outbox_recipient on outbox(recipient_person_id);

create table outbox_attempts (
    id          bigint generated always as identity primary key,
    outbox_id   bigint not null references outbox(id) on delete cascade,
    at          timestamptz not null,
    outcome     text not null,
    error       text,
    duration_ms int
);
create index outbox_attempts_outbox on outbox_attempts(outbox_id);
