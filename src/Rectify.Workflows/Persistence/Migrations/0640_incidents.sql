-- Incidents (issue 19): nothing a row holds can stop the engine. A timer whose step throws (bad data in its subject,
-- a definition that no longer loads…) is quarantined — it stays in timers, so an event that replaces the subject's
-- timers still removes it, but the sweep no longer claims it — and an incident records what happened. Every other
-- timer keeps firing. An operator fixes the data and retries the incident (POST /api/admin/incidents/{id}/retry).
-- Background jobs that fail for reasons other than the database record an incident per job the same way.
alter table timers add column quarantined boolean not null default false;

create table incidents (
    id           bigint generated always as identity primary key,
    source       text not null check (source in ('timer', 'outbox', 'job')),
    -- what the failing thing is about: item / deliverable / campaign (timers), outbox (a message), job (a job's name)
    subject_kind text not null,
    subject_id   uuid,
    campaign_id  uuid,
    timer_id     bigint,
    outbox_id    bigint,
    job          text,
    step         text,
    error        text not null,
    first_seen   timestamptz not null,
    last_seen    timestamptz not null,
    attempts     int not null default 1,
    resolved_at  timestamptz,
    resolved_by  text,
    resolution   text
);
-- One open incident per timer, per outbox row and per job; a new failure of the same thing counts another attempt.
create unique index incidents_open_timer on incidents(timer_id) where resolved_at is null and timer_id is not null;
create unique index incidents_open_outbox on incidents(outbox_id) where resolved_at is null and outbox_id is not null;
create unique index incidents_open_job on incidents(job) where resolved_at is null and job is not null;
create index incidents_open on incidents(last_seen desc) where resolved_at is null;
