using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Escalations;

/// <summary>One level a subject reached: when it opened and, once the subject was dealt with, when it was resolved.</summary>
public sealed record InboxLevel(Guid Id, string Level, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber);

/// <summary>
/// One row of the supervision inbox: a subject (an item, or a unit's deliverable) under open escalation, at its current
/// (highest open) level since <see cref="Since"/>, with every level it reached (<see cref="History"/>, oldest first).
/// </summary>
public sealed record InboxRow(
    string SubjectType, Guid SubjectId, Guid CampaignId, Guid? ItemId, Guid? DeliverableId, string? ItemNumber, string? ItemTitle,
    string? LeadUnit, string? DeliverableKind, string? DeliverableUnit, Guid EscalationId, string Level, DateTimeOffset Since, int DaysAtLevel,
    string? LetterNumber, TalkAppointmentDto? Talk, IReadOnlyList<InboxLevel> History);

/// <summary>A page of the inbox, with the number of subjects at each current level.</summary>
public sealed record InboxPage(IReadOnlyList<InboxRow> Items, long Total, IReadOnlyDictionary<string, long> ByLevel);

/// <summary>
/// The supervision inbox (issue 14 §8): one row per subject, not one per level — 催办, 督办函, 挂牌督办 and 约谈 of one item
/// are one row at 约谈 with its history. Extends API.md: <c>GET /api/escalations/subjects?level=&amp;campaignId=&amp;page=&amp;pageSize=</c>;
/// <c>level</c> filters by current level. Most serious first, then the longest waiting.
/// </summary>
public static class SupervisionInbox
{
    private static readonly IReadOnlySet<string> Levels = EscalationLevels.Ordered.Skip(1).ToHashSet(StringComparer.Ordinal);

