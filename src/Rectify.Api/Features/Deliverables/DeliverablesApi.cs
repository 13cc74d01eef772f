using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
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
    private const string Visible = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and (c.issued_by_unit = @unit or d.unit_code = @unit))
         or (@role = 'supervisor' and (c.supervision_unit = @unit or d.unit_code = @unit))
         or (@role = 'unit' and d.unit_code = @unit))
        """;

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
        var (campaignId, unit, state, page, pageSize) = query;
        var user = CurrentUser.From(http.User);
        var paging = Paging.From(page, pageSize);
        const string where = $"""
            where {Visible} and (@campaignId::uuid is null or d.campaign_id = @campaignId)
              and (@unitFilter::text is null or d.unit_code = @unitFilter) and (@state::text is null or d.state = @state)
            """;
        const string sql = $"""
            select count(*) from deliverables d join campaigns c on c.id = d.campaign_id {where};
            {DeliverableSubject.Select} {where} order by d.due_date, d.kind, d.unit_code limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        long total;
        List<DeliverableSubject> rows;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, campaignId, unitFilter = unit, state, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct)))
        {
            total = await grid.ReadSingleAsync<long>();
            rows = (await grid.ReadAsync<DeliverableSubject>()).ToList();
        }
        var dtos = new List<DeliverableDto>(rows.Count);
        foreach (var r in rows) dtos.Add(ToDto(r, user, clock.GetUtcNow(), await NameAsync(connection, definitions, r, ct)));
        return TypedResults.Ok(new Page<DeliverableDto>(dtos, total));
    }

    public static async Task<Results<Ok<DeliverableDto>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await FindAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("材料");
        return TypedResults.Ok(await WithFilesAsync(connection, ToDto(row, user, clock.GetUtcNow(), await NameAsync(connection, definitions, row, ct)), row, ct));
    }

    /// <summary>The deliverable's name as its campaign's definition version calls it (单位整改方案 …).</summary>
    private static async Task<string> NameAsync(NpgsqlConnection connection, DefinitionStore definitions, DeliverableSubject d, CancellationToken ct) =>
        (await definitions.GetAsync(connection, d.WorkflowId, d.WorkflowVersion, ct))?.Definition.DeliverableList.FirstOrDefault(x => x.Key == d.Kind)?.Name ?? d.Kind;

    /// <summary>The files and the history of one deliverable (issue 13: what was submitted can be opened by the reviewer).</summary>
    private static async Task<DeliverableDto> WithFilesAsync(NpgsqlConnection connection, DeliverableDto dto, DeliverableSubject d, CancellationToken ct)
    {
        const string sql = """
            select id, file_name as FileName, size, sha256, content_type as ContentType, uploaded_at as UploadedAt, uploaded_by as UploadedBy
            from attachments where deliverable_id = @id order by uploaded_at, id;
            select at, actor, type, from_state as FromState, to_state as ToState, note, coalesce(data->'attachmentIds', '[]'::jsonb)::text as Files
            from journal where deliverable_id = @id order by id;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { d.Id }, cancellationToken: ct));
        var zone = d.Zone;
        static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
        var files = (await grid.ReadAsync<(Guid Id, string FileName, long Size, string Sha256, string ContentType, DateTime UploadedAt, string UploadedBy)>())
            .Select(f => new AttachmentDto(f.Id, SafeText.Strip(f.FileName), f.Size, f.Sha256, f.ContentType, LocalTime.InZone(Utc(f.UploadedAt), zone), f.UploadedBy))
            .ToList();
        var history = (await grid.ReadAsync<(DateTime At, string Actor, string Type, string? FromState, string? ToState, string? Note, string Files)>())
            .Select(h => new DeliverableStep(LocalTime.InZone(Utc(h.At), zone), h.Actor, h.Type, h.FromState, h.ToState, h.Note,
                System.Text.Json.JsonSerializer.Deserialize<List<Guid>>(h.Files) ?? []))
            .ToList();
        return dto with { Files = files, History = history };
    }

    public static async Task<Results<Ok<DeliverableDto>, ValidationProblem, ProblemHttpResult>> SendEvent(
        Guid id, EventBody body, [AsParameters] ApiRequest api, DeliverableService service, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var type = v.OneOf("type", body.Type, DeliverableEvents.All);
        var note = v.OptionalMultiline("note", body.Note, 5000);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await FindAsync(connection, id, user, ct) is null) return Problems.NotFound("材料");
        var outcome = await service.ApplyAsync(id, ItemAllowedEvents.Actor(user), new EventRequest(type!, note, null, body.AttachmentIds ?? [], body.ExpectedVersion), clock.GetUtcNow(), ct);
        return outcome switch
        {
            EventApplied when await FindAsync(connection, id, user, ct) is { } after =>
                TypedResults.Ok(ToDto(after, user, clock.GetUtcNow(), await NameAsync(connection, definitions, after, ct))),
            EventConflict c => Problems.Conflict($"材料已被他人修改（当前版本 {c.CurrentVersion}），请刷新后重试 / version mismatch"),
            EventRefused r => Problems.Unprocessable(r.Message, r.Field),
            _ => Problems.NotFound("材料"),
        };
    }

    public static async Task<IResult> Upload(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await FindAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("材料");
        if (!user.IsAdmin && user.UnitCode != row.UnitCode) return Problems.Forbidden("只有报送单位可以上传 / only the owning unit may upload");
        return await AttachmentsApi.StoreAttachmentsAsync(http, connection, user, null, id, clock.GetUtcNow(), ct);
    }

    private static async Task<DeliverableSubject?> FindAsync(NpgsqlConnection connection, Guid id, CurrentUser user, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<DeliverableSubject>(new CommandDefinition(
            $"{DeliverableSubject.Select} where d.id = @id and {Visible}", new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));

    private static DeliverableDto ToDto(DeliverableSubject d, CurrentUser user, DateTimeOffset now, string? name = null)
    {
        var today = LocalTime.Date(now, d.Zone);
        var overdue = d.IsOpen && today > d.DueDate ? today.DayNumber - d.DueDate.DayNumber : 0;
        return new DeliverableDto(d.Id, d.CampaignId, d.Kind, d.UnitCode, d.DueDate, d.State, d.EscalationLevel, d.Version, overdue,
            DeliverableService.AllowedEvents(ItemAllowedEvents.Actor(user), d), name ?? d.Kind, d.CampaignTitle);
    }
}
