-- A unit's 待办 on a million-item campaign (issue 17): its parts to finish (临期待完成) are listed in the order of their
-- item's deadline, then campaign and number. That order lived on the items, so the page read every open part of the unit
-- (3,333 on the bench) and its item, sorted them and kept fifty. Each assignment now carries its item's effective
-- deadline and number, and an index on them serves the page in order: it reads about as many parts as it shows.
-- The number never changes; the deadline is kept by the triggers below (inserts of items, lead unit/units edits, every
-- update of an item's effective deadline: an extension, a reopening, an edit before launch or a change after it).
-- The backfill writes a new version of every assignment row: the runner vacuums the table once the files are applied.
-- vacuum after migrating: assignments
alter table assignments add column item_deadline date, add column item_seq int;

-- The maintained counts and the unsigned-parts flag read the transition tables of an update of assignments; this one
-- changes neither state nor unit, so they are left out of it. The secondary indexes are built again after it, as a bulk
-- load does: on the bench's 3,000,000 rows the update took 103 s with them kept, 60 s in all this way.
alter table assignments disable trigger assignment_counts_update;
alter table assignments disable trigger assignments_unsigned_update;
drop index assignments_unit, assignments_campaign, assignments_returned;
update assignments a set item_deadline = i.effective_deadline, item_seq = i.seq from items i where i.id = a.item_id;
create index assignments_unit on assignments(unit_code, state);
create index assignments_campaign on assignments(campaign_id, unit_code);
create index assignments_returned on assignments(unit_code) where returned_at is not null;
alter table assignments enable trigger assignment_counts_update;
alter table assignments enable trigger assignments_unsigned_update;
alter table assignments alter column item_seq set not null;

create or replace function assignments_after_item_insert() returns trigger language plpgsql as $$
begin
    insert into assignments(item_id, unit_code, campaign_id, role, item_deadline, item_seq)
    select n.id, u.code, n.campaign_id, case when u.code = n.lead_unit then 'lead' else 'responsible' end, n.effective_deadline, n.seq
    from new_items n
    cross join lateral (select distinct x as code from unnest(array[n.lead_unit] || n.units) x) u
    on conflict do nothing;
    return null;
end $$;

create or replace function assignments_after_item_units() returns trigger language plpgsql as $$
begin
    if new.lead_unit is not distinct from old.lead_unit and new.units is not distinct from old.units then
        return null;
    end if;
    insert into assignments(item_id, unit_code, campaign_id, role, item_deadline, item_seq)
    select new.id, x, new.campaign_id, case when x = new.lead_unit then 'lead' else 'responsible' end, new.effective_deadline, new.seq
    from (select distinct x from unnest(array[new.lead_unit] || new.units) x) u
    on conflict (item_id, unit_code) do update
        set role = excluded.role,
            state = case when assignments.state = 'withdrawn' then 'assigned' else assignments.state end;
    update assignments set state = 'withdrawn'
    where item_id = new.id and unit_code <> all(array[new.lead_unit] || new.units) and state <> 'withdrawn';
    return null;
end $$;

-- A row trigger that fires only when the deadline moves: a firing or the launch (which update items by the thousand)
-- never name effective_deadline, and an event that does (every event rewrites it) but leaves it as it was queues nothing.
create function assignments_after_item_deadline() returns trigger language plpgsql as $$
begin
    update assignments set item_deadline = new.effective_deadline
    where item_id = new.id and item_deadline is distinct from new.effective_deadline;
    return null;
end $$;

create trigger assignments_item_deadline after update of effective_deadline on items
    for each row when (old.effective_deadline is distinct from new.effective_deadline)
    execute function assignments_after_item_deadline();

-- The parts to finish of a unit, in the 待办's order (deadline, campaign, number).
create index assignments_to_complete on assignments(unit_code, item_deadline, campaign_id, item_seq)
    where state = 'inProgress' and returned_at is null;
