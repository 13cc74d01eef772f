using Dapper;
using Npgsql;

namespace Rectify.Notifications.Log;

/// <summary>One line of an item's timeline about a message: sent (or given up) to whom, on which channel, saying what.</summary>
public sealed record NotificationTimelineEntry(
    DateTimeOffset At, string Actor, string Type, string? Note, long OutboxId, string Kind, string? Level, string Channel,
    Guid? RecipientPersonId, string? RecipientName, string Status, int Attempts, string? Error);

/// <summary>
/// What was sent about an item, for its timeline (issue 4 §6): the item's journal shows the state changes, this shows
/// the messages. Sent rows at their sent time, dead rows at their last attempt; pending ones are not history yet.
/// The timeline endpoint merges these entries with the journal by time (type "notification.sent" / "notification.dead").
/// </summary>
public sealed class ItemNotificationLog(NpgsqlDataSource db)
{
    private sealed record Row(
        long Id, string Kind, string? Level, string Channel, Guid? PersonId, string? PersonName, string Status, int Attempts,
        DateTimeOffset At, string? Subject, string? LastError);

    public async Task<IReadOnlyList<NotificationTimelineEntry>> ForItemAsync(Guid itemId, CancellationToken ct)
    {
        const string sql = """
            select o.id, o.kind, o.level, o.channel, o.recipient_person_id as PersonId, p.name as PersonName, o.status, o.attempts,
                   coalesce(o.sent_at, (select max(a.at) from outbox_attempts a where a.outbox_id = o.id), o.created_at) as At,
                   o.subject, o.last_error as LastError
            from outbox o
            left join people p on p.id = o.recipient_person_id
            where o.item_id = @itemId and o.status in ('sent','dead')
            order by At, o.id
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { itemId }, cancellationToken: ct));
        return rows.Select(r => new NotificationTimelineEntry(
            r.At, "system", $"notification.{r.Status}", r.Subject, r.Id,
            r.Kind, r.Level, r.Channel, r.PersonId, r.PersonName, r.Status, r.Attempts, r.Status == "dead" ? r.LastError : null)).ToList();
    }
}
