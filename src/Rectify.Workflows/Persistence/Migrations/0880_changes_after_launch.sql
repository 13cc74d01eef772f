-- A campaign changes after launch and is closed at the end (issue 13).
-- The manual urge (催办) and the change notice (改派, edits) are message kinds of their own (API.md notification kinds).
alter table outbox drop constraint if exists outbox_kind_check;
alter table outbox add constraint outbox_kind_check
    -- weeklyReport: migration 0820 (issue 16), which sorts before this file on a fresh database.
    check (kind in ('assigned','reminder','escalation','phase','digest','periodicReport','decision','deliverable','urge','changed','weeklyReport'));

-- Closing a campaign: when, by whom, with what note; the campaign is read-only from then on.
alter table campaigns
    add column closed_at  timestamptz,
    add column closed_by  text,
    add column close_note text;
