-- National scale (issue 17): the per-unit figures (GET /api/campaigns/{id}/units, the unit ranking of the documents)
-- from a maintained aggregate instead of a pass over every assignment of the campaign joined to its item.
-- Like item_stat_counts (0901) and item_dashboard_counts (0940) nothing here depends on the clock: the rows hold the
-- dates, the reader applies today. One row per (campaign, unit, lead?, signed?, done?, item open?, deadline, done on) with the
-- number of the unit's parts so and the sums of what they carry (missed reports, each escalation level reached). Only
-- the dates the rules need are kept: the deadline of a part not done on an open item (overdue is deadline < today)
-- and of a part done late, with the day it was done (the working days late); every other part has neither, so a
-- million-item campaign has a few tens of thousands of rows at most. Parts withdrawn and parts of draft or withdrawn
-- items are not counted (the rules of UnitRecords.From). The dashboard's late units (各单位逾期情况: parts not done of
-- overdue items, as lead or responsible unit, days late) are read from it too.
-- Kept by statement-level triggers: on assignments (insert, update, delete; each part beside its item as it is now),
-- and on items for the two item columns of the key (state, effective deadline; each part of a changed item beside the
-- item before and after). A statement that changes none of the key columns writes nothing.
create table assignment_unit_counts (
    campaign_id        uuid not null,
    unit               text not null,
    is_lead            boolean not null,
    acknowledged       boolean not null,
    completed          boolean not null,
    item_open          boolean not null,
    deadline           date,
    completed_on       date,
    n                  bigint not null,
    missed_reports     bigint not null,
    urge               bigint not null,
    supervision_letter bigint not null,
    listed_supervision bigint not null,
    admonitory_talk    bigint not null,
    constraint assignment_unit_counts_key unique nulls not distinct (campaign_id, unit, is_lead, acknowledged, completed, item_open, deadline, completed_on)
);

do $do$
declare
    -- The key and values of each counted part of %1$s (assignments) beside %2$s (items), signed %3$s, filtered by %4$s.
    rows_of constant text := $r$
        select p.campaign_id, p.unit, p.is_lead, p.acknowledged, p.completed, p.item_open,
               case when p.done_late or (not p.completed and p.item_open) then p.item_deadline end as deadline,
               case when p.done_late then p.done_on end as completed_on,
               %3$s as k, p.missed_reports, p.urge, p.supervision_letter, p.listed_supervision, p.admonitory_talk
        from (
            select a.campaign_id, a.unit_code as unit, a.role = 'lead' as is_lead, a.acknowledged_at is not null as acknowledged, a.state = 'completed' as completed,
                   i.state not in ('closed', 'draft', 'withdrawn') as item_open, i.effective_deadline as item_deadline,
                   d.done_on, coalesce(d.done_on > i.effective_deadline, false) as done_late,
                   a.missed_reports,
                   cardinality(array_positions(a.levels_reached, 'urge')) as urge,
                   cardinality(array_positions(a.levels_reached, 'supervisionLetter')) as supervision_letter,
                   cardinality(array_positions(a.levels_reached, 'listedSupervision')) as listed_supervision,
                   cardinality(array_positions(a.levels_reached, 'admonitoryTalk')) as admonitory_talk
            from %1$s a
            join %2$s i on i.id = a.item_id
            join campaigns c on c.id = a.campaign_id
            cross join lateral (select case when a.state = 'completed' then (a.completed_at at time zone c.time_zone)::date end as done_on) d
            where a.state <> 'withdrawn' and i.state not in ('draft', 'withdrawn') %4$s
        ) p
        $r$;
    apply constant text := $a$
        insert into assignment_unit_counts as s (campaign_id, unit, is_lead, acknowledged, completed, item_open, deadline, completed_on,
                                                 n, missed_reports, urge, supervision_letter, listed_supervision, admonitory_talk)
        select campaign_id, unit, is_lead, acknowledged, completed, item_open, deadline, completed_on,
               sum(k), sum(k * missed_reports), sum(k * urge), sum(k * supervision_letter), sum(k * listed_supervision), sum(k * admonitory_talk)
        from (%s) d
        group by 1, 2, 3, 4, 5, 6, 7, 8
        having sum(k) <> 0 or sum(k * missed_reports) <> 0 or sum(k * urge) <> 0 or sum(k * supervision_letter) <> 0
            or sum(k * listed_supervision) <> 0 or sum(k * admonitory_talk) <> 0
        order by 1, 2, 3, 4, 5, 6, 7, 8
        on conflict on constraint assignment_unit_counts_key do update
            set n = s.n + excluded.n, missed_reports = s.missed_reports + excluded.missed_reports, urge = s.urge + excluded.urge,
                supervision_letter = s.supervision_letter + excluded.supervision_letter,
                listed_supervision = s.listed_supervision + excluded.listed_supervision, admonitory_talk = s.admonitory_talk + excluded.admonitory_talk
        $a$;
