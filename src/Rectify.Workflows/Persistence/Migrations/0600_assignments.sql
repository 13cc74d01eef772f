-- Responsibility per unit (分解交办, issue 12): every unit of an item — its lead unit and each responsible unit — has
-- its own assignment: it signs (签收), reports and declares its own part done, and the pressure of the timers goes to
-- the units whose own part is behind. The item keeps its own state for the decisions (closure, extension, reopen).
create table assignments (
    item_id         uuid not null references items(id) on delete cascade,
    unit_code       text not null references units(code),
    campaign_id     uuid not null references campaigns(id) on delete cascade,
    role            text not null check (role in ('lead','responsible')),
    state           text not null default 'assigned' check (state in ('assigned','inProgress','completed','withdrawn')),
    acknowledged_at timestamptz,
    last_report_at  timestamptz,
    completed_at    timestamptz,
    -- The pressure on this unit's part now (reset by an extension or a reopen, like the item's).
    escalation_level text not null default 'none',
    -- Every escalation step this unit's part reached, in order, over all cycles: its record for grading (issue 12).
    levels_reached  text[] not null default '{}',
    -- Periodic reports (ongoing items) this unit did not send by the first escalation step after their due date.
    missed_reports  int not null default 0,
    primary key (item_id, unit_code)
);
create index assignments_unit on assignments(unit_code, state);
create index assignments_campaign on assignments(campaign_id, unit_code);

-- Assignments follow the item's lead unit and units wherever items are written (one insert, the import, the bench,
-- the demo, an edit): a statement-level trigger for inserts (one set-based insert per statement, so a 100 000-row
-- insert stays one statement), a row-level one only for updates that name lead_unit or units. A unit taken off an
-- item keeps its record as `withdrawn`; put back, it is assigned again.
create function assignments_after_item_insert() returns trigger language plpgsql as $$
begin
    insert into assignments(item_id, unit_code, campaign_id, role)
    select n.id, u.code, n.campaign_id, case when u.code = n.lead_unit then 'lead' else 'responsible' end
    from new_items n
    cross join lateral (select distinct x as code from unnest(array[n.lead_unit] || n.units) x) u
    on conflict do nothing;
    return null;
end $$;

create trigger assignments_item_insert after insert on items
    referencing new table as new_items for each statement execute function assignments_after_item_insert();

create function assignments_after_item_units() returns trigger language plpgsql as $$
begin
    if new.lead_unit is not distinct from old.lead_unit and new.units is not distinct from old.units then
        return null;
    end if;
    insert into assignments(item_id, unit_code, campaign_id, role)
    select new.id, x, new.campaign_id, case when x = new.lead_unit then 'lead' else 'responsible' end
    from (select distinct x from unnest(array[new.lead_unit] || new.units) x) u
    on conflict (item_id, unit_code) do update
        set role = excluded.role,
            state = case when assignments.state = 'withdrawn' then 'assigned' else assignments.state end;
    update assignments set state = 'withdrawn'
    where item_id = new.id and unit_code <> all(array[new.lead_unit] || new.units) and state <> 'withdrawn';
    return null;
end $$;

create trigger assignments_item_units after update of lead_unit, units on items
    for each row execute function assignments_after_item_units();

-- Existing items: one assignment per unit. Before this migration one acknowledgement, one report and one closure
-- request stood for every unit of the item, so each unit's assignment takes the item's.
insert into assignments(item_id, unit_code, campaign_id, role, state, acknowledged_at, last_report_at, completed_at, escalation_level)
select i.id, u.code, i.campaign_id, case when u.code = i.lead_unit then 'lead' else 'responsible' end,
       case when i.state in ('closed', 'closureRequested') then 'completed'
            when i.state = 'draft' or i.acknowledged_at is null then 'assigned'
            else 'inProgress' end,
       i.acknowledged_at, i.last_progress_at,
       case when i.state in ('closed', 'closureRequested') then coalesce(i.closed_at, i.updated_at) end,
       case when i.state in ('closed', 'draft') then 'none' else i.escalation_level end
from items i
cross join lateral (select distinct x as code from unnest(array[i.lead_unit] || i.units) x) u
on conflict do nothing;
