-- Milestones change after launch (issue 15: the item edit page and PUT /api/items/{id} add, change and remove them).
-- A milestone's reminder is the timer "milestone:{seq}" of its item, and its messages' idempotency keys carry the
-- timer's cycle. A milestone whose date changes, or a new one taking a freed number, gets a new revision (the item's
-- version of that edit), which its new timer carries as its cycle: its reminder is a new message, never mistaken for
-- the one the earlier date already sent, and a timer of an earlier revision fires nothing.
alter table item_milestones add column revision int not null default 1 check (revision >= 1);
