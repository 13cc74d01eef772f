using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Runtime;

public sealed record TimelineNotification(long Id, string Kind, string? Level, Guid? PersonId, string? PersonName, string Channel, string Status, DateTimeOffset NotBefore, DateTimeOffset? SentAt);

/// <summary>
/// One journal entry; <c>at</c> is in the campaign's local time (with its offset). <c>title</c> / <c>titleEn</c> say what
/// happened in words; <c>bookkeeping</c> marks system entries (skipped or superseded steps) a person sees folded.
/// </summary>
public sealed record TimelineEntry(
    long Id, DateTimeOffset At, string Actor, string Type, string? FromState, string? ToState, string? Note, JsonElement Data,
    IReadOnlyList<TimelineNotification> Notifications, string Title = "", string TitleEn = "", bool Bookkeeping = false);

/// <summary>An item's history (GET /api/items/{id}/timeline).</summary>
public static class TimelineApi
{
    public static IEndpointRouteBuilder MapTimelineApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/items/{id:guid}/timeline", Timeline).WithTags("Items").RequireAuthorization();
        return app;
    }

    /// <summary>The item's timeline (<see cref="ItemQueries.TimelineAsync"/>), if the caller may see the item.</summary>
    public static async Task<Results<Ok<IReadOnlyList<TimelineEntry>>, ProblemHttpResult>> Timeline(
        Guid id, HttpContext http, NpgsqlDataSource db, DefinitionStore definitions, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (item is null) return Problems.NotFound("问题");
        return TypedResults.Ok(await ItemQueries.TimelineAsync(connection, item, definitions, ct));
    }
}
