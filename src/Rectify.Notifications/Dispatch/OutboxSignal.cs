using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// Wakes the dispatcher when rows are enqueued anywhere in the cluster: LISTEN rectify_outbox on one connection
/// (the outbox insert trigger NOTIFYs once per statement). Losing the connection only costs latency: the dispatcher
/// also wakes at the next due time and at least every IdlePoll.
/// </summary>
public sealed class OutboxSignal(NpgsqlDataSource db, ILogger<OutboxSignal> logger)
{
    public const string ChannelName = "rectify_outbox";
    private readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Wakes a waiting dispatcher on this node (e.g. after a retry was requested here).</summary>
    public void Poke()
    {
        if (wake.CurrentCount > 0) return;
        try { wake.Release(); }
        catch (SemaphoreFullException) { /* already awake: one pending wake-up is enough */ }
    }

    /// <summary>Waits for a NOTIFY, a poke, or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero) return;
        await wake.WaitAsync(timeout, ct);
    }

    /// <summary>Runs the LISTEN loop until stopped, reconnecting after failures.</summary>
    public async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => Poke();
                await using (var listen = new NpgsqlCommand($"listen {ChannelName}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                // Rows may have been enqueued while we were not listening.
                Poke();
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Outbox LISTEN connection lost; reconnecting");
                try { await Task.Delay(TimeSpan.FromSeconds(2), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
