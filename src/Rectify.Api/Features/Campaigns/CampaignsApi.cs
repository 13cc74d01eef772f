using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

public sealed record WorkflowRef(string? Id, int? Version);

public sealed record PhaseRequest(string? Key, string? Start, string? End);

public sealed record CampaignRequest(
    string? Title, string? DocumentNumber, string? IssuedByUnit, string? SupervisionUnit, string? TimeZone,
    WorkflowRef? Workflow, string? NoticeDate, IReadOnlyList<PhaseRequest?>? Phases);

public sealed record CampaignStats(long Total, IReadOnlyDictionary<string, long> ByState, long Overdue, long ClosedOnTime, long ClosedLate);

public sealed record CampaignDto(
    Guid Id, string Title, string? DocumentNumber, string IssuedByUnit, string? SupervisionUnit, string TimeZone,
    WorkflowRef Workflow, DateOnly? NoticeDate, IReadOnlyList<Phase> Phases, string State,
    DateTimeOffset CreatedAt, DateTimeOffset? LaunchedAt, int Version, CampaignStats Stats,
    DateTimeOffset? ClosedAt = null, string? ClosedBy = null, string? CloseNote = null);

/// <summary>Campaigns: create and edit while draft, read with live statistics.</summary>
public static class CampaignsApi
{
    public const string DefaultWorkflowId = "rectification-campaign";

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/campaigns").WithTags("Campaigns").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapGet("/{id:guid}/units", UnitScores.Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPost("/{id:guid}/close", CampaignClosing.Close);
        return app;
    }

    /// <summary>The query string of GET /api/campaigns.</summary>
    public sealed record CampaignListQuery(
        [FromQuery(Name = "state")] string? State, [FromQuery(Name = "q")] string? Q, [FromQuery(Name = "page")] int? Page,
        [FromQuery(Name = "pageSize")] int? PageSize);

    public static async Task<Ok<Page<CampaignDto>>> List(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, [AsParameters] CampaignListQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var filter = new CampaignFilter(query.State, query.Q);
        return TypedResults.Ok(await CampaignQueries.ListAsync(
            connection, CurrentUser.From(http.User), filter, Paging.From(query.Page, query.PageSize), clock.GetUtcNow(), ct));
    }

    public static async Task<Results<Ok<CampaignDto>, ProblemHttpResult>> Get(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var dto = await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct);
        return dto is null ? Problems.NotFound("整改工作") : TypedResults.Ok(dto);
    }

    public static async Task<Results<Created<CampaignDto>, ValidationProblem, ProblemHttpResult>> Create(
        CampaignRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        (await CampaignCommands.CreateAsync(db, clock, request, CurrentUser.From(http.User), ct))
            .ToResult(dto => TypedResults.Created($"/api/campaigns/{dto.Id}", dto));

    public static async Task<Results<Ok<CampaignDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, CampaignRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        (await CampaignCommands.UpdateAsync(db, clock, id, request, CurrentUser.From(http.User), ct)).ToResult(dto => TypedResults.Ok(dto));
}
