-- National scale (issue 17): the campaign dashboard from a maintained aggregate instead of a read of every item.
-- Like item_stat_counts (0901) nothing here depends on the clock: the rows hold the dates, the reader applies today.
-- One table, four kinds of rows, each a count of the items that share its key:
--   light   state, effective deadline, assigned on (local date) and, for items still waiting to be signed for
--           ('assigned'), the exact assigned_at (the "not signed for a full day" rule is an instant): the 红黄绿灯
--           and the overdue count. Closed, draft and withdrawn items are green whatever their dates: state only.
--   lead    lead unit, class (closed / open / other) and, for open items, the deadline: 各牵头单位完成情况.
--   series  opened on (local date of assigned_at, else created_at) and closed on (local date of closed_at): the line.
--   source  source and class (closed / withdrawn / other): 各来源问题清零情况.
-- A million-item campaign has a few thousand such rows. Kept by statement-level triggers on items (one set-based
-- statement per insert, update or delete statement: a launch of a million items updates it once, a timer batch that
-- changes none of the key columns writes nothing).
create table item_dashboard_counts (
    campaign_id uuid not null,
    kind        text not null check (kind in ('light', 'lead', 'series', 'source')),
    state       text,
    unit        text,
    deadline    date,
    day1        date,
    day2        date,
    at          timestamptz,
    source      text,
    n           bigint not null,
    constraint item_dashboard_counts_key unique nulls not distinct (campaign_id, kind, state, unit, deadline, day1, day2, at, source)
);

-- The three trigger functions and the rebuild share one text: the signed key rows of a relation (a transition table, or
-- items) and their application to the aggregate in one pass with four grouping sets, ordered by key so two statements
-- touching the same rows lock them in the same order. Generated here once, so each function is static SQL over its own
-- transition table (which a function called from a trigger could not see).
do $do$
declare
    rows_of constant text := $r$
        select x.campaign_id, %2$s as k,
               x.state as l_state,
               case when x.state not in ('closed', 'draft', 'withdrawn') then x.effective_deadline end as l_deadline,
               case when x.state not in ('closed', 'draft', 'withdrawn') then (x.assigned_at at time zone c.time_zone)::date end as l_day,
               case when x.state = 'assigned' then x.assigned_at end as l_at,
               x.lead_unit,
               case when x.state = 'closed' then 'closed' when x.state in ('draft', 'withdrawn') then 'other' else 'open' end as lead_cls,
               case when x.state not in ('closed', 'draft', 'withdrawn') then x.effective_deadline end as lead_deadline,
               (coalesce(x.assigned_at, x.created_at) at time zone c.time_zone)::date as opened_on,
               (x.closed_at at time zone c.time_zone)::date as closed_on,
               x.source,
               case when x.state = 'closed' then 'closed' when x.state = 'withdrawn' then 'withdrawn' else 'other' end as src_cls
        from %1$s x join campaigns c on c.id = x.campaign_id %3$s
        $r$;
    apply constant text := $a$
        insert into item_dashboard_counts as s (campaign_id, kind, state, unit, deadline, day1, day2, at, source, n)
        select campaign_id, kind, state, unit, deadline, day1, day2, at, source, n from (
            select d.campaign_id,
                   case when grouping(d.l_state) = 0 then 'light' when grouping(d.lead_unit) = 0 then 'lead'
                        when grouping(d.opened_on) = 0 then 'series' else 'source' end as kind,
                   case when grouping(d.l_state) = 0 then d.l_state when grouping(d.lead_unit) = 0 then d.lead_cls
                        when grouping(d.src_cls) = 0 then d.src_cls end as state,
                   case when grouping(d.lead_unit) = 0 then d.lead_unit end as unit,
                   case when grouping(d.l_state) = 0 then d.l_deadline when grouping(d.lead_unit) = 0 then d.lead_deadline end as deadline,
                   case when grouping(d.l_state) = 0 then d.l_day when grouping(d.opened_on) = 0 then d.opened_on end as day1,
                   case when grouping(d.opened_on) = 0 then d.closed_on end as day2,
                   case when grouping(d.l_state) = 0 then d.l_at end as at,
                   case when grouping(d.src_cls) = 0 then d.source end as source,
                   sum(d.k) as n
            from (%s) d
            group by grouping sets (
                (d.campaign_id, d.l_state, d.l_deadline, d.l_day, d.l_at),
                (d.campaign_id, d.lead_unit, d.lead_cls, d.lead_deadline),
                (d.campaign_id, d.opened_on, d.closed_on),
                (d.campaign_id, d.source, d.src_cls))
            having sum(d.k) <> 0
        ) x
        order by campaign_id, kind, state, unit, deadline, day1, day2, at, source
        on conflict on constraint item_dashboard_counts_key do update set n = s.n + excluded.n
        $a$;
