-- A unit's parts to sign (待签收) in the 待办's order (issue 17). Right after a national campaign is launched every part of
-- every unit waits to be signed: a unit with 10,000 of them had its 待办 read all 10,000 and their items and keep fifty
-- (240 ms on the million-item copy). The order is the item's acknowledgement due time, then its deadline, campaign and
-- number; the due time is written once per launch (the campaign's, or a supplementary item's own), so a campaign has a
-- handful of them. The 待办 takes them one by one (a skip over items_open_unsigned) and reads the unit's parts of each
-- in deadline and number order from this index, as many as the page needs.
create index assignments_to_sign on assignments(unit_code, campaign_id, item_deadline, item_seq) where state = 'assigned';
analyze assignments;
