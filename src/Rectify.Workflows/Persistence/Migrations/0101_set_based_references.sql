-- Runtime performance (issue 3, docs/adr/0001-timers.md "Performance"): the hot tables written in bulk — timers,
-- journal, outbox — check their references once per statement instead of once per row.
--
-- A foreign key checks each inserted row with its own query (and row lock) on the referenced table: a launch of
-- 100 000 items ran 400 000 such queries, a firing of 500 timers about 3 000. Measured on the bench database (CPU of the
-- backend, 10 000 rows): journal inserts 420 → 155 ms, outbox inserts 730 → 450 ms, timers inserts 275 → 200 ms
-- without the per-row checks. The same guarantees are kept by triggers that work on whole statements:
--   * child side: an AFTER INSERT / AFTER UPDATE statement trigger reads the statement's new rows (transition table),
--     locks the distinct referenced rows FOR KEY SHARE — exactly the lock a foreign key takes, so a concurrent delete
--     of a referenced row waits for us, or we see it gone — and raises foreign_key_violation (23503) when one is
--     missing. Same moment as a non-deferred foreign key: the end of the statement. Referenced rows this transaction
--     already inserted, updated or locked are not locked again (see below); an update checks only the keys it changed.
--   * parent side: deleting a referenced row cascades (timers) or is refused (outbox → people, NO ACTION), as the
--     foreign keys did (the journal no longer cascades: it is append-only and outlives what it records, 0502); changing a referenced key is refused; TRUNCATE of a parent also empties the children.
-- These parent-side triggers read with a fresh snapshot per statement, which is what READ COMMITTED (Rectify's only
-- isolation level) gives; under REPEATABLE READ or SERIALIZABLE a foreign key would use a cross-check snapshot that a
-- trigger cannot, so there a delete of a referenced row is refused instead of risking an orphan.

create function rectify_references_check() returns trigger language plpgsql as $$
-- tg_argv: child column, parent table, parent key column (uuid). Transition tables: new_rows (and old_rows on update).
declare
    keys uuid[];
    me xid;
    present bigint;
    locked bigint;
begin
    if tg_op = 'INSERT' then
        execute format('select array_agg(distinct %1$I) from new_rows where %1$I is not null', tg_argv[0]) into keys;
    else
        -- Like a foreign key, an update checks only keys it changed: a key some old row of the statement held is
        -- still referenced by it, so the parent side would have cascaded or refused its deletion.
        execute format('select array_agg(k) from (select %1$I as k from new_rows where %1$I is not null except select %1$I from old_rows) x',
                       tg_argv[0]) into keys;
    end if;
    if keys is null then
        return null;
    end if;
    -- Rows this transaction inserted, updated or locked itself (a launch's items, a sweep's items locked FOR UPDATE) cannot
    -- be deleted by another transaction before we commit, and a delete after our commit cascades to our rows: they need no
    -- further lock. Every other referenced row is locked FOR KEY SHARE, as a foreign key does.
    me := (pg_current_xact_id()::text::bigint % 4294967296)::text::xid;
    execute format('select count(*) from %I p where p.%I in (select unnest($1)) and (p.xmin = $2 or p.xmax = $2)', tg_argv[1], tg_argv[2])
        into present using keys, me;
    locked := 0;
    if present < cardinality(keys) then
        execute format('select count(*) from (select 1 from %I p where p.%I in (select unnest($1)) and not (p.xmin = $2 or p.xmax = $2) for key share of p) x',
                       tg_argv[1], tg_argv[2])
            into locked using keys, me;
    end if;
    if present + locked <> cardinality(keys) then
        raise exception 'insert or update on table "%" violates reference "%": a %.% is not present in table "%"',
                        tg_table_name, tg_name, tg_table_name, tg_argv[0], tg_argv[1]
            using errcode = 'foreign_key_violation', table = tg_table_name;
    end if;
    return null;
end $$;

-- Parent side. tg_argv: pairs of (child table, child column), then 'cascade' or 'restrict' for deletes.
create function rectify_references_parent() returns trigger language plpgsql as $$
declare
    action text := tg_argv[tg_nargs - 1];
    i int := 0;
    referenced boolean;
