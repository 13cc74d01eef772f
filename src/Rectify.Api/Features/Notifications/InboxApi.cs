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

    public static async Task<Ok<InboxPage>> List(HttpContext http, NpgsqlDataSource db, bool? unread, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await InboxQueries.ListAsync(
            connection, CurrentUser.From(http.User), unread, Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<InboxMessageDto>, ProblemHttpResult>> MarkRead(
        long id, HttpContext http, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user.PersonId is not { } person) return Problems.NotFound("消息");
        const string sql = $"""
            update inbox_messages set read_at = coalesce(read_at, @now) where id = @id and person_id = @person
            returning {InboxQueries.Columns}
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<InboxQueries.Row>(new CommandDefinition(sql, new { id, person, now = wall.GetUtcNow() }, cancellationToken: ct));
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
