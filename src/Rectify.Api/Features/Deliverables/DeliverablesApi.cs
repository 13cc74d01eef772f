using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Deliverables;

public sealed record DeliverableDto(
    Guid Id, Guid CampaignId, string Kind, string UnitCode, DateOnly DueDate, string State, string EscalationLevel,
    int Version, int OverdueDays, IReadOnlyList<string> AllowedEvents);

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

    public static async Task<Ok<Page<DeliverableDto>>> List(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, Guid? campaignId, string? unit, string? state, int? page, int? pageSize, CancellationToken ct)
    {
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
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, campaignId, unitFilter = unit, state, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<DeliverableSubject>();
        return TypedResults.Ok(new Page<DeliverableDto>(rows.Select(r => ToDto(r, user, clock.GetUtcNow())).ToList(), total));
    }

    public static async Task<Results<Ok<DeliverableDto>, ProblemHttpResult>> Get(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await FindAsync(connection, id, user, ct);
        return row is null ? Problems.NotFound("材料") : TypedResults.Ok(ToDto(row, user, clock.GetUtcNow()));
    }

    public static async Task<Results<Ok<DeliverableDto>, ValidationProblem, ProblemHttpResult>> SendEvent(
        Guid id, EventBody body, HttpContext http, NpgsqlDataSource db, DeliverableService service, TimeProvider clock, CancellationToken ct)
    {
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
            EventApplied => TypedResults.Ok(ToDto((await FindAsync(connection, id, user, ct))!, user, clock.GetUtcNow())),
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
        return await RuntimeApi.StoreAttachmentsAsync(http, connection, user, null, id, clock.GetUtcNow(), ct);
    }

    private static async Task<DeliverableSubject?> FindAsync(NpgsqlConnection connection, Guid id, CurrentUser user, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<DeliverableSubject>(new CommandDefinition(
            $"{DeliverableSubject.Select} where d.id = @id and {Visible}", new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));

    private static DeliverableDto ToDto(DeliverableSubject d, CurrentUser user, DateTimeOffset now)
    {
        var today = LocalTime.Date(now, d.Zone);
        var overdue = d.IsOpen && today > d.DueDate ? today.DayNumber - d.DueDate.DayNumber : 0;
        return new DeliverableDto(d.Id, d.CampaignId, d.Kind, d.UnitCode, d.DueDate, d.State, d.EscalationLevel, d.Version, overdue,
            DeliverableService.AllowedEvents(ItemAllowedEvents.Actor(user), d));
    }
}
