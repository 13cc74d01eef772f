using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

/// <summary>
/// One unit's figures in a campaign, its score and grade (API.md <c>/units</c>), and how the score was made up:
/// <paramref name="Rank"/> among every unit of the campaign (equal scores share a rank), the working days its own parts
/// were late, the levels its parts reached, and each line of the arithmetic.
/// </summary>
public sealed record UnitScoreDto(
    string Unit, string UnitName, int Rank, int Assigned, int Acknowledged, int Completed, int Overdue, int ClosedOnTime, int ClosedLate,
    int Escalations, IReadOnlyDictionary<string, int> LevelsReached, int OverdueDays, int MissedReports, double Score, string Grade,
    string? Veto, IReadOnlyList<ScoreLine> Breakdown);

/// <summary>
/// Every unit of a campaign scored from its own record (issue 12): its assignments, never its siblings' — a unit that
/// finished its part on time is not late because another unit of the item is. Who sees what: the administrator and
/// the campaign's offices (issuing, supervising) every unit; a unit user its own row only (with its rank), since the
/// ranking of other units is the offices' to publish (通报).
/// </summary>
public static class UnitScores
{
    public const int MaxPageSize = 500;

    /// <summary>The paging of <c>GET /api/campaigns/{id}/units</c>: without either, the whole ranking.</summary>
    public sealed record UnitPage([FromQuery(Name = "page")] int? Page = null, [FromQuery(Name = "pageSize")] int? PageSize = null);

    public static async Task<Results<Ok<IReadOnlyList<UnitScoreDto>>, ValidationProblem, ProblemHttpResult>> Get(
        Guid id, HttpContext http, NpgsqlDataSource db, DefinitionStore definitions, TimeProvider clock, [AsParameters] UnitPage paging, CancellationToken ct)
    {
        var (page, pageSize) = (paging.Page, paging.PageSize);
        var v = new Validator();
        if (page is < 1) v.Add("page", "页码应不小于 1 / page must be at least 1");
        if (pageSize is < 1 or > MaxPageSize) v.Add("pageSize", $"每页条数应在 1 到 {MaxPageSize} 之间 / pageSize must be 1 to {MaxPageSize}");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var user = CurrentUser.From(http.User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, user, now, ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var visible = Visible(await ForCampaignAsync(connection, definitions, campaign, now, ct), user);
        // Without paging parameters the whole ranking, as API.md's array; with them one slice of it, the total in a header.
        if (page is null && pageSize is null) return TypedResults.Ok(visible);
        var size = pageSize ?? 50;
        var skip = (long)((page ?? 1) - 1) * size;
        http.Response.Headers["X-Total-Count"] = visible.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok<IReadOnlyList<UnitScoreDto>>(skip >= visible.Count ? [] : visible.Skip((int)skip).Take(size).ToList());
    }

    /// <summary>What the caller may see of a ranking: a unit user its own row, the offices every row.</summary>
    public static IReadOnlyList<UnitScoreDto> Visible(IReadOnlyList<UnitScoreDto> scores, CurrentUser user) =>
        user.IsUnit ? scores.Where(s => s.Unit == user.UnitCode).ToList() : scores;

    /// <summary>Every unit of the campaign, best score first (then by name), ranked among all of them.</summary>
    public static async Task<IReadOnlyList<UnitScoreDto>> ForCampaignAsync(
        NpgsqlConnection connection, DefinitionStore definitions, CampaignDto campaign, DateTimeOffset now, CancellationToken ct)
    {
        var calendar = await WorkingCalendar.ReadAsync(connection, ct);
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        var records = await AssignmentFacts.RecordsAsync(connection, campaign.Id, today, calendar, ct);
        var names = await AssignmentFacts.UnitNamesAsync(connection, records.Select(r => r.Unit).ToArray(), ct);
        var rules = (await definitions.GetAsync(connection, campaign.Workflow.Id!, campaign.Workflow.Version ?? 1, ct))?.Definition.ScoringRules
            ?? ScoringDefinition.Default;
        return Rank(records, rules, names);
    }

    /// <summary>Scores each record by the rules and ranks them: best first, equal scores share a rank (1, 2, 2, 4).</summary>
    public static IReadOnlyList<UnitScoreDto> Rank(IReadOnlyList<UnitRecord> records, ScoringDefinition rules, IReadOnlyDictionary<string, string> names)
    {
        var scored = records
            .Select(r => (Record: r, Score: Scoring.Score(rules, r), Name: names.GetValueOrDefault(r.Unit) ?? r.Unit))
            .OrderByDescending(s => s.Score.Score).ThenBy(s => UnitGrades.Ordered.ToList().IndexOf(s.Score.Grade))
            .ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Record.Unit, StringComparer.Ordinal)
            .ToList();
        var result = new List<UnitScoreDto>(scored.Count);
        for (var n = 0; n < scored.Count; n++)
        {
            var (r, s, name) = scored[n];
            var rank = n > 0 && scored[n - 1].Score.Score == s.Score && scored[n - 1].Score.Grade == s.Grade ? result[n - 1].Rank : n + 1;
            result.Add(new UnitScoreDto(r.Unit, name, rank, r.Assigned, r.Acknowledged, r.Completed, r.Overdue, r.ClosedOnTime, r.ClosedLate,
                r.Escalations, r.LevelsReached, r.OverdueDays, r.MissedReports, s.Score, s.Grade, s.Veto, s.Lines));
        }
        return result;
    }
}

