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
public sealed record TimerRow(long Id, DateTime DueAt, string SubjectKind, Guid SubjectId, Guid CampaignId, int Cycle, string Step)
{
    public DateTimeOffset Due => new(DateTime.SpecifyKind(DueAt, DateTimeKind.Utc));
}

/// <summary>Pre-staged firing: claim what is due up to <paramref name="Until"/>, commit when it is due, by <paramref name="Clock"/>.</summary>
public sealed record Staging(DateTimeOffset Until, TimeProvider Clock);

/// <summary>What one sweep did: timers fired (deleted with their effects), timers left because their subject was busy.</summary>
public sealed record SweepResult(int Fired, int Deferred);

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

    /// <summary>Milliseconds from a timer's due time to the commit of the transaction that fired it.</summary>
    private Histogram<double>? Lateness => lateness ??= meter?.CreateHistogram<double>("rectify.timers.lateness", "ms", "due time to commit of its firing");

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
        var claimUntil = stage?.Until.ToUniversalTime() ?? now;
        var started = Stopwatch.GetTimestamp();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string claim = """
            select id, due_at as DueAt, subject_kind as SubjectKind, subject_id as SubjectId, campaign_id as CampaignId, cycle, step
            from timers where due_at <= @claimUntil
            order by due_at, id
            limit @batchSize
            for update skip locked
            """;
        var timers = (await connection.QueryAsync<TimerRow>(new CommandDefinition(claim, new { claimUntil, batchSize }, tx, cancellationToken: ct))).ToList();
        if (timers.Count == 0)
        {
            await tx.CommitAsync(ct);
            return new SweepResult(0, 0);
        }
        // A staged batch fires at the due time of its last timer: that is the "now" its effects are written with.
        var fireAt = stage is null ? now : new[] { now, timers.Max(t => t.Due) }.Max();
        now = fireAt;

        var items = await LockAsync<ItemSubject>(connection, tx, ItemSubject.Select, "i", timers, "item", i => i.Id, ct);
        var deliverables = await LockAsync<DeliverableSubject>(connection, tx, DeliverableSubject.Select, "d", timers, "deliverable", d => d.Id, ct);
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
            workflows[key] = (await definitions.GetAsync(connection, key.Item1, key.Item2, ct))!.Definition;
        }
        var units = items.Values.SelectMany(i => i.Units.Append(i.LeadUnit).Append(i.IssuedByUnit).Append(i.SupervisionUnit ?? i.IssuedByUnit))
            .Concat(deliverables.Values.SelectMany(d => new[] { d.UnitCode, d.IssuedByUnit, d.SupervisionUnit ?? d.IssuedByUnit }))
            .Concat(campaignUnits.Values.SelectMany(u => u));
        var contacts = await ContactDirectory.LoadAsync(connection, tx, units, ct);

        var parts = await Assignment.LoadAsync(connection, tx, items.Keys, ct);
        var batch = new EffectBatch();
        var firing = new Firing(batch, snapshot, contacts, now, quiet);
        var deferred = 0;
        foreach (var timer in timers)
        {
            switch (timer.SubjectKind)
            {
                case "item" when items.TryGetValue(timer.SubjectId, out var item):
                    firing.Item(timer, item, workflows[(item.WorkflowId, item.WorkflowVersion)], parts.GetValueOrDefault(item.Id, []));
                    break;
                case "deliverable" when deliverables.TryGetValue(timer.SubjectId, out var deliverable):
                    firing.Deliverable(timer, deliverable, workflows[(deliverable.WorkflowId, deliverable.WorkflowVersion)]);
                    break;
                case "campaign" when campaigns.TryGetValue(timer.SubjectId, out var campaign):
                    firing.Phase(timer, campaign, workflows[(campaign.WorkflowId, campaign.WorkflowVersion)], campaignUnits.GetValueOrDefault(campaign.Id, []));
                    break;
                case "campaign":
                    // The campaign is gone: nothing to fire, the row just goes.
                    break;
                default:
                    // The subject is locked by a user's event right now (or was deleted): leave the timer for the next sweep.
                    deferred++;
                    continue;
            }
            batch.FiredTimers.Add(timer.Id);
        }
        await batch.FlushAsync(connection, tx, outbox, now, ct);
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
            foreach (var timer in timers.Where(t => firedIds.Contains(t.Id))) histogram.Record((committedAt - timer.Due).TotalMilliseconds);
        }
        Fired?.Add(batch.FiredTimers.Count);
        if (deferred > 0) logger.LogDebug("{Deferred} due timers deferred: their subjects were busy", deferred);
        return new SweepResult(batch.FiredTimers.Count, deferred);
    }

    /// <summary>Sweeps until nothing due at <paramref name="now"/> is left (what the controllable clock waits for).</summary>
    public async Task<int> DrainAsync(DateTimeOffset now, CancellationToken ct, bool quiet = false)
    {
        var total = 0;
        while (true)
        {
            var result = await SweepOnceAsync(now, DefaultBatchSize, ct, quiet);
            total += result.Fired;
            if (result.Fired == 0 && result.Deferred == 0) return total;
            // Only deferred rows left: their items are busy with an event; give that transaction a moment to finish.
            if (result.Fired == 0) await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>The earliest pending due time, or null when no timer is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var next = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition("select min(due_at) from timers", cancellationToken: ct));
        return next is { } n ? new DateTimeOffset(DateTime.SpecifyKind(n, DateTimeKind.Utc)) : null;
    }

    private static async Task<Dictionary<Guid, T>> LockAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction tx, string select, string alias, List<TimerRow> timers, string kind, Func<T, Guid> key, CancellationToken ct)
    {
        var ids = timers.Where(t => t.SubjectKind == kind).Select(t => t.SubjectId).Distinct().ToArray();
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
