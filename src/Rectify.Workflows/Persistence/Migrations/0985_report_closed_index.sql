-- National scale (issue 17): the report's bounded item lists read by index in their order. Closed items by closing
-- time: section 四 lists the most recently closed first, and an item closed after a past report date counts as
-- still open on that date (section 三 reads those beside the open items of items_open_deadline, migration 0900).
create index items_closed_at on items(campaign_id, closed_at) where state = 'closed';
analyze items;
