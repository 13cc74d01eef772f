using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Units;
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
public static partial class CampaignsApi
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
        CampaignRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var c = Validate(v, request, clock.GetUtcNow());
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        if (!Access.CanManageCampaign(user, c.IssuedByUnit))
            return Problems.Forbidden("领导小组办公室只能以本单位名义发起整改工作 / a leading-group office issues campaigns in its own name");

        await using var connection = await db.OpenConnectionAsync(ct);
        var refusal = await CheckReferencesAsync(connection, c, ct);
        if (refusal is not null) return refusal;
        var version = await ResolveWorkflowVersionAsync(connection, c.WorkflowId, c.WorkflowVersion, ct);
        if (version is null)
            return Problems.Unprocessable($"流程定义 {c.WorkflowId}{(c.WorkflowVersion is { } n ? $" v{n}" : "")} 不存在 / workflow definition not found", "workflow.id");

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        const string sql = """
            insert into campaigns(id, title, document_number, issued_by_unit, supervision_unit, time_zone, workflow_id, workflow_version, notice_date, phases, created_at)
            values (@id, @Title, @DocumentNumber, @IssuedByUnit, @SupervisionUnit, @TimeZone, @WorkflowId, @version, @NoticeDate, @phases::jsonb, @now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, c.Title, c.DocumentNumber, c.IssuedByUnit, c.SupervisionUnit, c.TimeZone, c.WorkflowId, version,
            c.NoticeDate, phases = JsonSerializer.Serialize(c.Phases, CampaignRow.PhaseJson), now = clock.GetUtcNow(),
        }, cancellationToken: ct));
        var dto = await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct);
        return TypedResults.Created($"/api/campaigns/{id}", dto!);
    }

    public static async Task<Results<Ok<CampaignDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, CampaignRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var c = Validate(v, request, clock.GetUtcNow());
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var existing = await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct);
        if (existing is null) return Problems.NotFound("整改工作");
        if (!Access.CanManageCampaign(user, existing.IssuedByUnit) || !Access.CanManageCampaign(user, c.IssuedByUnit))
            return Problems.Forbidden("只有发起单位可以修改整改工作 / only the issuing office may change a campaign");
        if (existing.State == CampaignStates.Closed)
            return Problems.Unprocessable("整改工作已结束归档，不能再修改 / the campaign is closed and read-only");
        if (existing.State != CampaignStates.Draft)
            return Problems.Unprocessable("整改工作已启动，不能再修改基本信息 / a launched campaign cannot be edited");
        var refusal = await CheckReferencesAsync(connection, c, ct);
        if (refusal is not null) return refusal;
        // The campaign keeps the version it was created with (docs/adr/0500-definition-governance.md) unless the request
        // names a version or another workflow.
        var pinned = c.WorkflowVersion ?? (c.WorkflowId == existing.Workflow.Id ? existing.Workflow.Version : null);
        var version = await ResolveWorkflowVersionAsync(connection, c.WorkflowId, pinned, ct);
        if (version is null) return Problems.Unprocessable($"流程定义 {c.WorkflowId} 不存在 / workflow definition not found", "workflow.id");

        const string sql = """
            update campaigns set title = @Title, document_number = @DocumentNumber, issued_by_unit = @IssuedByUnit,
                supervision_unit = @SupervisionUnit, time_zone = @TimeZone, workflow_id = @WorkflowId, workflow_version = @version,
                notice_date = @NoticeDate, phases = @phases::jsonb, version = version + 1
            where id = @id and state = 'draft'
            """;
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, c.Title, c.DocumentNumber, c.IssuedByUnit, c.SupervisionUnit, c.TimeZone, c.WorkflowId, version,
            c.NoticeDate, phases = JsonSerializer.Serialize(c.Phases, CampaignRow.PhaseJson),
        }, cancellationToken: ct));
        if (updated == 0) return Problems.Unprocessable("整改工作已启动，不能再修改基本信息 / a launched campaign cannot be edited");
        return TypedResults.Ok((await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct))!);
    }

    private static async Task<int?> ResolveWorkflowVersionAsync(NpgsqlConnection connection, string workflowId, int? version, CancellationToken ct)
    {
        const string sql = "select max(version) from workflow_definitions where id = @workflowId and (@version::int is null or version = @version)";
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(sql, new { workflowId, version }, cancellationToken: ct));
    }

    private static async Task<ProblemHttpResult?> CheckReferencesAsync(NpgsqlConnection connection, ValidCampaign c, CancellationToken ct)
    {
        var issuer = await UnitQueries.FindAsync(connection, c.IssuedByUnit, ct);
        if (issuer is null) return Problems.Unprocessable($"单位 {c.IssuedByUnit} 不存在 / unit does not exist", "issuedByUnit");
        if (c.SupervisionUnit is not null && await UnitQueries.FindAsync(connection, c.SupervisionUnit, ct) is null)
            return Problems.Unprocessable($"单位 {c.SupervisionUnit} 不存在 / unit does not exist", "supervisionUnit");
        return null;
    }
}
