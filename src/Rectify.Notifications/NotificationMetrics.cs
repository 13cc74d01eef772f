using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;

namespace Rectify.Notifications;

/// <summary>
/// The notifications' meter "Rectify.Notifications": messages sent per channel (a counter on this node:
/// rectify_notifications_sent_total{channel}) and the outbox as a whole (gauges, the same on every node:
/// rectify_outbox_pending = pending or failed and not yet sent, rectify_outbox_dead = dead letters waiting for an operator).
/// The gauges read the database at most once per <see cref="MaxAge"/>: a scrape calls <see cref="RefreshAsync"/> first,
/// so an idle node with nobody scraping pays nothing.
/// </summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "Rectify.Notifications";
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource db;
    private readonly TimeProvider wall;
    private readonly Counter<long>? sent;
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Snapshot snapshot = new(0, 0, DateTimeOffset.MinValue);

    private sealed record Snapshot(long Pending, long Dead, DateTimeOffset At);

    public NotificationMetrics(NpgsqlDataSource db, [Microsoft.Extensions.DependencyInjection.FromKeyedServices("wall")] TimeProvider wall, IMeterFactory? meters = null)
    {
        this.db = db;
        this.wall = wall;
        var meter = meters?.Create(MeterName);
        if (meter is null) return;
        sent = meter.CreateCounter<long>("rectify.notifications.sent", description: "messages delivered, by channel");
        meter.CreateObservableGauge("rectify.outbox.pending", () => Current().Pending, description: "outbox rows waiting to be sent (pending or failed)");
        meter.CreateObservableGauge("rectify.outbox.dead", () => Current().Dead, description: "outbox rows dead (retries exhausted or refused), waiting for an operator");
    }

    public void Sent(string channel) => sent?.Add(1, new KeyValuePair<string, object?>("channel", channel));

    /// <summary>Reads the outbox counts unless the last reading is younger than <see cref="MaxAge"/>.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (wall.GetUtcNow() - Volatile.Read(ref snapshot).At < MaxAge) return;
        await refreshing.WaitAsync(ct);
        try
        {
            if (wall.GetUtcNow() - snapshot.At < MaxAge) return;
            await using var c = await db.OpenConnectionAsync(ct);
            var (pending, dead) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                select (select count(*) from outbox where status in ('pending','failed')),
                       (select count(*) from outbox where status = 'dead')
                """, cancellationToken: ct));
            Volatile.Write(ref snapshot, new Snapshot(pending, dead, wall.GetUtcNow()));
        }
        finally
        {
            refreshing.Release();
        }
    }

    /// <summary>For an exporter that collects on its own schedule (OTLP): refreshes in place when stale.</summary>
    private Snapshot Current()
    {
        if (wall.GetUtcNow() - Volatile.Read(ref snapshot).At >= MaxAge * 3)
        {
            try
            {
                RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The last reading stands; the next collection tries again.
            }
        }
        return Volatile.Read(ref snapshot);
    }
}
