-- Issue 14 §4 / issue 13 §5: the top of the escalation ladder reaches the people who must act.
-- A unit's head (主要负责人) is the one summoned to an admonitory talk (约谈) and told of listed supervision (挂牌督办);
-- definitions name them with the audience leadUnitHead.
alter table people add column is_unit_head boolean not null default false;
create index people_unit_heads on people(unit_code) where is_unit_head;

-- A 约谈 is an appointment: the supervision office sets time, place and attendees on the admonitoryTalk escalation;
-- each setting (a rescheduling too) is one revision and sends one notice. The talk itself is recorded afterwards in
-- admonitory_talks (migration 0400).
alter table escalations
    add column talk_at        timestamptz,
    add column talk_place     text,
    add column talk_attendees text,
    add column talk_revision  int not null default 0,
    add column talk_set_by    text,
    add column talk_set_at    timestamptz;
