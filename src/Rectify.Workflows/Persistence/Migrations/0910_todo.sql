-- 待办 (issue 13 §1): what waits for each role, read by GET /api/todo and the landing page in a few set-based statements.
-- These indexes serve its branches on a million-item campaign; the one column is what no index could find.

-- A unit's part sent back (退回 of a closure request, or 重新整改 after a look-back) waits for that unit until it reports
-- again. The journal says so too, but only entry by entry: this column lets the 待办 find a unit's returned parts at once.
-- Set by the runtime when a completed part is reactivated; cleared by the unit's next report, completion or closure request.
alter table assignments add column returned_at timestamptz;
create index assignments_returned on assignments(unit_code) where returned_at is not null;

-- Parts already sent back before this migration: the latest return or reopen of the item after the unit's last report.
update assignments a set returned_at = j.at
from (
    select distinct on (item_id) item_id, at, type, data
    from journal
    where item_id is not null and type in ('returnClosure', 'reopen')
    order by item_id, id desc
) j
where a.item_id = j.item_id
  and a.state = 'inProgress'
  and (a.last_report_at is null or a.last_report_at < j.at)
  and (j.type = 'reopen' or a.role = 'lead' or coalesce(j.data->'returnedUnits', '[]'::jsonb) ? a.unit_code);

-- Decisions waiting for the leading-group office: extension requests, and unit plans and reports submitted for review.
create index items_pending_extension on items(campaign_id, seq) where pending_extension is not null;
create index deliverables_submitted on deliverables(campaign_id) where state = 'submitted';

-- Milestones not done, by date: the few due this week among many, whoever's they are.
create index item_milestones_open on item_milestones(date) where done_at is null;

-- Talks arranged but not yet recorded: the record names its escalation.
create index admonitory_talks_escalation on admonitory_talks(escalation_id) where escalation_id is not null;
