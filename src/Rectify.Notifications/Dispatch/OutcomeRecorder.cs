using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// Writes outcomes back as they arrive, many per statement: sends finish one by one, but the log is written in
/// batches so a busy node does not pay one transaction per message. A write that fails is retried; if the node dies
/// first, the rows come back when their lease ends and are sent again (at least once to the channel).
/// </summary>
public sealed class OutcomeRecorder(OutboxStore store, OutboxSignal signal, ILogger logger)
{
    private const int MaxBatch = 500;
    private readonly Channel<Outcome> queue = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask WriteAsync(Outcome outcome) => queue.Writer.WriteAsync(outcome);

    /// <summary>No more outcomes will come; RunAsync returns once everything queued is written.</summary>
    public void Complete() => queue.Writer.TryComplete();

    /// <summary>
    /// Writes until <see cref="Complete"/> and everything queued is written. Deliberately without a cancellation token:
    /// on shutdown the outcomes of sends that already happened must still reach the log.
    /// </summary>
    public async Task RunAsync()
    {
        var batch = new List<Outcome>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var outcome)) batch.Add(outcome);
            await WriteWithRetryAsync(batch);
            // A row failed or was deferred for a short while: make sure an idle dispatcher looks again in time.
            if (batch.Any(o => o.Kind is OutcomeKind.Failed or OutcomeKind.Deferred)) signal.Poke();
        }
    }

    private async Task WriteWithRetryAsync(IReadOnlyList<Outcome> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await store.CompleteAsync(batch, timeout.Token);
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException)
            {
                if (attempt >= 5)
                {
                    logger.LogError(ex, "Could not record {Count} outbox outcomes; the rows will be retried when their lease ends", batch.Count);
                    return;
                }
                logger.LogWarning(ex, "Recording outbox outcomes failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