/// <summary>The assignments of a campaign beside their items, one row per unit's part (issue 12), for the figures and documents.</summary>
public static class AssignmentFacts
{
    private sealed record Row(
        Guid ItemId, string Unit, string Role, string State, bool Acknowledged, DateOnly? CompletedOn, string ItemState,
        DateOnly? EffectiveDeadline, string[] LevelsReached, int MissedReports);

    public static async Task<IReadOnlyList<AssignmentFact>> LoadAsync(NpgsqlConnection connection, Guid campaignId, CancellationToken ct)
    {
        const string sql = """
            select a.item_id as ItemId, a.unit_code as Unit, a.role, a.state, a.acknowledged_at is not null as Acknowledged,
                   (a.completed_at at time zone c.time_zone)::date as CompletedOn, i.state as ItemState,
                   i.effective_deadline as EffectiveDeadline, a.levels_reached as LevelsReached, a.missed_reports as MissedReports
            from assignments a join items i on i.id = a.item_id join campaigns c on c.id = i.campaign_id
            where a.campaign_id = @campaignId
            order by i.seq, a.role, a.unit_code
            """;
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct));
        return rows.Select(r => new AssignmentFact(r.ItemId, r.Unit, r.Role, r.State, r.Acknowledged, r.CompletedOn, r.ItemState,
            r.EffectiveDeadline, r.LevelsReached, r.MissedReports)).ToList();
    }

    private sealed record RecordRow(
        string Unit, DateOnly? Deadline, DateOnly? EndOn, int Assigned, int Acknowledged, int Completed, int Overdue,
        int ClosedOnTime, int ClosedLate, int MissedReports, int Urge, int SupervisionLetter, int ListedSupervision, int AdmonitoryTalk);

    /// <summary>
    /// Each unit's own record (the rules of <see cref="UnitRecords.From"/>) read from the maintained aggregate
    /// <c>assignment_unit_counts</c> (migration 0970, kept by triggers on assignments and items): one row per (unit,
    /// signed, done, item open, deadline, done on), summed here into one group per (unit, deadline, end date) of its
    /// late parts (and one per unit for the parts that are not late), with the working days late counted on the
    /// calendar once per group instead of once per part. Today is applied here: the rows hold the dates.
    /// </summary>
    public static async Task<IReadOnlyList<UnitRecord>> RecordsAsync(
        NpgsqlConnection connection, Guid campaignId, DateOnly today, CalendarSnapshot calendar, CancellationToken ct)
    {
        const string sql = """
            select p.unit as Unit,
                   case when p.completed and p.completed_on is not null then p.deadline
                        when not p.completed and p.item_open and p.deadline < @today then p.deadline end as Deadline,
                   case when p.completed and p.completed_on is not null then p.completed_on
                        when not p.completed and p.item_open and p.deadline < @today then @today end as EndOn,
                   sum(p.n)::int as Assigned,
                   coalesce(sum(p.n) filter (where p.acknowledged), 0)::int as Acknowledged,
                   coalesce(sum(p.n) filter (where p.completed), 0)::int as Completed,
                   coalesce(sum(p.n) filter (where not p.completed and p.item_open and p.deadline < @today), 0)::int as Overdue,
                   coalesce(sum(p.n) filter (where p.completed and p.completed_on is null), 0)::int as ClosedOnTime,
                   coalesce(sum(p.n) filter (where p.completed and p.completed_on is not null), 0)::int as ClosedLate,
                   sum(p.missed_reports)::int as MissedReports,
                   sum(p.urge)::int as Urge,
                   sum(p.supervision_letter)::int as SupervisionLetter,
                   sum(p.listed_supervision)::int as ListedSupervision,
                   sum(p.admonitory_talk)::int as AdmonitoryTalk
            from assignment_unit_counts p
            where p.campaign_id = @campaignId and p.n <> 0
            group by 1, 2, 3
            """;
        var rows = (await connection.QueryAsync<RecordRow>(new CommandDefinition(sql, new { campaignId, today }, cancellationToken: ct))).ToList();
        return rows.GroupBy(r => r.Unit, StringComparer.Ordinal)
            .Select(g => new UnitRecord(g.Key, g.Sum(r => r.Assigned), g.Sum(r => r.Acknowledged), g.Sum(r => r.Completed), g.Sum(r => r.Overdue),
                g.Sum(r => r.ClosedOnTime), g.Sum(r => r.ClosedLate),
                g.Where(r => r.Deadline is not null && r.EndOn is not null).Sum(r => r.Assigned * calendar.WorkingDaysBetween(r.Deadline!.Value, r.EndOn!.Value)),
                g.Sum(r => r.MissedReports), new Dictionary<string, int>(StringComparer.Ordinal)
                {
                    ["urge"] = g.Sum(r => r.Urge), ["supervisionLetter"] = g.Sum(r => r.SupervisionLetter),
                    ["listedSupervision"] = g.Sum(r => r.ListedSupervision), ["admonitoryTalk"] = g.Sum(r => r.AdmonitoryTalk),
                }))
            .ToList();
    }

    public static async Task<IReadOnlyDictionary<string, string>> UnitNamesAsync(NpgsqlConnection connection, string[] codes, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
            "select code, name from units where code = any(@codes)", new { codes }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Code, r => r.Name, StringComparer.Ordinal);
    }
}
