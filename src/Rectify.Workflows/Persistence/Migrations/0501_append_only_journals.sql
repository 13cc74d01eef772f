-- Journals are append-only, enforced by PostgreSQL itself: whatever role the application connects as, an UPDATE,
-- DELETE or TRUNCATE of a journal fails. (Retention of hot tables never touches journals.)
create function forbid_journal_rewrite() returns trigger language plpgsql as $$
begin
    raise exception 'journal % is append-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
end $$;

create trigger admin_journal_append_only
    before update or delete on admin_journal
    for each row execute function forbid_journal_rewrite();
create trigger admin_journal_no_truncate
    before truncate on admin_journal
    for each statement execute function forbid_journal_rewrite();
