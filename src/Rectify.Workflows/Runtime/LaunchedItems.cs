using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

/// <summary>What the issuing office may change on a launched item (API.md <c>PUT /api/items/{id}</c>); the deadline moves only by extension.</summary>
/// <param name="Note">Why (改派原因): required after launch, kept in the journal and told to the units.</param>
/// <param name="Source">The item's source (问题来源, checked against the list by the caller); null leaves it as it is.</param>
/// <param name="Milestones">The item's milestones as they are to be; null leaves them as they are.</param>
public sealed record ItemEdit(
    string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    Guid? ResponsibleLeaderId, string LeadUnit, IReadOnlyList<string> Units, string? Note,
    string? Source = null, IReadOnlyList<MilestoneEdit>? Milestones = null);

/// <summary>
/// A milestone as an edit wants it: <paramref name="Seq"/> names an existing one (kept, or changed), null is a new one;
/// one without <paramref name="Seq"/> that has exactly an existing milestone's date and text is that milestone.
/// </summary>
public sealed record MilestoneEdit(int? Seq, DateOnly Date, string Text);

public abstract record EditOutcome;
public sealed record ItemEdited(IReadOnlyList<string> Fields, IReadOnlyList<string> Added, IReadOnlyList<string> Removed) : EditOutcome;
public sealed record EditRefused(string Message, string? Field) : EditOutcome;
public sealed record EditNotFound : EditOutcome;

