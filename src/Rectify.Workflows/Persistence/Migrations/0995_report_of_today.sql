-- National scale (issue 17): the report of today (report.docx, as of the campaign's local date) from maintained figures
-- instead of a pass over every item. What its figures need beyond the dashboard's aggregate (0940):
--   各牵头单位 closed on time / closed late: the aggregate's 'lead' rows tell a closed item closed after its deadline
--           (local date of closed_at after the effective deadline) as class 'closedLate' (the dashboard reads both as closed);
--   各牵头单位 escalated: each escalation carries its item's lead unit (escalations.lead_unit, kept when the lead unit
--           changes), so the escalated items per lead unit are one index range of the campaign's escalations;
--   the order in which the lead units first appear in the list: items_lead_unit becomes (lead_unit, campaign_id, seq),
--           one descent per unit (the same entries as before, so no more index work on a write);
--   长期坚持: the campaign's ongoing items, a small partial index.
-- A report of a past date reconstructs the campaign from its items as before (ReportFigures).

alter table escalations add column lead_unit text;
update escalations e set lead_unit = i.lead_unit from items i where i.id = e.item_id;
create index escalations_lead_unit on escalations(campaign_id, lead_unit, item_id, opened_at) where item_id is not null;

-- The statements that open escalations name the lead unit themselves; this fills it for any other (a restore, a script).
create function escalations_fill_lead_unit() returns trigger language plpgsql as $$
begin
    new.lead_unit := (select i.lead_unit from items i where i.id = new.item_id);
    return new;
end $$;
create trigger escalations_lead_unit before insert on escalations
    for each row when (new.item_id is not null and new.lead_unit is null) execute function escalations_fill_lead_unit();

-- A changed lead unit (a change after launch) takes the item's escalations with it.
create function escalations_follow_lead_unit() returns trigger language plpgsql as $$
begin
    update escalations set lead_unit = new.lead_unit where item_id = new.id;
    return null;
end $$;
create trigger items_escalations_lead_unit after update of lead_unit on items
    for each row when (old.lead_unit is distinct from new.lead_unit) execute function escalations_follow_lead_unit();

drop index items_lead_unit;
create index items_lead_unit on items(lead_unit, campaign_id, seq);
create index items_ongoing on items(campaign_id) where ongoing;

-- 0940's functions, restated with the 'closedLate' class of the 'lead' rows (the rest unchanged), then every campaign
-- counted again.
do $do$
declare
    rows_of constant text := $r$
        select x.campaign_id, %2$s as k,
               x.state as l_state,
               case when x.state not in ('closed', 'draft', 'withdrawn') then x.effective_deadline end as l_deadline,
               case when x.state not in ('closed', 'draft', 'withdrawn') then (x.assigned_at at time zone c.time_zone)::date end as l_day,
               case when x.state = 'assigned' then x.assigned_at end as l_at,
               x.lead_unit,
               case when x.state = 'closed' and (x.closed_at at time zone c.time_zone)::date > x.effective_deadline then 'closedLate'
                    when x.state = 'closed' then 'closed' when x.state in ('draft', 'withdrawn') then 'other' else 'open' end as lead_cls,
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
    execute format($f$create or replace function item_dashboard_after_insert() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'new_items', 1, '')));
    -- An update counts its old rows out and its new rows in; a statement that changes no key column (a timer batch
    -- raising escalation levels) nets to nothing and writes nothing.
    execute format($f$create or replace function item_dashboard_after_update() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$,
        format(apply, format(rows_of, 'old_items', -1, '') || ' union all ' || format(rows_of, 'new_items', 1, '')));
    execute format($f$create or replace function item_dashboard_after_delete() returns trigger language plpgsql as $b$
        begin %s; return null; end $b$$f$, format(apply, format(rows_of, 'old_items', -1, '')));
    -- Counts one campaign (or, with null, every campaign) from its items.
    execute format($f$create or replace function item_dashboard_rebuild(p_campaign uuid) returns void language plpgsql as $b$
        begin
            delete from item_dashboard_counts where p_campaign is null or campaign_id = p_campaign;
            %s;
        end $b$$f$, format(apply, format(rows_of, 'items', 1, 'where p_campaign is null or x.campaign_id = p_campaign')));
end $do$;

select item_dashboard_rebuild(null);
analyze item_dashboard_counts;
analyze escalations;
