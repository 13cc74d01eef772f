-- Closing a campaign and keeping it as an archive (issue 13.6).
-- The final report (整改情况报告) as it stood the moment the campaign closed: the archive export ships this copy, so an
-- archive made next year states what the office signed off, not what a later calendar or definition would compute.
create table campaign_final_reports (
    campaign_id uuid primary key references campaigns(id) on delete cascade,
    file_name   text not null,
    content     bytea not null,
    created_at  timestamptz not null,
    created_by  text not null
);

-- Results of background tasks in chunks (issue 16.2): an archive with every evidence file can be far bigger than one
-- bytea value should hold (PostgreSQL's limit is 1 GB) or than a node should keep in memory. The job writes the result
-- a chunk at a time in the transaction that marks the task succeeded; the download streams the chunks in order.
-- background_tasks.result stays for results written before this migration.
create table background_task_chunks (
    task_id uuid not null references background_tasks(id) on delete cascade,
    seq     int  not null check (seq >= 0),
    data    bytea not null,
    primary key (task_id, seq)
);
alter table background_tasks add column result_size bigint check (result_size >= 0);
