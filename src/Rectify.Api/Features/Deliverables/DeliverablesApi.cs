using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Deliverables;

public sealed record DeliverableDto(
    Guid Id, Guid CampaignId, string Kind, string UnitCode, DateOnly DueDate, string State, string EscalationLevel,
    int Version, int OverdueDays, IReadOnlyList<string> AllowedEvents, string Name = "", string CampaignTitle = "")
{
    /// <summary>The submitted files (one deliverable's answer only, not the list's).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AttachmentDto>? Files { get; init; }

    /// <summary>Submissions, reviews and returns, oldest first (one deliverable's answer only).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DeliverableStep>? History { get; init; }
}

/// <summary>One entry of a deliverable's history: who submitted, accepted or returned it, when, why, with which files.</summary>
public sealed record DeliverableStep(DateTimeOffset At, string Actor, string Type, string? FromState, string? ToState, string? Note, IReadOnlyList<Guid> AttachmentIds);

/// <summary>
/// What each unit owes a campaign besides its items (its plan, its report), tracked, reminded and escalated like items.
/// Extends API.md: GET /api/deliverables?campaignId=&amp;unit=&amp;state=, GET /api/deliverables/{id},
/// POST /api/deliverables/{id}/events {type: submit|accept|return, note?, attachmentIds?, expectedVersion?},
/// POST /api/deliverables/{id}/attachments.
/// </summary>
public static class DeliverablesApi
{
    public static IEndpointRouteBuilder MapDeliverablesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deliverables").WithTags("Deliverables").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/events", SendEvent);
        group.MapPost("/{id:guid}/attachments", Upload).DisableAntiforgery();
        return app;
    }

    /// <summary>The query string of GET /api/deliverables.</summary>
    public sealed record DeliverableListQuery(
        [FromQuery(Name = "campaignId")] Guid? CampaignId, [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "state")] string? State,
        [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize);

    public static async Task<Ok<Page<DeliverableDto>>> List(
        [AsParameters] DeliverableListQuery query, [AsParameters] ApiRequest api, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        await using var connection = await db.OpenConnectionAsync(ct);
        var filter = new DeliverableFilter(query.CampaignId, query.Unit, query.State);
        return TypedResults.Ok(await DeliverableQueries.ListAsync(
            connection, CurrentUser.From(http.User), filter, Paging.From(query.Page, query.PageSize), clock.GetUtcNow(), definitions, ct));
    }

    public static async Task<Results<Ok<DeliverableDto>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var user = CurrentUser.From(http.User);
        var found = await DeliverableQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), definitions, ct);
        return found is null ? Problems.NotFound("材料") : TypedResults.Ok(found);
    }

    public static async Task<Results<Ok<DeliverableDto>, ValidationProblem, ProblemHttpResult>> SendEvent(
        Guid id, EventBody body, [AsParameters] ApiRequest api, DeliverableService service, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        var sent = new DeliverableEvent(id, body);
        var outcome = await DeliverableCommands.SendEventAsync(db, clock, service, definitions, sent, CurrentUser.From(http.User), ct);
        return outcome.ToResult(dto => TypedResults.Ok(dto));
    }

    public static async Task<IResult> Upload(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        AttachmentsApi.Answer(await DeliverableCommands.UploadAsync(
            db, clock, id, UploadedFiles.From(http.Request), CurrentUser.From(http.User), ct));
}
