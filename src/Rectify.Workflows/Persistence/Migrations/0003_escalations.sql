-- Escalations as records (督办记录): opened by the runtime when an item climbs the ladder, resolved when it closes.
-- Shared by the runtime (opens/resolves), notifications (supervision letter 督办函) and documents (reports).
create table escalations (
    id             uuid primary key,
    campaign_id    uuid not null references campaigns(id) on delete cascade,
    item_id        uuid references items(id) on delete cascade,
    deliverable_id uuid,
    level          text not null check (level in ('urge','supervisionLetter','listedSupervision','admonitoryTalk')),
    office_unit    text references units(code),
    opened_at      timestamptz not null,
    resolved_at    timestamptz,
    -- 督办函 number, e.g. 县委督查室〔2026〕7号, assigned when the letter is generated.
    letter_number  text,
    note           text
);
create index escalations_item on escalations(item_id);
create index escalations_campaign on escalations(campaign_id, level);
create index escalations_open on escalations(office_unit) where resolved_at is null;
