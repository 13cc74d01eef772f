using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Timers;

/// <summary>A pending timer row.</summary>
public sealed record TimerRow(long Id, DateTimeOffset DueAt, string SubjectKind, Guid SubjectId, Guid CampaignId, int Cycle, string Step)
{
    public DateTimeOffset Due => DueAt;
}

/// <summary>Pre-staged firing: claim what is due up to <paramref name="Until"/>, commit when it is due, by <paramref name="Clock"/>.</summary>
public sealed record Staging(DateTimeOffset Until, TimeProvider Clock);

/// <summary>
/// What one sweep did: timers fired (deleted with their effects), timers left because their subject was busy, and
/// timers quarantined because firing them threw (each now an open incident, see <see cref="Incidents"/>).
/// </summary>
public sealed record SweepResult(int Fired, int Deferred, int Quarantined = 0)
{
    /// <summary>Nothing claimed: no more due work for this sweep's worker.</summary>
    public bool Idle => Fired == 0 && Deferred == 0 && Quarantined == 0;
}

/// <summary>
/// Fires due timers exactly once. One transaction claims a batch (<c>FOR UPDATE SKIP LOCKED</c>, so nodes never
/// share a row), locks the subjects without waiting (an item busy with a user's event is left for the next sweep, so a
/// sweep never waits and never deadlocks), applies every effect — level, escalation record, journal, outbox rows, the
/// next chained timer — and deletes the fired rows. A node killed mid-fire rolls back and another node fires the rows.
/// </summary>
public sealed partial class TimerSweeper(
    NpgsqlDataSource db, DefinitionStore definitions, WorkingCalendar calendar, INotificationOutbox outbox, ILogger<TimerSweeper> logger,
    IMeterFactory? meters = null)
{
    public const int DefaultBatchSize = 1000;
    public const string MeterName = "Rectify.Timers";

    private readonly Meter? meter = meters?.Create(MeterName);
    private Histogram<double>? lateness;
    private Counter<long>? fired;

    /// <summary>Seconds from a timer's due time to the commit of the transaction that fired it (Prometheus:
    /// rectify_timer_lateness_seconds), in buckets from 5 ms to an hour: a node down for a while shows as the top ones.</summary>
    private Histogram<double>? Lateness => lateness ??= meter?.CreateHistogram("rectify.timer.lateness", "s", "due time to commit of its firing",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });

    private Counter<long>? Fired => fired ??= meter?.CreateCounter<long>("rectify.timers.fired", description: "timers fired (their effects committed)");

    /// <param name="quiet">Replaying history (demo data): effects and journal as usual, but no messages about the past.</param>
    /// <param name="stage">
    /// Pre-staged firing: claim timers due up to <see cref="Staging.Until"/> (a moment just ahead), apply their effects
    /// now, and commit only once the last of them is due — so a burst of timers due at one instant commits at that
    /// instant instead of being worked off after it. Nothing is visible before the commit, a crash rolls it all back.
    /// </param>
    public async Task<SweepResult> SweepOnceAsync(DateTimeOffset now, int batchSize, CancellationToken ct, bool quiet = false, Staging? stage = null)
    {
        // Npgsql writes timestamptz from UTC offsets only; callers may pass a local time.
        now = now.ToUniversalTime();
        try
        {
            return await SweepAsync(now, batchSize, ct, quiet, stage, only: null);
        }
        catch (Exception ex) when (Incidents.IsSubjectFault(ex, ct))
        {
            // Something in the batch broke the set-based part (a statement refused one row's data, a row that does
            // not map…): the transaction rolled back. Fire the due timers one by one so the rest still fire and the
            // culprit alone is quarantined.
            logger.LogWarning(ex, "Timer batch failed as a whole; firing its timers one at a time to isolate the cause");
            return await IsolateAsync(now, batchSize, quiet, ct);
        }
    }

    /// <summary>
    /// The operator's retry of a quarantined timer (after fixing its data): fires it now if it is due, in a sweep of
    /// its own. Returns what the sweep did; a timer that throws again stays quarantined (its incident counts another
    /// attempt), one no longer due is released to fire at its time.
    /// </summary>
    public async Task<SweepResult> RetryAsync(long timerId, DateTimeOffset now, CancellationToken ct)
    {
        now = now.ToUniversalTime();
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var released = await connection.ExecuteAsync(new CommandDefinition(
                "update timers set quarantined = false where id = @timerId and quarantined and due_at > @now", new { timerId, now }, cancellationToken: ct));
            if (released > 0) return new SweepResult(0, 0);
        }
        try
        {
            return await SweepAsync(now, 1, ct, quiet: false, stage: null, only: timerId);
        }
        catch (Exception ex) when (Incidents.IsSubjectFault(ex, ct))
        {
            return await QuarantineAloneAsync(timerId, now, ex, ct);
        }
    }

    private async Task<SweepResult> IsolateAsync(DateTimeOffset now, int batchSize, bool quiet, CancellationToken ct)
    {
        List<long> ids;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            ids = (await connection.QueryAsync<long>(new CommandDefinition(
                "select id from timers where due_at <= @now and not quarantined order by due_at, id limit @batchSize",
                new { now, batchSize }, cancellationToken: ct))).ToList();
        }
        var total = new SweepResult(0, 0);
        foreach (var id in ids)
        {
            SweepResult one;
            try
            {
                one = await SweepAsync(now, 1, ct, quiet, stage: null, only: id);
            }
            catch (Exception ex) when (Incidents.IsSubjectFault(ex, ct))
            {
                one = await QuarantineAloneAsync(id, now, ex, ct);
            }
            total = new SweepResult(total.Fired + one.Fired, total.Deferred + one.Deferred, total.Quarantined + one.Quarantined);
        }
        return total;
    }

    private async Task<SweepResult> QuarantineAloneAsync(long timerId, DateTimeOffset now, Exception error, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var timer = await connection.QuerySingleOrDefaultAsync<TimerRow>(new CommandDefinition(
            $"{ClaimColumns} where id = @timerId for update skip locked", new { timerId }, tx, cancellationToken: ct));
        if (timer is null)
        {
            // Gone meanwhile (its subject's event replaced it) or another node holds it: nothing to quarantine.
            await tx.CommitAsync(ct);
            return new SweepResult(0, 1);
        }
        await QuarantineAsync(connection, tx, [(timer, error)], now, ct);
        await tx.CommitAsync(ct);
        return new SweepResult(0, 0, 1);
    }

    private const string ClaimColumns =
        "select id, due_at as DueAt, subject_kind as SubjectKind, subject_id as SubjectId, campaign_id as CampaignId, cycle, step from timers";

    /// <param name="only">One timer (an operator's retry or the isolation of a failed batch): claimed even when quarantined.</param>
    private async Task<SweepResult> SweepAsync(DateTimeOffset now, int batchSize, CancellationToken ct, bool quiet, Staging? stage, long? only)
    {
        var claimUntil = stage?.Until.ToUniversalTime() ?? now;
        var started = Stopwatch.GetTimestamp();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var claim = only is null
            ? $"{ClaimColumns} where due_at <= @claimUntil and not quarantined order by due_at, id limit @batchSize for update skip locked"
            : $"{ClaimColumns} where id = @only and due_at <= @claimUntil for update skip locked";
        var timers = (await connection.QueryAsync<TimerRow>(new CommandDefinition(claim, new { claimUntil, batchSize, only }, tx, cancellationToken: ct))).ToList();
        if (timers.Count == 0)
        {
            await tx.CommitAsync(ct);
            return new SweepResult(0, 0);
        }
        // A staged batch fires at the due time of its last timer: that is the "now" its effects are written with.
        var fireAt = stage is null ? now : new[] { now, timers.Max(t => t.Due) }.Max();
        now = fireAt;

        var items = await LockAsync<ItemSubject>(connection, tx, ItemSubject.Select, "i", SubjectIds(timers, "item"), i => i.Id, ct);
        var deliverables = await LockAsync<DeliverableSubject>(connection, tx, DeliverableSubject.Select, "d", SubjectIds(timers, "deliverable"), d => d.Id, ct);
        var campaignIds = timers.Where(t => t.SubjectKind == "campaign").Select(t => t.SubjectId).Distinct().ToArray();
        var campaigns = campaignIds.Length == 0 ? [] : (await connection.QueryAsync<CampaignSubject>(new CommandDefinition(
            $"{CampaignSubject.Select} where c.id = any(@campaignIds)", new { campaignIds }, tx, cancellationToken: ct))).ToDictionary(c => c.Id);
        var campaignUnits = await CampaignUnitsAsync(connection, tx, campaignIds, ct);

        var snapshot = await calendar.GetAsync(connection, ct, tx);
        var workflows = new Dictionary<(string, int), WorkflowDefinition>();
        foreach (var key in items.Values.Select(i => (i.WorkflowId, i.WorkflowVersion))
                     .Concat(deliverables.Values.Select(d => (d.WorkflowId, d.WorkflowVersion)))
                     .Concat(campaigns.Values.Select(c => (c.WorkflowId, c.WorkflowVersion))).Distinct())
        {
            // A version that does not load is its subjects' fault, found when each of them fires (below).
            if (await definitions.GetAsync(connection, key.Item1, key.Item2, ct) is { } stored) workflows[key] = stored.Definition;
        }
        WorkflowDefinition Workflow(string id, int version) => workflows.TryGetValue((id, version), out var w) ? w
            : throw new InvalidOperationException($"流程定义 {id} 第 {version} 版不存在或无法读取 / workflow definition {id} v{version} is missing");
        var units = items.Values.SelectMany(i => i.Units.Append(i.LeadUnit).Append(i.IssuedByUnit).Append(i.SupervisionUnit ?? i.IssuedByUnit))
            .Concat(deliverables.Values.SelectMany(d => new[] { d.UnitCode, d.IssuedByUnit, d.SupervisionUnit ?? d.IssuedByUnit }))
            .Concat(campaignUnits.Values.SelectMany(u => u));
        var contacts = await ContactDirectory.LoadAsync(connection, tx, units, ct);

        var parts = await Assignment.LoadAsync(connection, tx, items.Keys, ct);
        var batch = new EffectBatch();
        var firing = new Firing(batch, snapshot, contacts, now, quiet) { Milestones = await MilestonesAsync(connection, tx, timers, ct) };
        var deferred = 0;
        var poisoned = new List<(TimerRow Timer, Exception Error)>();
        foreach (var timer in timers)
        {
            // Each timer's effects are computed in memory; one that throws takes back what it added and is quarantined,
            // so it neither rolls back nor blocks the rest of the batch.
            var mark = firing.Mark(timer.SubjectId);
            try
            {
                switch (timer.SubjectKind)
                {
                    case "item" when items.TryGetValue(timer.SubjectId, out var item):
                        firing.Item(timer, item, Workflow(item.WorkflowId, item.WorkflowVersion), parts.GetValueOrDefault(item.Id, []));
                        break;
                    case "deliverable" when deliverables.TryGetValue(timer.SubjectId, out var deliverable):
                        firing.Deliverable(timer, deliverable, Workflow(deliverable.WorkflowId, deliverable.WorkflowVersion));
                        break;
                    case "campaign" when campaigns.TryGetValue(timer.SubjectId, out var campaign):
                        firing.Phase(timer, campaign, Workflow(campaign.WorkflowId, campaign.WorkflowVersion), campaignUnits.GetValueOrDefault(campaign.Id, []));
                        break;
                    case "campaign":
                        // The campaign is gone: nothing to fire, the row just goes.
                        break;
                    default:
                        // The subject is locked by a user's event right now (or was deleted): leave the timer for the next sweep.
                        deferred++;
                        continue;
                }
            }
            catch (Exception ex) when (Incidents.IsSubjectFault(ex, ct))
            {
                firing.Rollback(mark);
                poisoned.Add((timer, ex));
                continue;
            }
            batch.FiredTimers.Add(timer.Id);
        }
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        if (poisoned.Count > 0) await QuarantineAsync(connection, tx, poisoned, now, ct);
        if (only is not null && batch.FiredTimers.Count > 0) await Incidents.ResolveTimerAsync(connection, tx, only.Value, now, ct);
        if (stage is not null)
        {
            var wait = fireAt - stage.Clock.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, stage.Clock, ct);
        }
        await tx.CommitAsync(ct);
        var committedAt = stage is null ? now + Stopwatch.GetElapsedTime(started) : stage.Clock.GetUtcNow();
        if (Lateness is { Enabled: true } histogram)
        {
            var firedIds = batch.FiredTimers.ToHashSet();
            foreach (var timer in timers.Where(t => firedIds.Contains(t.Id))) histogram.Record(Math.Max(0, (committedAt - timer.Due).TotalSeconds));
        }
        Fired?.Add(batch.FiredTimers.Count);
        if (deferred > 0) logger.LogDebug("{Deferred} due timers deferred: their subjects were busy", deferred);
        return new SweepResult(batch.FiredTimers.Count, deferred, poisoned.Count);
    }

    /// <summary>The milestones whose reminders are in this batch, by item and number.</summary>
    private static async Task<Dictionary<(Guid, int), MilestoneFact>> MilestonesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<TimerRow> timers, CancellationToken ct)
    {
        var ids = timers.Where(t => t.SubjectKind == "item" && t.Step.StartsWith(Firing.MilestonePrefix, StringComparison.Ordinal)).Select(t => t.SubjectId).Distinct().ToArray();
        if (ids.Length == 0) return [];
        var rows = await connection.QueryAsync<(Guid ItemId, int Seq, DateOnly Date, string Text, bool Done, int Revision)>(new CommandDefinition(
            "select item_id, seq, date, text, done_at is not null, revision from item_milestones where item_id = any(@ids)", new { ids }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => (r.ItemId, r.Seq), r => new MilestoneFact(r.Date, r.Text, r.Done, r.Revision));
    }

    /// <summary>Marks the timers quarantined (the sweep no longer claims them) and opens or updates their incidents.</summary>
    private async Task QuarantineAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<(TimerRow Timer, Exception Error)> poisoned, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var (timer, error) in poisoned)
        {
            logger.LogError(error, "Timer {TimerId} ({Kind} {Subject}, step {Step}) threw and is quarantined; the other timers go on",
                timer.Id, timer.SubjectKind, timer.SubjectId, timer.Step);
        }
        await connection.ExecuteAsync(new CommandDefinition("update timers set quarantined = true where id = any(@ids)",
            new { ids = poisoned.Select(p => p.Timer.Id).ToArray() }, tx, cancellationToken: ct));
        await Incidents.OpenTimersAsync(connection, tx, poisoned, now, ct);
    }

    /// <summary>Sweeps until nothing due at <paramref name="now"/> is left (what the controllable clock waits for).</summary>
    public async Task<int> DrainAsync(DateTimeOffset now, CancellationToken ct, bool quiet = false)
    {
        var total = 0;
        while (true)
        {
            var result = await SweepOnceAsync(now, DefaultBatchSize, ct, quiet);
            total += result.Fired;
            if (result.Idle) return total;
            // Only deferred rows left: their items are busy with an event; give that transaction a moment to finish.
            if (result.Fired == 0 && result.Quarantined == 0) await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>The earliest pending due time, or null when no timer is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(
            new CommandDefinition("select min(due_at) from timers where not quarantined", cancellationToken: ct));
    }

    private static Guid[] SubjectIds(List<TimerRow> timers, string kind) =>
        timers.Where(t => t.SubjectKind == kind).Select(t => t.SubjectId).Distinct().ToArray();

    private static async Task<Dictionary<Guid, T>> LockAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction tx, string select, string alias, Guid[] ids, Func<T, Guid> key, CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        var sql = $"{select} where {alias}.id = any(@ids) for update of {alias} skip locked";
        var rows = await connection.QueryAsync<T>(new CommandDefinition(sql, new { ids }, tx, cancellationToken: ct));
        return rows.ToDictionary(key);
    }

    private static async Task<Dictionary<Guid, string[]>> CampaignUnitsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] campaignIds, CancellationToken ct)
    {
        if (campaignIds.Length == 0) return [];
        const string sql = """
            select campaign_id, array_agg(distinct u) from (
                select campaign_id, unnest(array[lead_unit] || units) as u from items where campaign_id = any(@campaignIds)
            ) x group by campaign_id
            """;
        var rows = await connection.QueryAsync<(Guid, string[])>(new CommandDefinition(sql, new { campaignIds }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }
}