begin
    if tg_op = 'TRUNCATE' then
        while i < tg_nargs - 1 loop
            execute format('truncate %I', tg_argv[i]);
            i := i + 2;
        end loop;
        return null;
    end if;
    if tg_op = 'UPDATE' and old.id is not distinct from new.id then
        return null;
    end if;
    if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'deleting or re-keying a row of "%" that other tables reference requires READ COMMITTED', tg_table_name
            using errcode = 'feature_not_supported';
    end if;
    while i < tg_nargs - 1 loop
        if tg_op = 'DELETE' and action = 'cascade' then
            execute format('delete from %I where %I = $1', tg_argv[i], tg_argv[i + 1]) using old.id;
        else
            execute format('select exists (select 1 from %I where %I = $1)', tg_argv[i], tg_argv[i + 1]) into referenced using old.id;
            if referenced then
                raise exception 'update or delete on table "%" violates a reference from table "%"', tg_table_name, tg_argv[i]
                    using errcode = 'foreign_key_violation', table = tg_argv[i];
            end if;
        end if;
        i := i + 2;
    end loop;
    return null;
end $$;

-- timers.campaign_id → campaigns (on delete cascade)
alter table timers drop constraint timers_campaign_id_fkey;
create trigger timers_campaign_ref_ins after insert on timers referencing new table as new_rows
    for each statement execute function rectify_references_check('campaign_id', 'campaigns', 'id');
create trigger timers_campaign_ref_upd after update on timers referencing old table as old_rows new table as new_rows
    for each statement execute function rectify_references_check('campaign_id', 'campaigns', 'id');

-- journal.campaign_id → campaigns, journal.item_id → items, journal.deliverable_id → deliverables: checked when written
alter table journal drop constraint journal_campaign_id_fkey;
alter table journal drop constraint journal_item_id_fkey;
alter table journal drop constraint journal_deliverable_id_fkey;
create trigger journal_campaign_ref_ins after insert on journal referencing new table as new_rows
    for each statement execute function rectify_references_check('campaign_id', 'campaigns', 'id');
create trigger journal_item_ref_ins after insert on journal referencing new table as new_rows
    for each statement execute function rectify_references_check('item_id', 'items', 'id');
create trigger journal_deliverable_ref_ins after insert on journal referencing new table as new_rows
    for each statement execute function rectify_references_check('deliverable_id', 'deliverables', 'id');
create trigger journal_campaign_ref_upd after update on journal referencing old table as old_rows new table as new_rows
    for each statement execute function rectify_references_check('campaign_id', 'campaigns', 'id');
create trigger journal_item_ref_upd after update on journal referencing old table as old_rows new table as new_rows
    for each statement execute function rectify_references_check('item_id', 'items', 'id');
create trigger journal_deliverable_ref_upd after update on journal referencing old table as old_rows new table as new_rows
    for each statement execute function rectify_references_check('deliverable_id', 'deliverables', 'id');

-- outbox.recipient_person_id → people (no action: a person with messages cannot be deleted)
alter table outbox drop constraint outbox_recipient_person_id_fkey;
create trigger outbox_recipient_ref_ins after insert on outbox referencing new table as new_rows
    for each statement execute function rectify_references_check('recipient_person_id', 'people', 'id');
create trigger outbox_recipient_ref_upd after update on outbox referencing old table as old_rows new table as new_rows
    for each statement execute function rectify_references_check('recipient_person_id', 'people', 'id');

-- Parent side: the cascades and refusals of the dropped foreign keys. The journal is not among them: it outlives what
-- it records (append-only, migration 0502), so deleting a draft item or a campaign leaves its history in place.
create trigger campaigns_referenced after delete or update of id on campaigns
    for each row execute function rectify_references_parent('timers', 'campaign_id', 'cascade');
create trigger campaigns_referenced_truncate after truncate on campaigns
    for each statement execute function rectify_references_parent('timers', 'campaign_id', 'cascade');
create trigger people_referenced after delete or update of id on people
    for each row execute function rectify_references_parent('outbox', 'recipient_person_id', 'restrict');
create trigger people_referenced_truncate after truncate on people
    for each statement execute function rectify_references_parent('outbox', 'recipient_person_id', 'restrict');

-- Indexes no query uses, paid for by every insert or non-HOT update:
--   items_campaign (campaign_id, seq) is the same index as the unique constraint items_campaign_id_seq_key;
--   outbox_due (not_before) where pending|failed was superseded by outbox_claimable (0200), which the dispatcher uses;
--   outbox_campaign: the notifications list filters on coalesce(o.campaign_id, i.campaign_id), which it cannot use.
drop index items_campaign;
drop index outbox_due;
drop index outbox_campaign;

-- A launch updates every item of the campaign (state, assigned_at, …, no indexed column). With room on the page the
-- update is HOT: no new entry in any of the items indexes (one of them GIN). 0100 left 20 % free, enough for one row
-- in five; half the page makes the launch update (and later level/state updates) HOT for nearly every row. Measured
-- on 100 000 bench items (backend CPU): 1 830 ms at fillfactor 80, 300 ms at 50. Applies to pages written from now on.
alter table items set (fillfactor = 50);
