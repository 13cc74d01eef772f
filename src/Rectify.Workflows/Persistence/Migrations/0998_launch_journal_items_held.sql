-- The launch's journal (issue 17): one 'launch' row per item, selected from the campaign's items in the same statement,
-- after the launch's own update of every one of them. The statement check of the item reference (0101) then finds each
-- item updated by this transaction (the branch that needs no lock), but only after probing the items table once per key:
-- 7 s of a million-item launch. While the launch says `set local rectify.item_refs = 'held'` (around that one statement;
-- it says 'checked' right after) the check is skipped: the rows it would look up are the rows the statement reads, and
-- no other transaction can delete them before the launch commits (it holds their row locks). Any other statement, and
-- any other transaction, is checked as before.
drop trigger journal_item_ref_ins on journal;
create trigger journal_item_ref_ins after insert on journal referencing new table as new_rows
    for each statement when (current_setting('rectify.item_refs', true) is distinct from 'held')
    execute function rectify_references_check('item_id', 'items', 'id');
