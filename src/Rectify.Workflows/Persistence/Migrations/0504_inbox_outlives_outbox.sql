-- A person's inbox outlives the outbox row that delivered it: retention removes delivered outbox rows after 180 days
-- (docs/operations.md), and with the cascading reference their inbox messages went with them. outbox_id stays as the
-- delivery's (never reused) identity and keeps re-delivery a no-op through its unique index; it no longer cascades.
alter table inbox_messages drop constraint inbox_messages_outbox_id_fkey;
