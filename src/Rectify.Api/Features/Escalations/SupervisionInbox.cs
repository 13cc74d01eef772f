using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
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
        with cur as (
            select distinct on (coalesce(e.item_id, e.deliverable_id)) coalesce(e.item_id, e.deliverable_id) as subject_id, e.id, e.level, e.opened_at,
                   array_position(array['urge','supervisionLetter','listedSupervision','admonitoryTalk']::text[], e.level) as rank
            from escalations e join campaigns c on c.id = e.campaign_id
            where e.resolved_at is null and coalesce(e.item_id, e.deliverable_id) is not null and {VisibleE}
            order by coalesce(e.item_id, e.deliverable_id),
                     array_position(array['urge','supervisionLetter','listedSupervision','admonitoryTalk']::text[], e.level) desc, e.opened_at desc, e.id desc
        )
        """;

    private sealed record Row(
        Guid SubjectId, Guid EscalationId, string Level, DateTime Since, Guid CampaignId, Guid? ItemId, Guid? DeliverableId,
        string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit, string? LetterNumber,
        DateTime? TalkAt, string? TalkPlace, string? TalkAttendees, int TalkRevision, string TimeZone, string History);

    private sealed record HistoryRow(Guid Id, string Level, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber);

    public static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, string? level, Guid? campaignId, int? page, int? pageSize, CancellationToken ct)
    {
        var v = new Validator();
        if (level is not null) v.OneOf("level", level, Levels);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var user = CurrentUser.From(http.User);
        var paging = Paging.From(page, pageSize);
        const string sql = $"""
            {Current} select level, count(*) from cur group by level;
            {Current}
            select cur.subject_id as SubjectId, cur.id as EscalationId, cur.level, cur.opened_at as Since, e.campaign_id as CampaignId,
                   e.item_id as ItemId, e.deliverable_id as DeliverableId, i.number as ItemNumber, i.title as ItemTitle, i.lead_unit as LeadUnit,
                   d.kind as DeliverableKind, d.unit_code as DeliverableUnit, e.letter_number as LetterNumber,
                   e.talk_at as TalkAt, e.talk_place as TalkPlace, e.talk_attendees as TalkAttendees, e.talk_revision as TalkRevision,
                   c.time_zone as TimeZone,
                   (select jsonb_agg(jsonb_build_object('id', h.id, 'level', h.level, 'openedAt', h.opened_at, 'resolvedAt', h.resolved_at,
                                                        'letterNumber', h.letter_number) order by h.opened_at, h.id)
                    from escalations h join campaigns hc on hc.id = h.campaign_id
                    where (h.item_id = cur.subject_id or h.deliverable_id = cur.subject_id)
                      and coalesce(h.item_id, h.deliverable_id) = cur.subject_id and {VisibleH})::text as History
            from cur
            join escalations e on e.id = cur.id
            join campaigns c on c.id = e.campaign_id
            left join items i on i.id = e.item_id
            left join deliverables d on d.id = e.deliverable_id
            where @level::text is null or cur.level = @level
            order by cur.rank desc, cur.opened_at, cur.subject_id
            limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, campaignId, level, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct));
        var byLevel = (await grid.ReadAsync<(string Level, long Count)>()).ToDictionary(x => x.Level, x => x.Count);
        var total = level is null ? byLevel.Values.Sum() : byLevel.GetValueOrDefault(level);
        var rows = await grid.ReadAsync<Row>();
        var now = clock.GetUtcNow();
        static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
        var items = rows.Select(r =>
        {
            var zone = LocalTime.Zone(r.TimeZone);
            var history = (JsonSerializer.Deserialize<List<HistoryRow>>(r.History, JsonSerializerOptions.Web) ?? [])
                .Select(h => new InboxLevel(h.Id, h.Level, LocalTime.InZone(h.OpenedAt, zone), h.ResolvedAt is { } x ? LocalTime.InZone(x, zone) : null, h.LetterNumber))
                .ToList();
            var since = Utc(r.Since);
            return new InboxRow(r.ItemId is not null ? "item" : "deliverable", r.SubjectId, r.CampaignId, r.ItemId, r.DeliverableId, r.ItemNumber,
                r.ItemTitle, r.LeadUnit, r.DeliverableKind, r.DeliverableUnit, r.EscalationId, r.Level, LocalTime.InZone(since, zone),
                Math.Max(0, (int)(now - since).TotalDays), r.LetterNumber,
                EscalationsApi.TalkOf(r.TalkAt, r.TalkPlace, r.TalkAttendees, r.TalkRevision, r.TimeZone), history);
        }).ToList();
        return TypedResults.Ok(new InboxPage(items, total, byLevel));
    }
}
