using Dapper;
using Npgsql;

namespace Rectify.Notifications.Channels;

/// <summary>The in-app inbox: one inbox_messages row per outbox row (a re-delivery is a no-op).</summary>
public sealed class InboxChannel(NpgsqlDataSource db) : INotificationChannel
{
    public string Name => "inbox";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        if (d.Row.RecipientPersonId is not { } person) return SendResult.Permanent("no recipient person / 无收件人");
        const string sql = """
            insert into inbox_messages(outbox_id, person_id, kind, level, campaign_id, item_id, subject, body, link, created_at)
            values (@id, @person, @kind, @level, @campaign, @item, @subject, @body, @link, @now)
            on conflict (outbox_id) do nothing
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = d.Row.Id, person, kind = d.Row.Kind, level = d.Row.Level, campaign = d.Facts.Campaign?.Id ?? d.Row.CampaignId,
            item = d.Row.ItemId, subject = d.Message.Subject, body = d.Message.Text, link = d.Message.Link, now,
        }, cancellationToken: ct));
        return SendResult.Ok;
    }
}
