using Dapper;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Escalations;

/// <summary>The query of <c>GET /api/escalations</c>: by unit, level, open or not, campaign, item; paged.</summary>
public sealed record EscalationFilter(
    [FromQuery(Name = "unit")] string? Unit = null, [FromQuery(Name = "level")] string? Level = null,
    [FromQuery(Name = "open")] bool? Open = null,
    [FromQuery(Name = "campaignId")] Guid? CampaignId = null, [FromQuery(Name = "itemId")] Guid? ItemId = null,
    [FromQuery(Name = "page")] int? Page = null, [FromQuery(Name = "pageSize")] int? PageSize = null);

/// <summary>
/// The reads of escalation records that the API (<c>GET /api/escalations</c>, the talk) and the item page share
/// (issue 18: pages call queries, not endpoint handlers). Visible like items: a unit sees those of its items and
/// deliverables, an office those of its campaigns (a supervision office also those it handles), the administrator all.
/// The caller has validated the filter's level and unit.
/// </summary>
public static class EscalationQueries
{
    private sealed record Row(
        Guid Id, Guid? ItemId, Guid? DeliverableId, Guid CampaignId, string Level, string? Office, string? OfficeName,
        DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber, string? Note,
        string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit,
        DateTimeOffset? TalkAt, string? TalkPlace, string? TalkAttendees, int TalkRevision, string TimeZone);

    /// <summary>A page of the escalations <paramref name="user"/> may see, newest first.</summary>
    public static Task<Page<EscalationDto>> ListAsync(
        NpgsqlConnection connection, CurrentUser user, EscalationFilter filter, CancellationToken ct) =>
        QueryAsync(connection, user, filter, null, ct);

    /// <summary>One escalation <paramref name="user"/> may see, or null.</summary>
    public static async Task<EscalationDto?> FindVisibleAsync(
        NpgsqlConnection connection, CurrentUser user, Guid id, CancellationToken ct) =>
        (await QueryAsync(connection, user, new EscalationFilter(PageSize: 1), id, ct)).Items.FirstOrDefault();

    private static async Task<Page<EscalationDto>> QueryAsync(
        NpgsqlConnection connection, CurrentUser user, EscalationFilter filter, Guid? escalationId, CancellationToken ct)
    {
        var (unit, level, open, campaignId, itemId, page, pageSize) = filter;
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
              and (@unitFilter::text is null or i.lead_unit = @unitFilter or @unitFilter = any(i.units) or d.unit_code = @unitFilter
                   or e.office_unit = @unitFilter)
              and (@level::text is null or e.level = @level)
              and (@open::boolean is null or (e.resolved_at is null) = @open)
              and (@campaignId::uuid is null or e.campaign_id = @campaignId)
              and (@itemId::uuid is null or e.item_id = @itemId)
              and (@escalationId::uuid is null or e.id = @escalationId)
            """;
        // Counted up to ExactCountUpTo, beyond it the planner's estimate, marked (totalEstimated), as in the item list.
        const string sql = $"""
            select count(*) from (select 1 {from} limit @cap) matched;
            select e.id, e.item_id as ItemId, e.deliverable_id as DeliverableId, e.campaign_id as CampaignId, e.level,
                   e.office_unit as Office, (select name from units where code = e.office_unit) as OfficeName,
                   e.opened_at as OpenedAt, e.resolved_at as ResolvedAt,
                   e.letter_number as LetterNumber, e.note, i.number as ItemNumber, i.title as ItemTitle, i.lead_unit as LeadUnit,
                   d.kind as DeliverableKind, d.unit_code as DeliverableUnit, e.talk_at as TalkAt, e.talk_place as TalkPlace,
                   e.talk_attendees as TalkAttendees, e.talk_revision as TalkRevision, c.time_zone as TimeZone
            {from}
            order by e.opened_at desc, e.id limit @limit offset @offset;
            """;
        var parameters = new
        {
            role = user.Role, unit = user.UnitCode, unitFilter = unit, level, open, campaignId, itemId, escalationId,
            limit = paging.PageSize, offset = paging.Offset, cap = ItemListing.ExactCountUpTo + 1,
        };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var counted = await grid.ReadSingleAsync<long>();
        var rows = (await grid.ReadAsync<Row>()).ToList();
        var estimateSql = $"explain (format json) select 1 {from}";
        var (total, estimated) = await ItemListing.TotalAsync(connection, counted, estimateSql, parameters, ct);
        return new Page<EscalationDto>(rows.Select(r => new EscalationDto(
            r.Id, r.ItemId, r.DeliverableId, r.CampaignId, r.Level, r.Office, r.OfficeName, r.OpenedAt,
            r.ResolvedAt, r.LetterNumber, r.Note, r.ItemNumber, r.ItemTitle, r.LeadUnit, r.DeliverableKind,
            r.DeliverableUnit, EscalationsApi.TalkOf(r.TalkAt, r.TalkPlace, r.TalkAttendees, r.TalkRevision, r.TimeZone))).ToList(), total)
        {
            TotalEstimated = estimated ? true : null,
        };
    }
}
