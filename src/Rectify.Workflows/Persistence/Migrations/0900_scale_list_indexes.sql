-- National scale (issue 17): indexes matched to the item list's filters on a million-item campaign.
-- Search: trigram indexes (pg_trgm, shipped with Debian's PostgreSQL server package) serve ILIKE '%…%' on Chinese text:
-- a search text of three characters or more is looked up in the index instead of reading every title and description.
create extension if not exists pg_trgm;
create index items_title_trgm on items using gin (title gin_trgm_ops);
create index items_description_trgm on items using gin (description gin_trgm_ops);
-- Filters within a campaign, each in the list's order (seq): a page is the first rows of one index range.
create index items_campaign_state on items(campaign_id, state, seq);
create index items_campaign_number on items(campaign_id, number);
-- Open items by deadline: the overdue list, the red lights, the escalation candidates.
create index items_open_deadline on items(campaign_id, effective_deadline) where state not in ('closed', 'draft', 'withdrawn');
analyze items;
