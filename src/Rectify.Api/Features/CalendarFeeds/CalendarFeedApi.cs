using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.CalendarFeeds;

public sealed record FeedSubscription(bool Subscribed, DateTimeOffset? CreatedAt, string? Url);

/// <summary>
/// Deadline calendars (RFC 5545) per unit and per person. Readable with the usual bearer token or cookie, or, for
/// calendar apps that cannot sign in, with the secret <c>?token=</c> of a subscription URL that the unit itself or an
/// administrator creates, rotates and revokes.
/// </summary>
public static class CalendarFeedApi
{
    public static IEndpointRouteBuilder MapCalendarFeedApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Calendar feeds");
        group.MapGet("/units/{code}/deadlines.ics", UnitFeed).AllowAnonymous();
        group.MapGet("/people/{id:guid}/deadlines.ics", PersonFeed).AllowAnonymous();
        group.MapGet("/units/{code}/calendar-feed", (string code, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            Subscription(FeedTokens.Unit, code, http, db, ct)).RequireAuthorization();
        group.MapPost("/units/{code}/calendar-feed", (string code, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
            Rotate(FeedTokens.Unit, code, http, db, clock, ct)).RequireAuthorization();
        group.MapDelete("/units/{code}/calendar-feed", (string code, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            Revoke(FeedTokens.Unit, code, http, db, ct)).RequireAuthorization();
        group.MapGet("/people/{id:guid}/calendar-feed", (Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            Subscription(FeedTokens.Person, id.ToString(), http, db, ct)).RequireAuthorization();
        group.MapPost("/people/{id:guid}/calendar-feed", (Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
            Rotate(FeedTokens.Person, id.ToString(), http, db, clock, ct)).RequireAuthorization();
        group.MapDelete("/people/{id:guid}/calendar-feed", (Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            Revoke(FeedTokens.Person, id.ToString(), http, db, ct)).RequireAuthorization();
        return app;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnitFeed(
        string code, string? token, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var name = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("select name from units where code = @code", new { code }, cancellationToken: ct));
        if (name is null) return Problems.NotFound("单位");
        var (scope, refusal) = await ScopeAsync(connection, FeedTokens.Unit, code, token, http, ct);
        if (scope is null) return refusal!;
        var events = await FeedQueries.ItemEventsAsync(connection, scope, code, null, ct);
        events.AddRange(await FeedQueries.DeliverableEventsAsync(connection, scope, code, ct));
        return Calendar($"{name} 整改时限", events.OrderBy(e => e.Date).ToList(), clock);
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> PersonFeed(
        Guid id, string? token, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var name = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("select name from people where id = @id", new { id }, cancellationToken: ct));
        if (name is null) return Problems.NotFound("人员");
        var (scope, refusal) = await ScopeAsync(connection, FeedTokens.Person, id.ToString(), token, http, ct);
        if (scope is null) return refusal!;
        var events = await FeedQueries.ItemEventsAsync(connection, scope, null, id, ct);
        return Calendar($"{name} 负责的整改时限", events, clock);
    }

    /// <summary>
    /// A valid token sees what the subject itself would: a unit its own items, a person the items he or she leads.
    /// A signed-in caller sees the subject's deadlines within its own visibility; a unit account only its own feed.
    /// </summary>
    private static async Task<(FeedScope? Scope, ProblemHttpResult? Refusal)> ScopeAsync(
        NpgsqlConnection connection, string kind, string subjectId, string? token, HttpContext http, CancellationToken ct)
    {
        if (token is not null)
        {
            if (!await FeedTokens.IsValidAsync(connection, kind, subjectId, token, ct))
                return (null, TypedResults.Problem(statusCode: 401, title: "订阅链接无效 / Invalid feed token", detail: "订阅链接已失效或已更换，请重新获取。"));
            return (kind == FeedTokens.Unit ? new FeedScope(Roles.Unit, subjectId) : new FeedScope(Roles.Admin, null), null);
        }
        if (http.User.Identity?.IsAuthenticated != true || http.User.FindFirstValue(ClaimTypes.NameIdentifier) is null)
            return (null, TypedResults.Problem(statusCode: 401, title: "未登录或登录已失效 / Unauthorized", detail: "请登录，或使用带 token 的订阅链接。"));
        var user = CurrentUser.From(http.User);
        if (user.IsAdmin) return (new FeedScope(Roles.Admin, null), null);
        if (kind == FeedTokens.Person && user.PersonId?.ToString() == subjectId) return (new FeedScope(Roles.Admin, null), null);
        if (user.IsUnit && !(kind == FeedTokens.Unit && user.UnitCode == subjectId))
            return (null, Problems.Forbidden("只能查看本单位或本人的整改时限日历 / only your own unit's or your own feed"));
        return (new FeedScope(user.Role, user.UnitCode), null);
    }

    private static ContentHttpResult Calendar(string name, IReadOnlyList<IcsEvent> events, TimeProvider clock) =>
        TypedResults.Content(IcsWriter.Calendar(name, "Asia/Shanghai", clock.GetUtcNow(), events), IcsWriter.ContentType);

    /// <summary>The subject's own account (its unit, or the person's user) or an administrator manages its subscription URL.</summary>
    public static async Task<Results<Ok<FeedSubscription>, ProblemHttpResult>> Subscription(
        string kind, string subjectId, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (!FeedQueries.MayManage(user, kind, subjectId)) return NotYours();
        await using var connection = await db.OpenConnectionAsync(ct);
        return await FeedQueries.SubscriptionAsync(connection, user, kind, subjectId, ct) is { } subscription
            ? TypedResults.Ok(subscription)
            : Problems.NotFound(Subject(kind));
    }

    public static async Task<Results<Ok<FeedSubscription>, ProblemHttpResult>> Rotate(
        string kind, string subjectId, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var origin = FeedCommands.Origin(http.Request);
        var outcome = await FeedCommands.RotateAsync(db, clock, kind, subjectId, origin, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string kind, string subjectId, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        (await FeedCommands.RevokeAsync(db, kind, subjectId, CurrentUser.From(http.User), ct)).OrNoContent();

    private static ProblemHttpResult NotYours() => Problems.Forbidden("只有本单位、本人或管理员可以管理订阅链接 / not your feed");

    private static string Subject(string kind) => kind == FeedTokens.Unit ? "单位" : "人员";
}
