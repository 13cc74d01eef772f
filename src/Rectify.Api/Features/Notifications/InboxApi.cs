using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Notifications;

public sealed record InboxMessageDto(
    long Id, long OutboxId, string Kind, string? Level, Guid? CampaignId, Guid? ItemId, string Subject, string Body, string? Link,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record InboxPage(IReadOnlyList<InboxMessageDto> Items, long Total, long Unread);

/// <summary>The signed-in user's in-app inbox (the inbox channel): list, mark one or all read.</summary>
public static class InboxApi
{
    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inbox").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/{id:long}/read", MarkRead);
        group.MapPost("/read-all", MarkAllRead);
        return app;
    }

    private sealed record Row(
        long Id, long OutboxId, string Kind, string? Level, Guid? CampaignId, Guid? ItemId, string Subject, string Body, string? Link,
        DateTime CreatedAt, DateTime? ReadAt)
    {
        public InboxMessageDto ToDto() => new(Id, OutboxId, Kind, Level, CampaignId, ItemId, Subject, Body, Link,
            new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
            ReadAt is { } r ? new DateTimeOffset(DateTime.SpecifyKind(r, DateTimeKind.Utc)) : null);
    }

    private const string Columns = """
        id, outbox_id as OutboxId, kind, level, campaign_id as CampaignId, item_id as ItemId, subject, body, link,
        created_at as CreatedAt, read_at as ReadAt
        """;

    public static async Task<Ok<InboxPage>> List(HttpContext http, NpgsqlDataSource db, bool? unread, int? page, int? pageSize, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user.PersonId is not { } person) return TypedResults.Ok(new InboxPage([], 0, 0));
        var paging = Paging.From(page, pageSize);
        const string where = "where person_id = @person and (@unread::boolean is null or (read_at is null) = @unread)";
        const string sql = $"""
            select count(*) from inbox_messages {where};
            select count(*) from inbox_messages where person_id = @person and read_at is null;
            select {Columns} from inbox_messages {where} order by id desc limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { person, unread, limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var unreadCount = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return TypedResults.Ok(new InboxPage(rows.Select(r => r.ToDto()).ToList(), total, unreadCount));
    }

    public static async Task<Results<Ok<InboxMessageDto>, ProblemHttpResult>> MarkRead(
        long id, HttpContext http, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user.PersonId is not { } person) return Problems.NotFound("消息");
        const string sql = $"""
            update inbox_messages set read_at = coalesce(read_at, @now) where id = @id and person_id = @person
            returning {Columns}
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id, person, now = wall.GetUtcNow() }, cancellationToken: ct));
        return row is null ? Problems.NotFound("消息") : TypedResults.Ok(row.ToDto());
    }

    public static async Task<Ok<InboxPage>> MarkAllRead(HttpContext http, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user.PersonId is { } person)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "update inbox_messages set read_at = @now where person_id = @person and read_at is null",
                new { person, now = wall.GetUtcNow() }, cancellationToken: ct));
        }
        return await List(http, db, null, 1, 50, ct);
    }
}