begin
    execute format($f$create function assignment_counts_after_insert() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'new_parts', 'items', '1', '')));
    -- An update counts its old rows out and its new rows in; one that changes no key or value nets to nothing.
    execute format($f$create function assignment_counts_after_update() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$,
        format(apply, format(rows_of, 'old_parts', 'items', '-1', '') || ' union all ' || format(rows_of, 'new_parts', 'items', '1', '')));
    execute format($f$create function assignment_counts_after_delete() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'old_parts', 'items', '-1', '')));
    -- Items whose state or effective deadline changed: their parts beside the item before (out) and after (in). A
    -- statement that also changed such an item's units (its parts were then counted beside the item after, by the
    -- assignments trigger, before this one runs) has its campaigns counted again instead; the product never does both
    -- in one statement on a counted item (an edit after launch changes units, a decision state or deadline).
    execute format($f$create function assignment_counts_after_item_update() returns trigger language plpgsql as $b$
        begin
            -- A count, not exists(): an exists() is planned for its first row (a nested loop), which over two transition
            -- tables of a launch that match nothing is quadratic; a count is planned as a hash join.
            if (select count(*) from old_items o join new_items n on n.id = o.id
                where (o.lead_unit, o.units) is distinct from (n.lead_unit, n.units)
                  and (o.state, o.effective_deadline) is distinct from (n.state, n.effective_deadline)
                  and (o.state not in ('draft', 'withdrawn') or n.state not in ('draft', 'withdrawn'))) > 0 then
                perform assignment_counts_rebuild(x.campaign_id) from (select distinct campaign_id from new_items) x;
                return null;
            end if;
            %s;
            return null;
        end $b$$f$,
        format(apply,
            format(rows_of, 'assignments', 'old_items', '-1', 'and a.item_id in (select o.id from old_items o join new_items n on n.id = o.id where (o.state, o.effective_deadline) is distinct from (n.state, n.effective_deadline))')
            || ' union all ' ||
            format(rows_of, 'assignments', 'new_items', '1', 'and a.item_id in (select o.id from old_items o join new_items n on n.id = o.id where (o.state, o.effective_deadline) is distinct from (n.state, n.effective_deadline))')));
    -- Counts one campaign from its parts.
    execute format($f$create function assignment_counts_rebuild(p_campaign uuid) returns void language plpgsql as $b$
        begin
            delete from assignment_unit_counts where campaign_id = p_campaign;
            %s;
        end $b$$f$, format(apply, format(rows_of, 'assignments', 'items', '1', 'and a.campaign_id = p_campaign and i.campaign_id = p_campaign')));
end $do$;

create trigger assignment_counts_insert after insert on assignments referencing new table as new_parts
    for each statement execute function assignment_counts_after_insert();
create trigger assignment_counts_update after update on assignments referencing old table as old_parts new table as new_parts
    for each statement execute function assignment_counts_after_update();
create trigger assignment_counts_delete after delete on assignments referencing old table as old_parts
    for each statement execute function assignment_counts_after_delete();
create trigger assignment_counts_item_update after update on items referencing old table as old_items new table as new_items
    for each statement execute function assignment_counts_after_item_update();

-- A deleted campaign takes its figures with it; a changed time zone moves the days parts were done: counted again.
create function assignment_counts_after_campaign_delete() returns trigger language plpgsql as $$
begin
    delete from assignment_unit_counts where campaign_id = old.id;
    return null;
end $$;
create trigger assignment_counts_campaign_delete after delete on campaigns for each row execute function assignment_counts_after_campaign_delete();
create function assignment_counts_after_time_zone() returns trigger language plpgsql as $$
begin
    perform assignment_counts_rebuild(new.id);
    return null;
end $$;
create trigger assignment_counts_time_zone after update of time_zone on campaigns
    for each row when (old.time_zone is distinct from new.time_zone) execute function assignment_counts_after_time_zone();

select assignment_counts_rebuild(id) from campaigns;
analyze assignment_unit_counts;
