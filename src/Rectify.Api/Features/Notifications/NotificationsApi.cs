using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;

namespace Rectify.Api.Features.Notifications;

public sealed record RecipientRef(Guid? PersonId, string? Name);

/// <summary>What a notification is about, named for a person: <c>type</c> ∈ item, deliverable, campaign, person.</summary>
public sealed record AboutRef(string Type, Guid? Id, string Name);

public sealed record NotificationDto(
    long Id, Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? EscalationId, string Kind, string? Level, RecipientRef Recipient, string Channel,
    string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset NotBefore, string? Subject,
    string? LastError, bool HeldForDigest, long? DigestedIn, AboutRef About);

/// <summary>Which rows of the notification log to list.</summary>
public sealed record NotificationFilter(
    Guid? ItemId = null, Guid? CampaignId = null, Guid? DeliverableId = null, Guid? Recipient = null, string? Status = null, string? Channel = null, string? Kind = null);

/// <summary>The notification log (GET /api/notifications) and re-queueing a dead message (POST …/{id}/retry).</summary>
public static class NotificationsApi
{
    internal static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal) { "pending", "sent", "failed", "dead" };

    /// <summary>The notification log and its retry (the inbox, preferences and letters map themselves beside it).</summary>
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/{id:long}/retry", Retry).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Results<Ok<Page<NotificationDto>>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, [AsParameters] NotificationQuery query, CancellationToken ct)
    {
        var v = new Validator();
        if (query.Status is not null) v.OneOf("status", query.Status, Statuses);
        if (query.Channel is not null) v.OneOf("channel", query.Channel, PreferencesApi.Channels);
        if (query.Kind is not null) v.Optional("kind", query.Kind, 40);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await NotificationQueries.ListAsync(connection, CurrentUser.From(http.User), query.Filter, Paging.From(query.Page, query.PageSize), ct));
    }

    /// <summary>The query string of GET /api/notifications.</summary>
    public sealed record NotificationQuery(
        Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? Recipient, string? Status, string? Channel, string? Kind, int? Page, int? PageSize)
    {
        public NotificationFilter Filter => new(ItemId, CampaignId, DeliverableId, Recipient, Status, Channel, Kind);
    }

    /// <summary>Re-queues a dead message: pending, attempt count reset, due now. Rows folded into a dead digest come back with it.</summary>
    public static async Task<Results<Ok<NotificationDto>, ProblemHttpResult>> Retry(
        long id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, AdminJournal journal, OutboxSignal signal, CancellationToken ct)
    {
        var outcome = await NotificationCommands.RetryAsync(db, clock, journal, signal, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }
}
