using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.CalendarFeeds;

/// <summary>
/// Making, replacing and revoking a calendar subscription URL, shared by the API (<c>POST</c>/<c>DELETE
/// /api/units/{code}/calendar-feed</c>, <c>…/api/people/{id}/calendar-feed</c>) and the calendar-feed screen (issue 18:
/// pages call commands, not endpoint handlers). The subject's own account (its unit, or the person's user) or an
/// administrator manages it (<see cref="FeedQueries.MayManage"/>); anyone else gets a 403.
/// </summary>
public static class FeedCommands
{
    /// <summary>A new secret URL (the old one stops working at once), under <paramref name="origin"/>
    /// (<c>https://host/base</c>, what the caller reached); 403 when not the actor's feed, 404 when the subject does not
    /// exist.</summary>
    public static async Task<Outcome<FeedSubscription>> RotateAsync(
        NpgsqlDataSource db, TimeProvider clock, string kind, string subjectId, string origin, CurrentUser actor, CancellationToken ct)
    {
        if (!FeedQueries.MayManage(actor, kind, subjectId)) return NotYours();
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await FeedQueries.SubjectExistsAsync(connection, kind, subjectId, ct)) return Refusal.NotFound(Subject(kind));
        var (token, at) = await FeedTokens.RotateAsync(connection, kind, subjectId, actor.UserName, clock.GetUtcNow(), ct);
        var path = kind == FeedTokens.Unit
            ? $"/api/units/{Uri.EscapeDataString(subjectId)}/deadlines.ics"
            : $"/api/people/{subjectId}/deadlines.ics";
        return new FeedSubscription(true, at, $"{origin}{path}?token={token}");
    }

    /// <summary>The subscription URL stops working (null); 403 when not the actor's feed, 404 when there is none.</summary>
    public static async Task<Refusal?> RevokeAsync(
        NpgsqlDataSource db, string kind, string subjectId, CurrentUser actor, CancellationToken ct)
    {
        if (!FeedQueries.MayManage(actor, kind, subjectId)) return NotYours();
        await using var connection = await db.OpenConnectionAsync(ct);
        return await FeedTokens.RevokeAsync(connection, kind, subjectId, ct) ? null : Refusal.NotFound("订阅链接");
    }

    /// <summary>The origin a subscription URL starts with: the scheme, host and path base the request came to.</summary>
    public static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static Refusal NotYours() => Refusal.Forbidden("只有本单位、本人或管理员可以管理订阅链接 / not your feed");

    private static string Subject(string kind) => kind == FeedTokens.Unit ? "单位" : "人员";
}
