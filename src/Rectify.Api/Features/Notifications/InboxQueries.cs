using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Notifications;

/// <summary>
/// The reads of the in-app inbox that the API (<c>GET /api/inbox</c>, the mark-read answers) and the inbox page share
/// (issue 18: pages call queries, not endpoint handlers).
/// </summary>
public static class InboxQueries
{
    internal sealed record Row(
        long Id, long OutboxId, string Kind, string? Level, Guid? CampaignId, Guid? ItemId, string Subject, string Body, string? Link,
        DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
    {
        public InboxMessageDto ToDto() => new(Id, OutboxId, Kind, Level, CampaignId, ItemId, Subject, Body, Link, CreatedAt, ReadAt);
    }

    internal const string Columns = """
        id, outbox_id as OutboxId, kind, level, campaign_id as CampaignId, item_id as ItemId, subject, body, link,
        created_at as CreatedAt, read_at as ReadAt
        """;

    /// <summary>A page of <paramref name="user"/>'s messages, newest first, with the unread count; none without a person.</summary>
    public static async Task<InboxPage> ListAsync(
        NpgsqlConnection connection, CurrentUser user, bool? unread, Paging paging, CancellationToken ct)
    {
        if (user.PersonId is not { } person) return new InboxPage([], 0, 0);
        const string where = "where person_id = @person and (@unread::boolean is null or (read_at is null) = @unread)";
        const string sql = $"""
            select count(*) from inbox_messages {where};
            select count(*) from inbox_messages where person_id = @person and read_at is null;
            select {Columns} from inbox_messages {where} order by id desc limit @limit offset @offset;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { person, unread, limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var unreadCount = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return new InboxPage(rows.Select(r => r.ToDto()).ToList(), total, unreadCount);
    }
}
