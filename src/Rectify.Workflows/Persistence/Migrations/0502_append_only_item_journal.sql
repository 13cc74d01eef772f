-- The item and deliverable journal is append-only like admin_journal (0501): no UPDATE, DELETE or TRUNCATE, whatever
-- role the application connects as. A journal outlives what it records, so its references no longer cascade: deleting
-- a draft item leaves its history (and the deletion itself) in the journal.
alter table journal drop constraint journal_campaign_id_fkey;
alter table journal drop constraint journal_item_id_fkey;
alter table journal drop constraint journal_deliverable_id_fkey;

create trigger journal_append_only
    before update or delete on journal
    for each row execute function forbid_journal_rewrite();
create trigger journal_no_truncate
    before truncate on journal
    for each statement execute function forbid_journal_rewrite();
