-- 待办 and the supervision inbox on a million-item campaign (issue 17).
-- 待办 on a million-item campaign (issue 17): the open items in the order of their deadline, the order in which the
-- 待办 lists closures to decide, talks to arrange and escalations of items. A page of 100,000 closures or talks reads the
-- first fifty rows of this index (and their escalations by item) instead of sorting every one.
create index items_open_by_deadline on items(effective_deadline, campaign_id, seq) where state in ('assigned', 'inProgress', 'closureRequested');
analyze items;

-- The supervision inbox reads each level's open escalations longest waiting first: with 160,000 open escalations, a
-- page reads its fifty rows from this index instead of finding every subject's current level and sorting them all.
create index escalations_open_level on escalations(level, opened_at) where resolved_at is null;