/// <summary>
/// A campaign changes after launch (issue 13, DOMAIN.md "How an office really works a campaign"): supplementary items
/// are launched on their own (补充交办), launched items are edited and reassigned (改派). Each is one transaction with
/// its journal entry, timers and messages, like an event.
/// </summary>
public sealed partial class LaunchedItems(NpgsqlDataSource db, DefinitionStore definitions, WorkingCalendar calendar, INotificationOutbox outbox)
{
    /// <summary>
    /// Launches items just added to an active campaign, inside the caller's transaction: assigned at once, their
    /// timers scheduled, their units told (交办), and units new to the campaign given their deliverables.
    /// </summary>
    public async Task LaunchAddedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid campaignId, IReadOnlyList<Guid> itemIds, Actor actor,
        DateTimeOffset now, CancellationToken ct)
    {
        var campaign = await connection.QuerySingleAsync<CampaignSubject>(new CommandDefinition(
            $"{CampaignSubject.Select} where c.id = @campaignId", new { campaignId }, tx, cancellationToken: ct));
        var d = (await definitions.GetAsync(connection, campaign.WorkflowId, campaign.WorkflowVersion, ct))!.Definition;
        var snapshot = await calendar.GetAsync(connection, ct, tx);
        var zone = LocalTime.Zone(campaign.TimeZone);
        var launchLevel = d.Item.LaunchEscalationLevel ?? EscalationLevels.None;
        var ackDue = Schedule.AcknowledgeBy(d, snapshot, zone, now);
        var ids = itemIds.ToArray();
        const string assign = """
            update items set state = @launchState, assigned_at = @now, cycle = 1, ack_due_at = @ackDue, escalation_level = @launchLevel,
                             version = version + 1, updated_at = @now,
                             yellow_from = item_yellow_from(effective_deadline, (@now at time zone @timeZone)::date)
            where id = any(@ids) and state = @initialState
            """;
        await connection.ExecuteAsync(new CommandDefinition(assign, new
        {
            ids, now, ackDue, launchLevel, launchState = d.Item.LaunchState, initialState = d.Item.InitialState,
            timeZone = campaign.TimeZone,
        }, tx, cancellationToken: ct));
        var items = (await connection.QueryAsync<ItemSubject>(new CommandDefinition(
            $"{ItemSubject.Select} where i.id = any(@ids) order by i.seq", new { ids }, tx, cancellationToken: ct))).ToList();
        var parts = await Assignment.LoadAsync(connection, tx, ids, ct);
        var office = campaign.SupervisionUnit ?? campaign.IssuedByUnit;
        var units = parts.Values.SelectMany(l => l).Select(a => a.UnitCode).Distinct().ToList();
        var contacts = await ContactDirectory.LoadAsync(connection, tx, units.Append(office), ct);
        var batch = new EffectBatch();
        var today = LocalTime.Date(now, zone);
        // Milestones (issue 15.4): one reminder each, as at launch.
        var steps = await connection.QueryAsync<(Guid ItemId, int Seq, DateOnly Date, int Revision)>(new CommandDefinition(
            "select item_id, seq, date, revision from item_milestones where item_id = any(@ids) and done_at is null", new { ids }, tx, cancellationToken: ct));
        foreach (var step in steps)
        {
            if (Schedule.MilestoneReminder(d, snapshot, zone, step.Date, now) is { } due)
                batch.Timers.Add(new NewTimer(due, "item", step.ItemId, campaignId, step.Revision, Schedule.MilestoneStep(step.Seq)));
        }
        foreach (var item in items)
        {
            batch.Timers.Add(new NewTimer(ackDue, "item", item.Id, item.CampaignId, 1, "reminder:unacknowledged"));
            if (!item.Ongoing && item.EffectiveDeadline is { } deadline
                && Schedule.FirstStep(Schedule.DeadlineSteps(d, snapshot, zone, deadline, launchLevel), launchLevel, now) is { } first)
                batch.Timers.Add(new NewTimer(first.DueAt, "item", item.Id, item.CampaignId, 1, first.Name));
            else if (item.Ongoing && d.PeriodicReports is not null)
            {
                var report = Schedule.PeriodicSteps(d, snapshot, zone, Schedule.NextReportDate(d, item.ReportEvery, today, today))[0];
                batch.Timers.Add(new NewTimer(report.DueAt, "item", item.Id, item.CampaignId, 1, report.Name));
            }
            var key = $"item:{item.Id}:assigned";
            var mine = parts.GetValueOrDefault(item.Id, []);
            batch.Journal.Add(new JournalEntry(item.CampaignId, item.Id, null, now, actor.Name, "launch", d.Item.InitialState, d.Item.LaunchState,
                "补充交办 / supplementary assignment", mine.Any(a => contacts.Contacts(a.UnitCode).Any()) ? key : null,
                new { deadline = item.EffectiveDeadline, ongoing = item.Ongoing, ackDueAt = ackDue, supplementary = true }));
            foreach (var part in mine)
            {
                var message = new AssignedMessage(new AssignmentRef(item.CampaignId, item.Id, part.UnitCode), item.EffectiveDeadline, item.Ongoing, part.Role);
                foreach (var person in contacts.Contacts(part.UnitCode))
                    batch.Notifications.Add(new NotificationRequest(key, message, person, now, false));
            }
            if (launchLevel != EscalationLevels.None)
            {
                // Items under supervision from assignment (monthly supervision) carry the record from their first day.
                var escalation = Guid.CreateVersion7(now);
                batch.Escalations.Add(new NewEscalation(escalation, item.CampaignId, item.Id, null, launchLevel, office, now, "交办即督办 / under supervision from assignment"));
                var message = new EscalationMessage(new ItemRef(item.CampaignId, item.Id), launchLevel, office, item.EffectiveDeadline, AtLaunch: true);
                foreach (var person in contacts.People(mine.Select(a => a.UnitCode).Append(office)))
                    batch.Notifications.Add(new NotificationRequest($"item:{item.Id}:escalation:{launchLevel}:c1", message, person, now, true, escalation));
            }
        }
        await EnsureDeliverablesAsync(new ScheduleWork(connection, tx, d, snapshot, zone, now), campaign, parts.Values.SelectMany(l => l).ToList(), batch, ct);
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        await connection.ExecuteAsync(new CommandDefinition($"select pg_notify('{CampaignLauncher.TimerChannel}', '')", transaction: tx, cancellationToken: ct));
    }

    /// <summary>
    /// Units that join a running campaign (a supplementary item, a reassignment) owe its unit deliverables like every
    /// other unit: the missing ones are created with their first timer; the ones that exist are left as they are.
    /// </summary>
    private static async Task EnsureDeliverablesAsync(
        ScheduleWork work, CampaignSubject campaign, IReadOnlyList<Assignment> parts, EffectBatch batch, CancellationToken ct)
    {
        var (connection, tx, d, snapshot, zone, now) = work;
        if (d.DeliverableList.Count == 0 || parts.Count == 0) return;
        var phases = campaign.PhaseList();
        foreach (var deliverable in d.DeliverableList)
        {
            string[] owners = deliverable.Owners switch
            {
                "itemUnits" => parts.Where(a => a.State != AssignmentStates.Withdrawn).Select(a => a.UnitCode).Distinct().ToArray(),
                "leadUnits" => parts.Where(a => a.IsLead && a.State != AssignmentStates.Withdrawn).Select(a => a.UnitCode).Distinct().ToArray(),
                _ => [],
            };
            var phase = phases.FirstOrDefault(p => p.Key == deliverable.Due.Phase);
            if (owners.Length == 0 || phase is null) continue;
            var due = deliverable.Due.Edge == "start" ? phase.Start : phase.End;
            var ids = owners.Select(_ => Guid.CreateVersion7(now)).ToArray();
            var created = (await connection.QueryAsync<Guid>(new CommandDefinition("""
                insert into deliverables(id, campaign_id, kind, unit_code, due_date, created_at, updated_at)
                select i, @campaignId, @kind, u, @due, @now, @now from unnest(@ids, @owners) as t(i, u)
                on conflict (campaign_id, kind, unit_code) do nothing
                returning id
                """, new { campaignId = campaign.Id, kind = deliverable.Key, due, now, ids, owners }, tx, cancellationToken: ct))).ToList();
            var first = Schedule.FirstStep(Schedule.DeadlineSteps(d, snapshot, zone, due, EscalationLevels.None), EscalationLevels.None, now);
            if (first is null) continue;
            batch.Timers.AddRange(created.Select(id => new NewTimer(first.DueAt, "deliverable", id, campaign.Id, 1, first.Name)));
        }
    }
}
