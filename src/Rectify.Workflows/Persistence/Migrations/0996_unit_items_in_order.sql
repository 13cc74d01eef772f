-- A unit's items in item order (issue 17): a unit user's list, and an office's list filtered by unit, read the unit's
-- items from its assignments, campaign by campaign in item order, instead of walking the campaign's items in order for
-- the one in a hundred that is the unit's (4,900 rows read for a page of 50 at 1,000,000 items). Every item of a unit
-- (its lead unit or one of its units) has the unit's assignment: the item triggers write one for each when the item is
-- inserted or its units change (0600, 0993), and a unit taken off keeps its row, withdrawn. The list joins each
-- assignment to its item and applies every filter there, so the assignments only say where to look.
-- The state is in the index so that a count of the unit's items reads the index alone: an assignment that is not
-- withdrawn is one of the unit's items (only a unit taken off the item, or every unit of a withdrawn item, is withdrawn).
-- The index replaces assignments_campaign (campaign_id, unit_code), its first two columns.
create index assignments_unit_items on assignments(campaign_id, unit_code, item_seq) include (state);
drop index assignments_campaign;
analyze assignments;
