-- 待办 on a million-item campaign (issue 17): two kinds that are rare but were found by reading what is common.
-- A periodic report is due on the open ongoing items (长期坚持) only: the unit's 待办 read every open part of the unit
-- (10,000 on the bench) to find none; from this index the few ongoing items are found first.
create index items_open_ongoing on items(campaign_id) where ongoing and state in ('assigned', 'inProgress', 'closureRequested');
-- A talk to record: an open 约谈 whose time is set. The supervision office's 待办 read all 160,000 open escalations.
create index escalations_talk_to_record on escalations(office_unit)
    where resolved_at is null and level = 'admonitoryTalk' and talk_at is not null;
analyze items;
analyze escalations;
