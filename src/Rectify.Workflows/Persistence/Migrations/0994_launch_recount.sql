-- National scale (issue 17): a launch counts its campaign once instead of through the update triggers.
-- The three statement triggers that keep the aggregates on an update of items (item_stat_counts 0901,
-- item_dashboard_counts 0940, assignment_unit_counts 0970) read both transition tables of the statement and, for the
-- parts, join every assignment of every item whose state changed. For the one statement of a launch that assigns every
-- item of a campaign that is most of its cost: about a third of the update, ≈ 7 s per 100,000 items, where counting the
-- campaign afresh from its items and parts takes ≈ 19 s per million. So a transaction may say
-- `set local rectify.item_counts = 'deferred'` for the statements it will recount itself: the triggers are skipped
-- while it says so, and it calls item_counts_recount(campaign) before it commits (CampaignLauncher does, right after the
-- update). Other transactions are unaffected (a transaction-local setting), and none changes the campaign's rows in
-- between: the launch's update holds every item's row lock, and adding an item locks the campaign row the launch holds.
drop trigger item_stats_update on items;
drop trigger item_dashboard_update on items;
drop trigger assignment_counts_item_update on items;

create trigger item_stats_update after update on items referencing old table as old_items new table as new_items
    for each statement when (current_setting('rectify.item_counts', true) is distinct from 'deferred')
    execute function item_stats_after_update();
create trigger item_dashboard_update after update on items referencing old table as old_items new table as new_items
    for each statement when (current_setting('rectify.item_counts', true) is distinct from 'deferred')
    execute function item_dashboard_after_update();
create trigger assignment_counts_item_update after update on items referencing old table as old_items new table as new_items
    for each statement when (current_setting('rectify.item_counts', true) is distinct from 'deferred')
    execute function assignment_counts_after_item_update();

-- The three aggregates of one campaign counted afresh from its items and parts (the statistics as the time-zone
-- trigger of 0940 counts them).
create function item_counts_recount(p_campaign uuid) returns void language plpgsql as $$
begin
    perform item_dashboard_rebuild(p_campaign);
    perform assignment_counts_rebuild(p_campaign);
    delete from item_stat_counts where campaign_id = p_campaign;
    insert into item_stat_counts(campaign_id, state, effective_deadline, closed_late, n)
    select i.campaign_id, i.state, i.effective_deadline, item_stat_key_late(i.state, i.closed_at, i.effective_deadline, c.time_zone), count(*)
    from items i join campaigns c on c.id = i.campaign_id
    where i.campaign_id = p_campaign
    group by 1, 2, 3, 4;
end $$;