    /// <summary>Who sees an escalation <c>e</c> of campaign <c>c</c> (a unit: of its own items and deliverables).</summary>
    private const string VisibleE = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
         or (@role = 'supervisor' and (c.supervision_unit = @unit or e.office_unit = @unit))
         or (@role = 'unit' and (exists (select 1 from items i where i.id = e.item_id and (i.lead_unit = @unit or @unit = any(i.units)))
                                 or exists (select 1 from deliverables d where d.id = e.deliverable_id and d.unit_code = @unit))))
        and (@campaignId::uuid is null or e.campaign_id = @campaignId)
        """;

    /// <summary>The same for an escalation <c>h</c> of campaign <c>hc</c> (the levels a subject went through).</summary>
    private const string VisibleH = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and hc.issued_by_unit = @unit)
         or (@role = 'supervisor' and (hc.supervision_unit = @unit or h.office_unit = @unit))
         or (@role = 'unit' and (exists (select 1 from items i where i.id = h.item_id and (i.lead_unit = @unit or @unit = any(i.units)))
                                 or exists (select 1 from deliverables d where d.id = h.deliverable_id and d.unit_code = @unit))))
        and (@campaignId::uuid is null or h.campaign_id = @campaignId)
        """;

    /// <summary>
    /// The current level of every subject under open escalation the caller may see: only open escalations are read (the
    /// partial index escalations_open_subject), the levels a subject went through are looked up for the page's rows alone.
    /// </summary>
    private const string Current = $"""
        with cur as materialized (
            select distinct on (coalesce(e.item_id, e.deliverable_id)) coalesce(e.item_id, e.deliverable_id) as subject_id, e.id, e.level, e.opened_at,
                   array_position(array['urge','supervisionLetter','listedSupervision','admonitoryTalk']::text[], e.level) as rank
            from escalations e join campaigns c on c.id = e.campaign_id
            where e.resolved_at is null and coalesce(e.item_id, e.deliverable_id) is not null and {VisibleE}
            order by coalesce(e.item_id, e.deliverable_id),
                     array_position(array['urge','supervisionLetter','listedSupervision','admonitoryTalk']::text[], e.level) desc, e.opened_at desc, e.id desc
        )
        """;

    /// <summary>A row of the one statement: a count of one level (part 0) or a row of the page (part 1).</summary>
    private sealed record Row(
        int Part, string Level, long N, int? Ord, Guid? SubjectId, Guid? EscalationId, DateTimeOffset? Since, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId,
        string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit, string? LetterNumber,
        DateTimeOffset? TalkAt, string? TalkPlace, string? TalkAttendees, int TalkRevision, string? TimeZone, string? History);

    private sealed record HistoryRow(Guid Id, string Level, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber);

    /// <summary>The query of <c>GET /api/escalations/subjects</c>: by current level, by campaign; paged.</summary>
    public sealed record InboxQuery(
        [FromQuery(Name = "level")] string? Level = null, [FromQuery(Name = "campaignId")] Guid? CampaignId = null,
        [FromQuery(Name = "page")] int? Page = null, [FromQuery(Name = "pageSize")] int? PageSize = null);

    /// <summary><c>GET /api/escalations/subjects</c>: 400 for an unknown level, otherwise the page of <see cref="ListAsync"/>.</summary>
    public static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, [AsParameters] InboxQuery query, CancellationToken ct)
    {
        var (level, campaignId, page, pageSize) = query;
        var v = new Validator();
        if (level is not null) v.OneOf("level", level, Levels);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await ListAsync(
            connection, CurrentUser.From(http.User), level, campaignId, Paging.From(page, pageSize), clock.GetUtcNow(), ct));
    }

    /// <summary>
    /// The inbox the API and the supervision screen share (issue 18: pages call queries, not endpoint handlers): the
    /// subjects <paramref name="user"/> may see at current level <paramref name="level"/> (one of the escalation levels
    /// but the first, or null for all), of one campaign or all; <paramref name="now"/> counts the days at the level.
    /// </summary>
    public static async Task<InboxPage> ListAsync(
        NpgsqlConnection connection, CurrentUser user, string? level, Guid? campaignId, Paging paging, DateTimeOffset now,
        CancellationToken ct)
    {
        // The current levels are found once (materialized) for both the counts and the page: on a national campaign
        // they are every open escalation of it.
        const string sql = $"""
            {Current},
            pg as (
                select cur.* from cur where @level::text is null or cur.level = @level
                order by cur.rank desc, cur.opened_at, cur.subject_id
                limit @limit offset @offset)
            select 0 as Part, level as Level, count(*) as N, null::int as Ord, null::uuid as SubjectId, null::uuid as EscalationId, null::timestamptz as Since,
                   null::uuid as CampaignId, null::uuid as ItemId, null::uuid as DeliverableId, null::text as ItemNumber, null::text as ItemTitle,
                   null::text as LeadUnit, null::text as DeliverableKind, null::text as DeliverableUnit, null::text as LetterNumber,
                   null::timestamptz as TalkAt, null::text as TalkPlace, null::text as TalkAttendees, 0 as TalkRevision, null::text as TimeZone,
                   null::text as History
            from cur group by level
            union all
            select 1, pg.level, 0, pg.rank, pg.subject_id, pg.id, pg.opened_at, e.campaign_id,
                   e.item_id, e.deliverable_id, i.number, i.title, i.lead_unit,
                   d.kind, d.unit_code, e.letter_number,
                   e.talk_at, e.talk_place, e.talk_attendees, e.talk_revision,
                   c.time_zone,
                   (select jsonb_agg(jsonb_build_object('id', h.id, 'level', h.level, 'openedAt', h.opened_at, 'resolvedAt', h.resolved_at,
                                                        'letterNumber', h.letter_number) order by h.opened_at, h.id)
                    from escalations h join campaigns hc on hc.id = h.campaign_id
                    where (h.item_id = pg.subject_id or h.deliverable_id = pg.subject_id)
                      and coalesce(h.item_id, h.deliverable_id) = pg.subject_id and {VisibleH})::text
            from pg
            join escalations e on e.id = pg.id
            join campaigns c on c.id = e.campaign_id
            left join items i on i.id = e.item_id
            left join deliverables d on d.id = e.deliverable_id
            order by 1, 4 desc, 7, 5;
            """;
        var all = (await connection.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, campaignId, level, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct))).ToList();
        var byLevel = all.Where(r => r.Part == 0).ToDictionary(x => x.Level, x => x.N);
        var total = level is null ? byLevel.Values.Sum() : byLevel.GetValueOrDefault(level);
        var rows = all.Where(r => r.Part == 1);
        var items = rows.Select(r =>
        {
            var zone = LocalTime.Zone(r.TimeZone!);
            var history = (JsonSerializer.Deserialize<List<HistoryRow>>(r.History ?? "[]", JsonSerializerOptions.Web) ?? [])
                .Select(h => new InboxLevel(h.Id, h.Level, LocalTime.InZone(h.OpenedAt, zone), h.ResolvedAt is { } x ? LocalTime.InZone(x, zone) : null, h.LetterNumber))
                .ToList();
            var since = r.Since!.Value;
            return new InboxRow(r.ItemId is not null ? "item" : "deliverable", r.SubjectId!.Value, r.CampaignId!.Value, r.ItemId, r.DeliverableId, r.ItemNumber,
                r.ItemTitle, r.LeadUnit, r.DeliverableKind, r.DeliverableUnit, r.EscalationId!.Value, r.Level, LocalTime.InZone(since, zone),
                Math.Max(0, (int)(now - since).TotalDays), r.LetterNumber,
                EscalationsApi.TalkOf(r.TalkAt, r.TalkPlace, r.TalkAttendees, r.TalkRevision, r.TimeZone!), history);
        }).ToList();
        return new InboxPage(items, total, byLevel);
    }
}