begin
    execute format($f$create function item_dashboard_after_insert() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'new_items', 1, '')));
    -- An update counts its old rows out and its new rows in; a statement that changes no key column (a timer batch
    -- raising escalation levels) nets to nothing and writes nothing.
    execute format($f$create function item_dashboard_after_update() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$,
        format(apply, format(rows_of, 'old_items', -1, '') || ' union all ' || format(rows_of, 'new_items', 1, '')));
    execute format($f$create function item_dashboard_after_delete() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'old_items', -1, '')));
    -- Counts one campaign (or, with null, every campaign) from its items.
    execute format($f$create function item_dashboard_rebuild(p_campaign uuid) returns void language plpgsql as $b$
        begin
            delete from item_dashboard_counts where p_campaign is null or campaign_id = p_campaign;
            %s;
        end $b$$f$, format(apply, format(rows_of, 'items', 1, 'where p_campaign is null or x.campaign_id = p_campaign')));
end $do$;

create trigger item_dashboard_insert after insert on items referencing new table as new_items
    for each statement execute function item_dashboard_after_insert();
create trigger item_dashboard_update after update on items referencing old table as old_items new table as new_items
    for each statement execute function item_dashboard_after_update();
create trigger item_dashboard_delete after delete on items referencing old table as old_items
    for each statement execute function item_dashboard_after_delete();

-- A deleted campaign takes its figures with it (its items' delete trigger finds the campaign gone and writes nothing).
create function item_dashboard_after_campaign_delete() returns trigger language plpgsql as $$
begin
    delete from item_dashboard_counts where campaign_id = old.id;
    return null;
end $$;
create trigger item_dashboard_campaign_delete after delete on campaigns for each row execute function item_dashboard_after_campaign_delete();

-- Local dates follow the campaign's time zone: when it changes, both aggregates of the campaign are counted again.
create function item_counts_after_time_zone() returns trigger language plpgsql as $$
begin
    perform item_dashboard_rebuild(new.id);
    delete from item_stat_counts where campaign_id = new.id;
    insert into item_stat_counts(campaign_id, state, effective_deadline, closed_late, n)
    select i.campaign_id, i.state, i.effective_deadline, item_stat_key_late(i.state, i.closed_at, i.effective_deadline, new.time_zone), count(*)
    from items i where i.campaign_id = new.id
    group by 1, 2, 3, 4;
    return null;
end $$;
create trigger item_counts_time_zone after update of time_zone on campaigns
    for each row when (old.time_zone is distinct from new.time_zone) execute function item_counts_after_time_zone();

-- What the dashboard reads beside the aggregate, each an index range instead of a scan:
-- the first appearance of each source (the table's order), the open escalations of the supervision inbox.
create index items_campaign_source_seq on items(campaign_id, source, seq) where source is not null;
create index escalations_open_subject on escalations(campaign_id, (coalesce(item_id, deliverable_id))) where resolved_at is null;
create index escalations_deliverable on escalations(deliverable_id) where deliverable_id is not null;

select item_dashboard_rebuild(null);
analyze item_dashboard_counts;
