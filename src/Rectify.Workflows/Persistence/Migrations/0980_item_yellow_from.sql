-- National scale (issue 17): the item list's light=yellow from an index instead of a scan of every open item.
-- By the time rule (ItemStatus.Light) an open item is yellow on day T (its campaign's local date) when
--     left <= total * 0.3,  left = D - T + 1,  total = max(1, D - S + 1),  S = the local date it was assigned on,
-- D its effective deadline (and not red, T <= D). With S known, total does not depend on T; left is an integer, so
-- left <= x holds iff left <= floor(x), i.e. T >= D + 1 - floor(0.3 * total): the first such T is stored per item.
-- Not yet assigned (S null), C# takes S = T: total = max(1, left), and for T <= D (left >= 1) left <= 0.3 * left never
-- holds, so such an item is never yellow by time (null). The product 0.3 * total is the same IEEE double as in C#.
-- (No greatest() over a null: the case returns null first.)
-- The update below writes a new version of every item row: the runner vacuums the table once the files are applied.
-- vacuum after migrating: items
create function item_yellow_from(deadline date, assigned_on date) returns date
    language sql immutable parallel safe
    as $$ select case when deadline is not null and assigned_on is not null
                      then deadline + 1 - floor(0.3::float8 * greatest(1, deadline - assigned_on + 1))::int end $$;

alter table items add column yellow_from date;

-- Kept by a row trigger where the inputs change (the launch sets assigned_at, an extension effective_deadline): the
-- local date of assignment in the campaign's time zone. A draft (no assigned_at) is not even looked at, and a statement
-- that sets yellow_from itself (the launch, set-based: one time zone for the campaign) skips the trigger, whose
-- per-row lookup costs a launch of 100,000 items about 1.5 s on the shared 2-core machine.
create function items_set_yellow_from() returns trigger language plpgsql as $$
begin
    if new.assigned_at is null or new.effective_deadline is null then
        new.yellow_from := null;
    elsif tg_op = 'INSERT' or new.assigned_at is distinct from old.assigned_at
          or new.effective_deadline is distinct from old.effective_deadline or old.yellow_from is null then
        new.yellow_from := item_yellow_from(new.effective_deadline,
            (new.assigned_at at time zone (select c.time_zone from campaigns c where c.id = new.campaign_id))::date);
    end if;
    return new;
end $$;
create trigger items_yellow_from_insert before insert on items
    for each row when (new.assigned_at is not null) execute function items_set_yellow_from();
create trigger items_yellow_from before update of effective_deadline, assigned_at on items
    for each row when (new.yellow_from is not distinct from old.yellow_from) execute function items_set_yellow_from();

-- A campaign's time zone moves its items' local dates of assignment.
create function campaigns_time_zone_yellow_from() returns trigger language plpgsql as $$
begin
    update items set yellow_from = item_yellow_from(effective_deadline, (assigned_at at time zone new.time_zone)::date)
    where campaign_id = new.id and assigned_at is not null and effective_deadline is not null;
    return null;
end $$;
create trigger campaigns_time_zone_yellow_from after update of time_zone on campaigns
    for each row when (old.time_zone is distinct from new.time_zone) execute function campaigns_time_zone_yellow_from();

-- The other yellow: unacknowledged a working day after assignment, while the item or one of its parts is still 'assigned'.
-- Whether a part is still unsigned is kept on the item (items.unsigned) by statement-level triggers on assignments, one
-- set-based update per statement and only for the items whose answer changes. Parts are created 'assigned' (the items'
-- insert trigger, a unit added): an item starts unsigned. (Transition tables cannot go with a column list: the update
-- trigger looks at every update of assignments and keeps the rows whose state changed.)
alter table items add column unsigned boolean not null default true;

create function items_unsigned_refresh() returns trigger language plpgsql as $$
begin
    update items i set unsigned = x.unsigned
    from (select k.item_id, exists (select 1 from assignments a where a.item_id = k.item_id and a.state = 'assigned') as unsigned
          from (select distinct item_id from changed_parts) k) x
    where i.id = x.item_id and i.unsigned is distinct from x.unsigned;
    return null;
end $$;
create function items_unsigned_after_update() returns trigger language plpgsql as $$
begin
    update items i set unsigned = x.unsigned
    from (select k.item_id, exists (select 1 from assignments a where a.item_id = k.item_id and a.state = 'assigned') as unsigned
          from (select distinct n.item_id from new_parts n join old_parts o on o.item_id = n.item_id and o.unit_code = n.unit_code
                where n.state is distinct from o.state) k) x
    where i.id = x.item_id and i.unsigned is distinct from x.unsigned;
    return null;
end $$;
create trigger assignments_unsigned_insert after insert on assignments referencing new table as changed_parts
    for each statement execute function items_unsigned_refresh();
create trigger assignments_unsigned_update after update on assignments referencing old table as old_parts new table as new_parts
    for each statement execute function items_unsigned_after_update();
create trigger assignments_unsigned_delete after delete on assignments referencing old table as changed_parts
    for each statement execute function items_unsigned_refresh();

update items i set yellow_from = item_yellow_from(i.effective_deadline, (i.assigned_at at time zone c.time_zone)::date),
                   unsigned = exists (select 1 from assignments a where a.item_id = i.id and a.state = 'assigned')
from campaigns c where c.id = i.campaign_id;

-- The open items of a campaign from the day they turn yellow (red ones are in the range too: they are filtered by their
-- deadline in the index, without the table; the count of yellow reads this index alone).
create index items_open_yellow on items(campaign_id, yellow_from, effective_deadline)
    where state not in ('closed', 'draft', 'withdrawn') and yellow_from is not null;
-- The open items still unsigned (few, once the first days are past), by the acknowledgement's due time.
create index items_open_unsigned on items(campaign_id, ack_due_at)
    where state not in ('closed', 'draft', 'withdrawn') and (state = 'assigned' or unsigned);
analyze items;
