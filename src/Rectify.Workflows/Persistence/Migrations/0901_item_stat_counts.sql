-- National scale (issue 17): campaign statistics from a maintained aggregate instead of a scan of every item.
-- One row per (campaign, state, effective deadline, closed late?) with the number of items so: a few hundred rows for a
-- million-item campaign (deadlines are dates). Overdue, closed on time and closed late follow from the key and today's
-- date at read time, so nothing here depends on the clock. Kept by statement-level triggers on items (one set-based
-- statement per insert, update or delete statement, whatever its size): a launch of a million items updates it once;
-- a statement that changes none of the key columns (a timer batch raising escalation levels) writes nothing.
create table item_stat_counts (
    campaign_id        uuid not null,
    state              text not null,
    effective_deadline date,
    -- closed items only: closed (local date in the campaign's time zone) after the effective deadline; null otherwise
    closed_late        boolean,
    n                  bigint not null,
    constraint item_stat_counts_key unique nulls not distinct (campaign_id, state, effective_deadline, closed_late)
);

create function item_stat_key_late(state text, closed_at timestamptz, deadline date, time_zone text) returns boolean
    language sql stable as $$ select case when state = 'closed' then (closed_at at time zone time_zone)::date > deadline end $$;

create function item_stats_after_insert() returns trigger language plpgsql as $$
begin
    insert into item_stat_counts as s (campaign_id, state, effective_deadline, closed_late, n)
    select x.campaign_id, x.state, x.effective_deadline, item_stat_key_late(x.state, x.closed_at, x.effective_deadline, c.time_zone), count(*)
    from new_items x join campaigns c on c.id = x.campaign_id
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict on constraint item_stat_counts_key do update set n = s.n + excluded.n;
    return null;
end $$;

create function item_stats_after_update() returns trigger language plpgsql as $$
begin
    insert into item_stat_counts as s (campaign_id, state, effective_deadline, closed_late, n)
    select campaign_id, state, effective_deadline, closed_late, sum(k)
    from (
        select x.campaign_id, x.state, x.effective_deadline, item_stat_key_late(x.state, x.closed_at, x.effective_deadline, c.time_zone) as closed_late, -1 as k
        from old_items x join campaigns c on c.id = x.campaign_id
        union all
        select x.campaign_id, x.state, x.effective_deadline, item_stat_key_late(x.state, x.closed_at, x.effective_deadline, c.time_zone), 1
        from new_items x join campaigns c on c.id = x.campaign_id
    ) d
    group by 1, 2, 3, 4 having sum(k) <> 0 order by 1, 2, 3, 4
    on conflict on constraint item_stat_counts_key do update set n = s.n + excluded.n;
    return null;
end $$;

create function item_stats_after_delete() returns trigger language plpgsql as $$
begin
    insert into item_stat_counts as s (campaign_id, state, effective_deadline, closed_late, n)
    select x.campaign_id, x.state, x.effective_deadline, item_stat_key_late(x.state, x.closed_at, x.effective_deadline, c.time_zone), -count(*)
    from old_items x join campaigns c on c.id = x.campaign_id
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict on constraint item_stat_counts_key do update set n = s.n + excluded.n;
    return null;
end $$;

create trigger item_stats_insert after insert on items referencing new table as new_items
    for each statement execute function item_stats_after_insert();
create trigger item_stats_update after update on items referencing old table as old_items new table as new_items
    for each statement execute function item_stats_after_update();
create trigger item_stats_delete after delete on items referencing old table as old_items
    for each statement execute function item_stats_after_delete();

-- A deleted campaign takes its figures with it (its items' delete trigger finds the campaign gone and writes nothing).
create function item_stats_after_campaign_delete() returns trigger language plpgsql as $$
begin
    delete from item_stat_counts where campaign_id = old.id;
    return null;
end $$;
create trigger item_stats_campaign_delete after delete on campaigns for each row execute function item_stats_after_campaign_delete();

insert into item_stat_counts(campaign_id, state, effective_deadline, closed_late, n)
select i.campaign_id, i.state, i.effective_deadline, item_stat_key_late(i.state, i.closed_at, i.effective_deadline, c.time_zone), count(*)
from items i join campaigns c on c.id = i.campaign_id
group by 1, 2, 3, 4;
