-- Admonitory talks (约谈) recorded by a supervision office: when, with whom, what was said. The escalation ladder's
-- last step opens an admonitoryTalk escalation; the talk itself is this record (issue 5, web UI).
create table admonitory_talks (
    id            uuid primary key,
    campaign_id   uuid not null references campaigns(id) on delete cascade,
    item_id       uuid not null references items(id) on delete cascade,
    escalation_id uuid references escalations(id) on delete set null,
    held_on       date not null,
    people        text not null,
    note          text,
    recorded_by   text not null,
    recorded_at   timestamptz not null
);
create index admonitory_talks_item on admonitory_talks(item_id, held_on);
