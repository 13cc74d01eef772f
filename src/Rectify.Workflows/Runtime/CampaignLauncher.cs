using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Workflows.Runtime;

public abstract record LaunchOutcome;
public sealed record Launched(int Items, int Deliverables, int Timers) : LaunchOutcome;
public sealed record LaunchRefused(int Status, string Message) : LaunchOutcome;

/// <summary>
/// Launch: in one transaction every draft item becomes assigned, gets its first chained timer (and its
/// unacknowledged-reminder and periodic-report timers), every unit its deliverables, the campaign its phase timers,
/// and every lead and responsible unit's contacts an <c>assigned</c> message. Set-based SQL throughout, so a campaign
/// of 100 000 items launches in seconds: C# computes a schedule per distinct deadline, not per item.
/// </summary>
public sealed partial class CampaignLauncher(NpgsqlDataSource db, DefinitionStore definitions, WorkingCalendar calendar)
{
    public const string TimerChannel = "rectify_timers";

    /// <param name="notify">false for demo history: state and timers as usual, but no messages about the past.</param>
    public async Task<LaunchOutcome> LaunchAsync(Guid campaignId, Actor actor, DateTimeOffset now, bool notify, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A launch sorts and hashes per item (digest counts, reference checks over 100 000 rows): in memory, not on disk.
        await connection.ExecuteAsync(new CommandDefinition("set local work_mem = '256MB'", transaction: tx, cancellationToken: ct));
        const string claim = """
            update campaigns set state = 'active', launched_at = @now, version = version + 1
            where id = @campaignId and state = 'draft'
            returning id, title, state, time_zone as TimeZone, issued_by_unit as IssuedByUnit, supervision_unit as SupervisionUnit,
                      workflow_id as WorkflowId, workflow_version as WorkflowVersion, phases::text as Phases
            """;
        var campaign = await connection.QuerySingleOrDefaultAsync<CampaignSubject>(new CommandDefinition(claim, new { campaignId, now }, tx, cancellationToken: ct));
        if (campaign is null)
        {
            var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("select state from campaigns where id = @campaignId", new { campaignId }, tx, cancellationToken: ct));
            return state is null
                ? new LaunchRefused(404, "整改工作不存在 / campaign not found")
                : new LaunchRefused(422, $"整改工作已启动（当前状态 {state}），不能重复启动 / the campaign was already launched");
        }
        var d = (await definitions.GetAsync(connection, campaign.WorkflowId, campaign.WorkflowVersion, ct))!.Definition;
        var snapshot = await calendar.GetAsync(connection, ct, tx);
        var zone = LocalTime.Zone(campaign.TimeZone);
        var phases = JsonSerializer.Deserialize<List<Phase>>(campaign.Phases, WorkflowDefinition.Json) ?? [];
        var launchLevel = d.Item.LaunchEscalationLevel ?? EscalationLevels.None;
        var ackDue = Schedule.AcknowledgeBy(d, snapshot, zone, now);

