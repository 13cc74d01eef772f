using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Escalations;

public sealed record EscalationDto(
    Guid Id, Guid? ItemId, Guid? DeliverableId, Guid CampaignId, string Level, string? Office, string? OfficeName,
    DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber, string? Note,
    string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit,
    TalkAppointmentDto? Talk = null);

/// <summary>The appointment of an admonitory talk (约谈): local time with the campaign's offset, place, attendees; revision 1 for the first setting.</summary>
public sealed record TalkAppointmentDto(DateTimeOffset At, string Place, string Attendees, int Revision);

/// <summary>
/// Escalation records (督办记录), visible like items: a unit sees those of its items and deliverables, an office those
/// of its campaigns (a supervision office also those it handles), the administrator all.
/// </summary>
public static partial class EscalationsApi
{
    private static readonly IReadOnlySet<string> Levels = EscalationLevels.Ordered.Skip(1).ToHashSet(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapEscalationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/escalations", List).WithTags("Escalations").RequireAuthorization();
        app.MapGet("/api/escalations/subjects", SupervisionInbox.List).WithTags("Escalations").RequireAuthorization();
        app.MapPost("/api/escalations/{id:guid}/talk", SetTalk).WithTags("Escalations").RequireAuthorization();
        return app;
    }

    /// <summary>The query of <c>GET /api/escalations</c>: by unit, level, open or not, campaign, item; paged.</summary>
    public sealed record EscalationFilter(
        [FromQuery(Name = "unit")] string? Unit = null, [FromQuery(Name = "level")] string? Level = null, [FromQuery(Name = "open")] bool? Open = null,
        [FromQuery(Name = "campaignId")] Guid? CampaignId = null, [FromQuery(Name = "itemId")] Guid? ItemId = null,
        [FromQuery(Name = "page")] int? Page = null, [FromQuery(Name = "pageSize")] int? PageSize = null);

    private sealed record Row(
        Guid Id, Guid? ItemId, Guid? DeliverableId, Guid CampaignId, string Level, string? Office, string? OfficeName,
        DateTime OpenedAt, DateTime? ResolvedAt, string? LetterNumber, string? Note,
        string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit,
        DateTime? TalkAt, string? TalkPlace, string? TalkAttendees, int TalkRevision, string TimeZone);

    public static async Task<Results<Ok<Page<EscalationDto>>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, [AsParameters] EscalationFilter filter, CancellationToken ct) =>
        await QueryAsync(http, db, filter, null, ct);

    /// <summary>One escalation the caller may see, or null.</summary>
    internal static async Task<EscalationDto?> FindAsync(HttpContext http, NpgsqlDataSource db, Guid id, CancellationToken ct) =>
        (await QueryAsync(http, db, new EscalationFilter(PageSize: 1), id, ct)).Result is Ok<Page<EscalationDto>> { Value: { } found }
            ? found.Items.FirstOrDefault()
            : null;

    private static async Task<Results<Ok<Page<EscalationDto>>, ValidationProblem>> QueryAsync(
        HttpContext http, NpgsqlDataSource db, EscalationFilter filter, Guid? escalationId, CancellationToken ct)
    {
        var (unit, level, open, campaignId, itemId, page, pageSize) = filter;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        if (level is not null) v.OneOf("level", level, Levels);
        if (unit is not null) v.Code("unit", unit);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var paging = Paging.From(page, pageSize);
        const string from = """
            from escalations e
            join campaigns c on c.id = e.campaign_id
            left join items i on i.id = e.item_id
            left join deliverables d on d.id = e.deliverable_id
            where (@role = 'admin'
                   or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
                   or (@role = 'supervisor' and (c.supervision_unit = @unit or e.office_unit = @unit))
                   or (@role = 'unit' and (i.lead_unit = @unit or @unit = any(i.units) or d.unit_code = @unit)))
              and (@unitFilter::text is null or i.lead_unit = @unitFilter or @unitFilter = any(i.units) or d.unit_code = @unitFilter or e.office_unit = @unitFilter)
              and (@level::text is null or e.level = @level)
              and (@open::boolean is null or (e.resolved_at is null) = @open)
              and (@campaignId::uuid is null or e.campaign_id = @campaignId)
              and (@itemId::uuid is null or e.item_id = @itemId)
              and (@escalationId::uuid is null or e.id = @escalationId)
            """;
        const string sql = $"""
            select count(*) {from};
            select e.id, e.item_id as ItemId, e.deliverable_id as DeliverableId, e.campaign_id as CampaignId, e.level, e.office_unit as Office,
                   (select name from units where code = e.office_unit) as OfficeName, e.opened_at as OpenedAt, e.resolved_at as ResolvedAt,
                   e.letter_number as LetterNumber, e.note, i.number as ItemNumber, i.title as ItemTitle, i.lead_unit as LeadUnit,
                   d.kind as DeliverableKind, d.unit_code as DeliverableUnit, e.talk_at as TalkAt, e.talk_place as TalkPlace,
                   e.talk_attendees as TalkAttendees, e.talk_revision as TalkRevision, c.time_zone as TimeZone
            {from}
            order by e.opened_at desc, e.id limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, unitFilter = unit, level, open, campaignId, itemId, escalationId, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
        return TypedResults.Ok(new Page<EscalationDto>(rows.Select(r => new EscalationDto(
            r.Id, r.ItemId, r.DeliverableId, r.CampaignId, r.Level, r.Office, r.OfficeName, Utc(r.OpenedAt), r.ResolvedAt is { } x ? Utc(x) : null,
            r.LetterNumber, r.Note, r.ItemNumber, r.ItemTitle, r.LeadUnit, r.DeliverableKind, r.DeliverableUnit,
            TalkOf(r.TalkAt, r.TalkPlace, r.TalkAttendees, r.TalkRevision, r.TimeZone))).ToList(), total));
    }

    internal static TalkAppointmentDto? TalkOf(DateTime? at, string? place, string? attendees, int revision, string timeZone) =>
        at is { } t && place is not null
            ? new TalkAppointmentDto(LocalTime.InZone(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)), LocalTime.Zone(timeZone)), place, attendees ?? "", revision)
            : null;
}
