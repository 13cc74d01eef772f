using Dapper;
using Npgsql;

namespace Rectify.Api.Ui;

public sealed record SentNotification(long Id, string Kind, string? Level, string? RecipientName, string Channel, string Status, int Attempts, DateTime CreatedAt, DateTime? SentAt, string? Subject);

public sealed record EscalationRow(Guid Id, Guid CampaignId, Guid? ItemId, string Level, string? OfficeUnit, DateTime OpenedAt, DateTime? ResolvedAt, string? LetterNumber, string? Note);

/// <summary>What the item page shows besides the item: the messages sent about it and its escalations. Read-only.</summary>
public static class ItemExtras
{
    public static async Task<IReadOnlyList<SentNotification>> NotificationsAsync(NpgsqlConnection connection, Guid itemId, CancellationToken ct)
    {
        const string sql = """
            select o.id, o.kind, o.level, p.name as RecipientName, o.channel, o.status, o.attempts, o.created_at as CreatedAt, o.sent_at as SentAt, o.subject
            from outbox o left join people p on p.id = o.recipient_person_id
            where o.item_id = @itemId
            order by o.created_at desc, o.id desc
            limit 200
            """;
        return (await connection.QueryAsync<SentNotification>(new CommandDefinition(sql, new { itemId }, cancellationToken: ct))).ToList();
    }

    public static async Task<IReadOnlyList<EscalationRow>> EscalationsAsync(NpgsqlConnection connection, Guid itemId, CancellationToken ct)
    {
        const string sql = """
            select id, campaign_id as CampaignId, item_id as ItemId, level, office_unit as OfficeUnit, opened_at as OpenedAt,
                   resolved_at as ResolvedAt, letter_number as LetterNumber, note
            from escalations where item_id = @itemId order by opened_at
            """;
        return (await connection.QueryAsync<EscalationRow>(new CommandDefinition(sql, new { itemId }, cancellationToken: ct))).ToList();
    }
}
