using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Content;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Timers;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// The outbox dispatcher; runs on every node. Claims due rows in bounded batches (FOR UPDATE SKIP LOCKED, under a
/// lease), keeps up to MaxParallel sends in flight, and records each outcome once. When idle it waits for a NOTIFY from
/// an enqueue, the next row's not_before, or IdlePoll, whichever comes first: about one query per IdlePoll at rest.
/// On stop it claims nothing new, lets sends in flight finish (each bounded by SendTimeout) and records them.
/// </summary>
public sealed class OutboxDispatcher(
    OutboxStore store, ContextLoader loader, MessageProcessor processor, OutboxSignal signal, TimeProvider clock,
    IOptions<NotificationOptions> options, IOptions<ClockOptions> clockOptions, ILogger<OutboxDispatcher> logger,
    Npgsql.NpgsqlDataSource db) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("Notification dispatcher disabled on this node (Rectify:Notifications:Enabled=false)");
            return;
        }
        var idlePoll = clockOptions.Value.Controllable && o.IdlePoll > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : o.IdlePoll;
        var listener = signal.ListenAsync(stoppingToken);
        var recorder = new OutcomeRecorder(store, signal, logger);
        var recording = recorder.RunAsync();
        var slots = new SemaphoreSlim(o.MaxParallel, o.MaxParallel);
        var inFlight = new HashSet<Task>();
        var gate = new Lock();

        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<ClaimedRow> rows = [];
            var taken = 0;
            try
            {
                await slots.WaitAsync(stoppingToken);
                taken = 1 + await GatherSlotsAsync(slots, o, stoppingToken);
                rows = await store.ClaimAsync(taken, clock.GetUtcNow(), o.Lease, stoppingToken);
                if (rows.Count < taken) slots.Release(taken - rows.Count);
                taken = 0;
                if (rows.Count == 0)
                {
                    await IdleAsync(idlePoll, stoppingToken);
                    continue;
                }
                foreach (var (batch, recipients, context) in await PrepareAsync(rows, recorder, slots, stoppingToken))
                {
                    foreach (var row in batch)
                    {
                        var recipient = row.RecipientPersonId is { } pid && recipients.TryGetValue(pid, out var r) ? r : null;
                        var task = RunOneAsync(row, recipient, context, recorder, slots);
                        lock (gate) inFlight.Add(task);
                        _ = task.ContinueWith(t => { lock (gate) inFlight.Remove(t); }, TaskScheduler.Default);
                    }
                }
                rows = [];
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (taken > 0) slots.Release(taken);
                await ReleaseQuietlyAsync(rows);
                break;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                if (taken > 0) slots.Release(taken);
                logger.LogWarning(ex, "Outbox dispatch round failed; retrying shortly");
                if (rows.Count > 0) slots.Release(rows.Count);
                await ReleaseQuietlyAsync(rows);
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }

        Task[] remaining;
        lock (gate) remaining = [.. inFlight];
        await Task.WhenAll(remaining);
        recorder.Complete();
        await recording;
        try { await listener; }
        catch (OperationCanceledException) { /* stopping */ }
    }

    /// <summary>
    /// More free slots for the same claim. While sends are in flight, waits up to 20 ms for a quarter of the slots, so a
    /// busy node claims in batches instead of one row (and four queries) per finished send.
    /// </summary>
    private static async Task<int> GatherSlotsAsync(SemaphoreSlim slots, NotificationOptions o, CancellationToken ct)
    {
        var extra = 0;
        var want = Math.Max(1, o.MaxParallel / 4);
        var window = System.Diagnostics.Stopwatch.StartNew();
        while (extra + 1 < o.BatchSize)
        {
            if (slots.Wait(0)) { extra++; continue; }
            var inFlight = o.MaxParallel - slots.CurrentCount - extra - 1;
            var left = TimeSpan.FromMilliseconds(20) - window.Elapsed;
            if (extra + 1 >= want || inFlight <= 0 || left <= TimeSpan.Zero) break;
            if (await slots.WaitAsync(left, ct)) extra++;
            else break;
        }
        return extra;
    }

    /// <summary>
    /// Loads the recipients and the context of a claimed batch. When that fails for a reason of the data (not the
    /// database), loads row by row: a row whose context does not load is recorded as crashed (an incident), the others go.
    /// </summary>
    private async Task<List<(IReadOnlyList<ClaimedRow> Rows, IReadOnlyDictionary<Guid, Recipient> Recipients, ContextLoader.Context Context)>> PrepareAsync(
        IReadOnlyList<ClaimedRow> rows, OutcomeRecorder recorder, SemaphoreSlim slots, CancellationToken ct)
    {
        async Task<(IReadOnlyList<ClaimedRow>, IReadOnlyDictionary<Guid, Recipient>, ContextLoader.Context)> Load(IReadOnlyList<ClaimedRow> some) =>
            (some, await store.RecipientsAsync(some.Where(r => r.RecipientPersonId is not null).Select(r => r.RecipientPersonId!.Value), ct),
             await loader.LoadAsync(some, ct));
        try
        {
            return [await Load(rows)];
        }
        catch (Exception ex) when (Incidents.IsSubjectFault(ex, ct))
        {
            logger.LogWarning(ex, "Loading the context of {Count} outbox rows failed; loading them one by one", rows.Count);
        }
        var prepared = new List<(IReadOnlyList<ClaimedRow>, IReadOnlyDictionary<Guid, Recipient>, ContextLoader.Context)>();
        foreach (var row in rows)
        {
            try
            {
                prepared.Add(await Load([row]));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // This row's own fault ends it as crashed; a database failure hands it back for a later round.
                if (Incidents.IsSubjectFault(ex, ct)) await CrashedAsync(row, ex, recorder);
                else await ReleaseQuietlyAsync([row]);
                slots.Release();
            }
        }
        return prepared;
    }

    private async Task CrashedAsync(ClaimedRow row, Exception ex, OutcomeRecorder recorder)
    {
        logger.LogError(ex, "Outbox row {Id} failed unexpectedly", row.Id);
        await recorder.WriteAsync(processor.Crashed(row, ex));
        try
        {
            if (row.CampaignId is { } campaign)
                await Incidents.OutboxCrashedAsync(db, row.Id, campaign, row.ItemId, ex, clock.GetUtcNow(), CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException recordError)
        {
            logger.LogWarning(recordError, "Could not record the incident of outbox row {Id}", row.Id);
        }
    }

    private async Task RunOneAsync(ClaimedRow row, Recipient? recipient, ContextLoader.Context context, OutcomeRecorder recorder, SemaphoreSlim slots)
    {
        await Task.Yield();
        try
        {
            // Not the stopping token: a send that started is finished (within SendTimeout) and recorded, even when stopping.
            var outcome = await processor.ProcessAsync(row, recipient, context, CancellationToken.None);
            await recorder.WriteAsync(outcome);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogWarning(ex, "Outbox row {Id} could not be processed; it comes back when its lease ends", row.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Bad data in one row (an unknown time zone, …) is that row's failed attempt, so it ends dead and visible
            // in the log and on /admin/incidents instead of coming back after every lease.
            await CrashedAsync(row, ex, recorder);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task IdleAsync(TimeSpan idlePoll, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var next = await store.NextDueAsync(now, ct);
        var wait = next is { } due ? due - now : idlePoll;
        if (wait > idlePoll) wait = idlePoll;
        await signal.WaitAsync(wait, ct);
    }

    private async Task ReleaseQuietlyAsync(IReadOnlyList<ClaimedRow> rows)
    {
        if (rows.Count == 0) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await store.ReleaseAsync(rows, clock.GetUtcNow(), timeout.Token);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not release {Count} claimed rows; they come back when their lease ends", rows.Count);
        }
    }
}
