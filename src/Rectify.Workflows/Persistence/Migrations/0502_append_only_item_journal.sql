-- The item and deliverable journal is append-only like admin_journal (0501): no UPDATE, DELETE or TRUNCATE, whatever
-- role the application connects as. A journal outlives what it records: its references are checked when a row is
-- written (0101) and never cascade, so deleting a draft item leaves its history (and the deletion itself) in place.
create trigger journal_append_only
    before update or delete on journal
    for each row execute function forbid_journal_rewrite();
create trigger journal_no_truncate
    before truncate on journal
    for each statement execute function forbid_journal_rewrite();
