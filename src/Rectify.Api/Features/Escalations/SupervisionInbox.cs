using System.Data;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
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

/// <summary>
/// A page of the inbox, with the number of subjects at each current level. A level with more than
/// <see cref="SupervisionInbox.ExactCountUpTo"/> subjects is counted that far and then estimated by the planner: it is
/// named in <c>estimated</c>, and <c>totalEstimated</c> is true when the total includes it (a screen says 约).
/// </summary>
public sealed record InboxPage(IReadOnlyList<InboxRow> Items, long Total, IReadOnlyDictionary<string, long> ByLevel)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? TotalEstimated { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Estimated { get; init; }
}

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
    /// A level's subjects: the open escalations at <c>@level{n}</c> the caller may see whose subject has no open one above
    /// (its current level; one open escalation per subject and level, by the unique indexes), read in the inbox's order
    /// (longest waiting first) from escalations_open_level.
    /// </summary>
    private static string AtLevel(int n) => $"""
        select e.id, coalesce(e.item_id, e.deliverable_id) as subject_id, e.level, e.opened_at,
               array_position(array['urge','supervisionLetter','listedSupervision','admonitoryTalk']::text[], e.level) as rank
        from escalations e join campaigns c on c.id = e.campaign_id
        where e.resolved_at is null and e.level = @level{n} and coalesce(e.item_id, e.deliverable_id) is not null and {VisibleE}
          and not exists (select 1 from escalations x where x.resolved_at is null and x.item_id = e.item_id and x.level = any(@above{n}))
          and not exists (select 1 from escalations x where x.resolved_at is null and x.deliverable_id = e.deliverable_id and x.level = any(@above{n}))
        """;

    /// <summary>A level is counted exactly up to this many subjects, then estimated (the 待办's bound).</summary>
    public const int ExactCountUpTo = Todo.TodoQuery.ExactCountUpTo;

    private static readonly string CountSql = "select level, count(*) as n from (\n"
        + string.Join("\nunion all\n", EscalationLevels.Ordered.Select((_, n) => $"(select level from ({AtLevel(n)}) l limit @cap)"))
        + "\n) t group by level";

    /// <summary>A row of the page.</summary>
    private sealed record Row(
        string Level, int? Ord, Guid? SubjectId, Guid? EscalationId, DateTimeOffset? Since, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId,
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
        // Counts first (each level up to the bound), then each level the page falls in is read in order up to the page's
        // end, in one snapshot: on a national campaign a level can hold a hundred thousand subjects.
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var ladder = EscalationLevels.Ordered;
        var parameters = new DynamicParameters(new { role = user.Role, unit = user.UnitCode, campaignId, cap = ExactCountUpTo + 1 });
        for (var n = 0; n < ladder.Count; n++)
        {
            parameters.Add($"level{n}", ladder[n]);
            parameters.Add($"above{n}", ladder.Skip(n + 1).ToArray());
        }
        var byLevel = ladder.ToDictionary(l => l, _ => 0L, StringComparer.Ordinal);
        foreach (var (l, count) in await connection.QueryAsync<(string Level, long N)>(new CommandDefinition(CountSql, parameters, cancellationToken: ct)))
            byLevel[l] = count;
        var estimated = ladder.Where(l => byLevel[l] > ExactCountUpTo).ToList();
        for (var n = 0; n < ladder.Count; n++)
        {
            if (!estimated.Contains(ladder[n])) continue;
            var estimate = await ItemListing.EstimateAsync(connection, $"explain (format json) {AtLevel(n)}", parameters, ct);
            byLevel[ladder[n]] = Math.Max(byLevel[ladder[n]], estimate);
        }
        foreach (var l in ladder.Where(l => byLevel[l] == 0)) byLevel.Remove(l);
        var total = level is null ? byLevel.Values.Sum() : byLevel.GetValueOrDefault(level);

        // The page: the most serious level first, then the longest waiting.
        var segments = new List<string>();
        var levels = Enumerable.Range(0, ladder.Count).Reverse().Where(n => level is null || ladder[n] == level);
        foreach (var (n, offset, limit) in paging.Cut(levels.Select(n => (n, byLevel.GetValueOrDefault(ladder[n])))))
        {
            parameters.Add($"limit{n}", limit);
            parameters.Add($"offset{n}", offset);
            segments.Add($"(select * from ({AtLevel(n)}) l order by opened_at, subject_id limit @limit{n} offset @offset{n})");
        }
        if (segments.Count == 0)
            return Page([]);
        var sql = $"""
            with pg as ({string.Join("\nunion all\n", segments)})
            select pg.level as Level, pg.rank as Ord, pg.subject_id as SubjectId, pg.id as EscalationId, pg.opened_at as Since,
                   e.campaign_id as CampaignId, e.item_id as ItemId, e.deliverable_id as DeliverableId, i.number as ItemNumber,
                   i.title as ItemTitle, i.lead_unit as LeadUnit, d.kind as DeliverableKind, d.unit_code as DeliverableUnit,
                   e.letter_number as LetterNumber, e.talk_at as TalkAt, e.talk_place as TalkPlace, e.talk_attendees as TalkAttendees,
                   e.talk_revision as TalkRevision, c.time_zone as TimeZone,
                   (select jsonb_agg(jsonb_build_object('id', h.id, 'level', h.level, 'openedAt', h.opened_at, 'resolvedAt', h.resolved_at,
                                                        'letterNumber', h.letter_number) order by h.opened_at, h.id)
                    from escalations h join campaigns hc on hc.id = h.campaign_id
                    where (h.item_id = pg.subject_id or h.deliverable_id = pg.subject_id)
                      and coalesce(h.item_id, h.deliverable_id) = pg.subject_id and {VisibleH})::text as History
            from pg
            join escalations e on e.id = pg.id
            join campaigns c on c.id = e.campaign_id
            left join items i on i.id = e.item_id
            left join deliverables d on d.id = e.deliverable_id
            order by pg.rank desc, pg.opened_at, pg.subject_id
            """;
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: ct));
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
        return Page(items);

        InboxPage Page(List<InboxRow> items) => new(items, total, byLevel)
        {
            TotalEstimated = estimated.Any(l => level is null || l == level) ? true : null, Estimated = estimated.Count > 0 ? estimated : null,
        };
    }
}
