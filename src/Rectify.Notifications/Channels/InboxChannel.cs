using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Rectify.Notifications.Channels;

/// <summary>
/// The in-app inbox: a row in <c>inbox_messages</c>, once per outbox row. Deliveries in flight at the same moment are
/// written together (group commit): the first sender becomes the writer and inserts everything queued, one statement
/// and one commit for the lot, so a storm of inbox messages costs one durable commit per batch instead of one per message.
/// </summary>
public sealed class InboxChannel(NpgsqlDataSource db) : INotificationChannel
{
    private const int MaxBatch = 500;

    private sealed record Pending(InboxRow Row, TaskCompletionSource<SendResult> Done);

    private sealed record InboxRow(long Id, Guid Person, string Kind, string? Level, Guid? Campaign, Guid? Item, string Subject, string Body, string? Link, DateTimeOffset Now);

    private readonly ConcurrentQueue<Pending> queue = new();
    private int writing;

    public string Name => "inbox";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        if (d.Row.RecipientPersonId is not { } person) return SendResult.Permanent("no recipient person / 无收件人");
        var pending = new Pending(
            new InboxRow(d.Row.Id, person, d.Row.Kind, d.Row.Level, d.Facts.Campaign?.Id ?? d.Row.CampaignId, d.Row.ItemId,
                d.Message.Subject, d.Message.Text, d.Message.Link, now),
            new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        queue.Enqueue(pending);
        await WriteQueuedAsync();
        return await pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>Becomes the writer unless one is at work; the writer drains the queue until it finds it empty.</summary>
    private async Task WriteQueuedAsync()
    {
        while (!queue.IsEmpty && Interlocked.CompareExchange(ref writing, 1, 0) == 0)
        {
            try
            {
                while (!queue.IsEmpty)
                {
                    var batch = new List<Pending>(Math.Min(queue.Count, MaxBatch));
                    while (batch.Count < MaxBatch && queue.TryDequeue(out var p)) batch.Add(p);
                    await InsertAsync(batch);
                }
            }
            finally
            {
                Volatile.Write(ref writing, 0);
            }
            // A sender may have queued after the last drain and seen the writer still at work: look again.
        }
    }

    private async Task InsertAsync(List<Pending> batch)
    {
        const string sql = """
            insert into inbox_messages(outbox_id, person_id, kind, level, campaign_id, item_id, subject, body, link, created_at)
            select * from unnest(@ids, @people, @kinds, @levels, @campaigns, @items, @subjects, @bodies, @links, @times)
            on conflict (outbox_id) do nothing
            """;
        try
        {
            // Not tied to any one sender's cancellation: the batch carries other senders' messages too.
            await using var connection = await db.OpenConnectionAsync(CancellationToken.None);
            var rows = batch.Select(p => p.Row).ToList();
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                ids = rows.Select(r => r.Id).ToArray(), people = rows.Select(r => r.Person).ToArray(), kinds = rows.Select(r => r.Kind).ToArray(),
                levels = rows.Select(r => r.Level).ToArray(), campaigns = rows.Select(r => r.Campaign).ToArray(),
                items = rows.Select(r => r.Item).ToArray(), subjects = rows.Select(r => r.Subject).ToArray(),
                bodies = rows.Select(r => r.Body).ToArray(), links = rows.Select(r => r.Link).ToArray(), times = rows.Select(r => r.Now).ToArray(),
            }));
            foreach (var p in batch) p.Done.TrySetResult(SendResult.Ok);
        }
        catch (Exception ex)
        {
            // Every message of the batch counts a failed attempt and is retried by the dispatcher's schedule.
            foreach (var p in batch) p.Done.TrySetException(ex);
        }
    }
}
