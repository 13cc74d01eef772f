-- The search text's trigram indexes move off the items (issue 17: a launch of 1,000,000 items within 90 s). Every write
-- of an item that is not a HOT update enters the new row version into each of the items' indexes, and the two trigram
-- indexes (0900) take about a hundred entries per item: a launch's update of 100,000 items (200,000 items × 3 units,
-- fsync on, rolled back) took 9.5 and 9.0 s with them and 5.4 and 5.2 s without. A launch, an acknowledgement, a progress
-- report or a closure never changes an item's text, so the text and its indexes live in item_search, written when an
-- item is inserted, when its number, title or description changes, and when it is deleted. The items keep their own
-- columns (every reader of an item reads them there); the item list's search (ItemListing) reads item_search: within a
-- campaign in sequence order (item_search_campaign_seq), so a page of matches is read from it and only the page's items
-- are looked up; a search of a whole campaign is counted from it alone.
-- The title and description are kept folded (lower()), and searched with like against the folded pattern: what ilike
-- does (it folds both sides with lower() in this multibyte encoding) without folding every row on every search. A
-- two-character word has no trigram and is tested against every row of the campaign: 4,000 matches in 200,000 rows,
-- 159-209 ms with ilike, 69-72 with like on the folded text.
create table item_search (
    item_id            uuid primary key,
    campaign_id        uuid not null,
    seq                integer not null,
    number             text,
    title_folded       text not null,
    description_folded text
);

insert into item_search (item_id, campaign_id, seq, number, title_folded, description_folded)
select id, campaign_id, seq, number, lower(title), lower(description) from items;

create index item_search_title_trgm on item_search using gin (title_folded gin_trgm_ops);
create index item_search_description_trgm on item_search using gin (description_folded gin_trgm_ops);
create unique index item_search_campaign_seq on item_search (campaign_id, seq);
create index item_search_number on item_search (number) where number is not null;

drop index items_title_trgm;
drop index items_description_trgm;
-- (campaign_id, source) where source is not null is the first two columns of items_campaign_source_seq, same predicate.
drop index items_campaign_source;

create function item_search_insert() returns trigger language plpgsql as $$
begin
    insert into item_search (item_id, campaign_id, seq, number, title_folded, description_folded)
    select id, campaign_id, seq, number, lower(title), lower(description) from new_rows;
    return null;
end $$;

create function item_search_update() returns trigger language plpgsql as $$
begin
    update item_search
    set item_id = new.id, campaign_id = new.campaign_id, seq = new.seq, number = new.number,
        title_folded = lower(new.title), description_folded = lower(new.description)
    where item_id = old.id;
    return null;
end $$;

create function item_search_delete() returns trigger language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' then
        truncate item_search;
    else
        delete from item_search s using old_rows o where s.item_id = o.id;
    end if;
    return null;
end $$;

create trigger item_search_insert after insert on items referencing new table as new_rows
    for each statement execute function item_search_insert();
-- Per row and only for the columns it copies: an update that does not name them (a launch, an event) queues nothing.
create trigger item_search_update after update of id, campaign_id, seq, number, title, description on items for each row
    when (old.id is distinct from new.id or old.campaign_id is distinct from new.campaign_id or old.seq is distinct from new.seq
          or old.number is distinct from new.number or old.title is distinct from new.title
          or old.description is distinct from new.description)
    execute function item_search_update();
create trigger item_search_delete after delete on items referencing old table as old_rows
    for each statement execute function item_search_delete();
create trigger item_search_truncate after truncate on items
    for each statement execute function item_search_delete();

analyze item_search;
