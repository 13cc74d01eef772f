-- Issue 16 (libraries): Hangfire runs the recurring and background work; its own tables live in the schema "hangfire",
-- which the node installs after these migrations (Rectify.Api.Jobs.JobsSchema), never through this folder.
--
-- A background task is what a person started and watches: a big export, a big import. Hangfire's job is the runner;
-- this row is the product's record of it (who asked, what, how far, the result file, the error), read by
-- GET /api/tasks/{id} and the page that started it. Results are kept in the database (no node-local files) and
-- removed by the retention job after Rectify:Retention:BackgroundTasks.
create table background_tasks (
    id           uuid primary key,
    kind         text not null check (kind in ('ledgerExport', 'import', 'archiveExport')),
    state        text not null default 'queued' check (state in ('queued', 'running', 'succeeded', 'failed')),
    title        text not null,
    progress     int not null default 0 check (progress >= 0),
    total        int check (total >= 0),
    requested_by uuid references users(id) on delete set null,
    campaign_id  uuid references campaigns(id) on delete cascade,
    parameters   jsonb not null default '{}',
    input        bytea,
    result_name  text,
    result_type  text,
    result       bytea,
    summary      jsonb,
    error        text,
    job_id       text,
    attempts     int not null default 0,
    created_at   timestamptz not null,
    started_at   timestamptz,
    finished_at  timestamptz,
    updated_at   timestamptz not null
);
create index background_tasks_requested_by on background_tasks(requested_by, created_at desc);
create index background_tasks_finished on background_tasks(finished_at) where finished_at is not null;

-- The weekly progress report to the leading group goes through the outbox like every other message. The list is the
-- union with 0880's (urge, changed): a database that applied 0880 before this file ran keeps its rows valid, and 0880
-- (which runs after this file on a fresh database) names weeklyReport too.
alter table outbox drop constraint if exists outbox_kind_check;
alter table outbox add constraint outbox_kind_check
    check (kind in ('assigned','reminder','escalation','phase','digest','periodicReport','decision','deliverable','urge','changed','weeklyReport'));
