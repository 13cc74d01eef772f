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
        var outcome = await InboxCommands.MarkReadAsync(db, wall, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }

    public static async Task<Ok<InboxPage>> MarkAllRead(
        HttpContext http, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        await InboxCommands.MarkAllReadAsync(db, wall, CurrentUser.From(http.User), ct);
        return await List(http, db, null, 1, 50, ct);
    }
}