        // The aggregates (statistics, dashboard, per-unit figures) are counted once for the whole campaign after the update
        // instead of by its statement triggers (migration 0994): a third of the update's time at a million items.
        const string assign = """
            set local rectify.item_counts = 'deferred';
            update items set state = @launchState, assigned_at = @now, cycle = 1, ack_due_at = @ackDue, escalation_level = @launchLevel,
                             version = version + 1, updated_at = @now,
                             yellow_from = item_yellow_from(effective_deadline, (@now at time zone @timeZone)::date)
            where campaign_id = @campaignId and state = @initialState;
            set local rectify.item_counts = 'kept';
            """;
        var count = await connection.ExecuteAsync(new CommandDefinition(assign, new
        {
            campaignId, now, ackDue, launchLevel, launchState = d.Item.LaunchState, initialState = d.Item.InitialState,
            timeZone = campaign.TimeZone,
        }, tx, cancellationToken: ct, commandTimeout: 300));
        if (count == 0)
        {
            await tx.RollbackAsync(ct);
            return new LaunchRefused(422, "整改工作没有任何问题，不能启动 / a campaign without items cannot be launched");
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "select item_counts_recount(@campaignId)", new { campaignId }, tx, cancellationToken: ct, commandTimeout: 300));

        var work = new ScheduleWork(connection, tx, d, snapshot, zone, now);
        var timers = await ScheduleItemTimersAsync(work, campaign, launchLevel, ackDue, ct);
        var (deliverables, deliverableTimers) = await CreateDeliverablesAsync(work, campaign, phases, ct);
        timers += deliverableTimers;
        foreach (var step in Schedule.PhaseSteps(d, phases, zone, now))
        {
            timers += await connection.ExecuteAsync(new CommandDefinition("""
                insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
                values (@due, 'campaign', @campaignId, @campaignId, 1, @step, @now) on conflict do nothing
                """, new { due = step.DueAt, campaignId, step = step.Name, now }, tx, cancellationToken: ct));
        }
        await JournalAndNotifyAsync(work, campaign, actor, launchLevel, notify, ct);
        await connection.ExecuteAsync(new CommandDefinition($"select pg_notify('{TimerChannel}', '')", transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new Launched(count, deliverables, timers);
    }

    private static async Task<int> ScheduleItemTimersAsync(
        ScheduleWork work, CampaignSubject campaign, string launchLevel, DateTimeOffset ackDue, CancellationToken ct)
    {
        var (connection, tx, d, snapshot, zone, now) = work;
        var campaignId = campaign.Id;
        // One schedule per distinct deadline, joined back to the items in SQL; each item's reminder to acknowledge and its
        // first deadline step are written by one pass over the items, the two timers of an item side by side.
        var deadlines = (await connection.QueryAsync<DateOnly>(new CommandDefinition(
            "select distinct effective_deadline from items where campaign_id = @campaignId and effective_deadline is not null and not ongoing",
            new { campaignId }, tx, cancellationToken: ct))).ToList();
        var firsts = deadlines
            .Select(dl => (Deadline: dl, Step: Schedule.FirstStep(Schedule.DeadlineSteps(d, snapshot, zone, dl, launchLevel), launchLevel, now)))
            .Where(x => x.Step is not null).ToList();
        var total = await connection.ExecuteAsync(new CommandDefinition("""
            insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
            select t.due, 'item', i.id, i.campaign_id, 1, t.step, @now
            from items i
            left join unnest(@deadlines, @dues, @steps) as s(deadline, due, step) on s.deadline = i.effective_deadline and not i.ongoing
            cross join lateral (values (@ackDue, 'reminder:unacknowledged'), (s.due, s.step)) as t(due, step)
            where i.campaign_id = @campaignId and t.due is not null
            """, new
        {
            deadlines = firsts.Select(f => f.Deadline).ToArray(), dues = firsts.Select(f => f.Step!.DueAt).ToArray(),
            steps = firsts.Select(f => f.Step!.Name).ToArray(), ackDue, now, campaignId,
        }, tx, cancellationToken: ct, commandTimeout: 300));

        total += await ScheduleMilestoneTimersAsync(work, campaignId, ct);

        if (d.PeriodicReports is not null)
        {
            var assignedOn = LocalTime.Date(now, zone);
            var everies = (await connection.QueryAsync<string?>(new CommandDefinition(
                "select distinct report_every from items where campaign_id = @campaignId and ongoing", new { campaignId }, tx, cancellationToken: ct))).ToList();
            foreach (var every in everies)
            {
                var first = Schedule.PeriodicSteps(d, snapshot, zone, Schedule.NextReportDate(d, every, assignedOn, assignedOn))[0];
                total += await connection.ExecuteAsync(new CommandDefinition("""
                    insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
                    select @due, 'item', id, campaign_id, 1, @step, @now from items
                    where campaign_id = @campaignId and ongoing and report_every is not distinct from @every
                    """, new { due = first.DueAt, step = first.Name, now, campaignId, every }, tx, cancellationToken: ct));
            }
        }
        return total;
    }

    /// <summary>One reminder timer per milestone still ahead (issue 15.4), one schedule per distinct date, joined back in SQL.</summary>
    private static async Task<int> ScheduleMilestoneTimersAsync(ScheduleWork work, Guid campaignId, CancellationToken ct)
    {
        var (connection, tx, d, snapshot, zone, now) = work;
        var dates = (await connection.QueryAsync<DateOnly>(new CommandDefinition("""
            select distinct m.date from item_milestones m join items i on i.id = m.item_id
            where i.campaign_id = @campaignId and m.done_at is null
            """, new { campaignId }, tx, cancellationToken: ct))).ToList();
        var dues = dates.Select(date => (Date: date, Due: Schedule.MilestoneReminder(d, snapshot, zone, date, now))).Where(x => x.Due is not null).ToList();
        if (dues.Count == 0) return 0;
        return await connection.ExecuteAsync(new CommandDefinition("""
            insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
            select s.due, 'item', i.id, i.campaign_id, m.revision, 'milestone:' || m.seq, @now
            from item_milestones m join items i on i.id = m.item_id join unnest(@dates, @dues) as s(date, due) on s.date = m.date
            where i.campaign_id = @campaignId and m.done_at is null
            on conflict do nothing
            """, new { dates = dues.Select(x => x.Date).ToArray(), dues = dues.Select(x => x.Due!.Value).ToArray(), now, campaignId },
            tx, cancellationToken: ct, commandTimeout: 300));
    }

    private static async Task<(int Deliverables, int Timers)> CreateDeliverablesAsync(
        ScheduleWork work, CampaignSubject campaign, IReadOnlyList<Phase> phases, CancellationToken ct)
    {
        var (connection, tx, d, snapshot, zone, now) = work;
        if (d.DeliverableList.Count == 0) return (0, 0);
        var itemUnits = (await connection.QueryAsync<(string Unit, bool Lead)>(new CommandDefinition("""
            select u, bool_or(lead) from (
                select lead_unit as u, true as lead from items where campaign_id = @id
                union all select unnest(units), false from items where campaign_id = @id
            ) x group by u order by u
            """, new { id = campaign.Id }, tx, cancellationToken: ct))).ToList();
        var created = 0;
        var timers = 0;
        foreach (var deliverable in d.DeliverableList)
        {
            var phase = phases.FirstOrDefault(p => p.Key == deliverable.Due.Phase);
            if (phase is null) continue;
            var due = deliverable.Due.Edge == "start" ? phase.Start : phase.End;
            string[] owners = deliverable.Owners switch
            {
                "itemUnits" => itemUnits.Select(u => u.Unit).ToArray(),
                "leadUnits" => itemUnits.Where(u => u.Lead).Select(u => u.Unit).ToArray(),
                "supervisionOffice" => campaign.SupervisionUnit is { } s ? [s] : [],
                _ => [campaign.IssuedByUnit],
            };
            if (owners.Length == 0) continue;
            var ids = owners.Select(_ => Guid.CreateVersion7(now)).ToArray();
            created += await connection.ExecuteAsync(new CommandDefinition("""
                insert into deliverables(id, campaign_id, kind, unit_code, due_date, created_at, updated_at)
                select i, @campaignId, @kind, u, @due, @now, @now from unnest(@ids, @owners) as t(i, u)
                on conflict (campaign_id, kind, unit_code) do nothing
                """, new { campaignId = campaign.Id, kind = deliverable.Key, due, now, ids, owners }, tx, cancellationToken: ct));
            var first = Schedule.FirstStep(Schedule.DeadlineSteps(d, snapshot, zone, due, EscalationLevels.None), EscalationLevels.None, now);
            if (first is null) continue;
            timers += await connection.ExecuteAsync(new CommandDefinition("""
                insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
                select @dueAt, 'deliverable', id, campaign_id, 1, @step, @now from deliverables where campaign_id = @campaignId and kind = @kind
                on conflict do nothing
                """, new { dueAt = first.DueAt, step = first.Name, now, campaignId = campaign.Id, kind = deliverable.Key }, tx, cancellationToken: ct));
        }
        return (created, timers);
    }
}
