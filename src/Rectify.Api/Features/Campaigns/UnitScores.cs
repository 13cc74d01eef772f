using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

/// <summary>One unit's figures in a campaign, its score and grade, and how the score was made up (API.md <c>/units</c>).</summary>
public sealed record UnitScoreDto(
    string Unit, string UnitName, int Assigned, int Acknowledged, int Completed, int Overdue, int ClosedOnTime, int ClosedLate,
    int Escalations, int OverdueDays, int MissedReports, double Score, string Grade, string? Veto, IReadOnlyList<ScoreLine> Breakdown);

/// <summary>
/// Every unit of a campaign scored from its own record (issue 12): its assignments, never its siblings' — a unit that
/// finished its part on time is not late because another unit of the item is. One set-based query per campaign.
/// </summary>
public static class UnitScores
{
    private sealed record Row(
        string Unit, string UnitName, int Assigned, int Acknowledged, int Completed, int Overdue, int ClosedOnTime, int ClosedLate,
        int OverdueDays, int MissedReports, int Urge, int SupervisionLetter, int ListedSupervision, int AdmonitoryTalk);

    public static async Task<Results<Ok<IReadOnlyList<UnitScoreDto>>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, NpgsqlDataSource db, DefinitionStore definitions, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignsApi.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var scores = await ForCampaignAsync(connection, definitions, id, clock.GetUtcNow(), ct);
        // A unit sees its own figures; the offices see every unit's.
        IReadOnlyList<UnitScoreDto> visible = user.Role == Roles.Unit ? scores.Where(s => s.Unit == user.UnitCode).ToList() : scores;
        return TypedResults.Ok(visible);
    }

    /// <summary>Every unit of the campaign, best score first (then by name).</summary>
    public static async Task<IReadOnlyList<UnitScoreDto>> ForCampaignAsync(
        NpgsqlConnection connection, DefinitionStore definitions, Guid campaignId, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            with parts as (
                select a.unit_code, a.state, a.acknowledged_at, a.levels_reached, a.missed_reports, i.state as item_state, i.effective_deadline,
                       (a.completed_at at time zone c.time_zone)::date as completed_on, (@now at time zone c.time_zone)::date as today
                from assignments a join items i on i.id = a.item_id join campaigns c on c.id = a.campaign_id
                where a.campaign_id = @campaignId and a.state <> 'withdrawn' and i.state <> 'draft'
            )
            select p.unit_code as Unit, coalesce(u.name, p.unit_code) as UnitName,
                   count(*)::int as Assigned,
                   count(p.acknowledged_at)::int as Acknowledged,
                   count(*) filter (where p.state = 'completed')::int as Completed,
                   count(*) filter (where p.state <> 'completed' and p.item_state <> 'closed' and p.effective_deadline < p.today)::int as Overdue,
                   count(*) filter (where p.state = 'completed' and (p.effective_deadline is null or p.completed_on <= p.effective_deadline))::int as ClosedOnTime,
                   count(*) filter (where p.state = 'completed' and p.completed_on > p.effective_deadline)::int as ClosedLate,
                   coalesce(sum(case when p.state = 'completed' then greatest(0, p.completed_on - p.effective_deadline)
                                     when p.item_state = 'closed' then 0
                                     else greatest(0, p.today - p.effective_deadline) end), 0)::int as OverdueDays,
                   coalesce(sum(p.missed_reports), 0)::int as MissedReports,
                   coalesce(sum(cardinality(array_positions(p.levels_reached, 'urge'))), 0)::int as Urge,
                   coalesce(sum(cardinality(array_positions(p.levels_reached, 'supervisionLetter'))), 0)::int as SupervisionLetter,
                   coalesce(sum(cardinality(array_positions(p.levels_reached, 'listedSupervision'))), 0)::int as ListedSupervision,
                   coalesce(sum(cardinality(array_positions(p.levels_reached, 'admonitoryTalk'))), 0)::int as AdmonitoryTalk
            from parts p left join units u on u.code = p.unit_code
            group by p.unit_code, u.name
            """;
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(sql, new { campaignId, now }, cancellationToken: ct))).ToList();
        var workflow = await connection.QuerySingleAsync<(string Id, int Version)>(new CommandDefinition(
            "select workflow_id, workflow_version from campaigns where id = @campaignId", new { campaignId }, cancellationToken: ct));
        var rules = (await definitions.GetAsync(connection, workflow.Id, workflow.Version, ct))?.Definition.ScoringRules ?? ScoringDefinition.Default;
        return rows.Select(r =>
        {
            var levels = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["urge"] = r.Urge, ["supervisionLetter"] = r.SupervisionLetter, ["listedSupervision"] = r.ListedSupervision, ["admonitoryTalk"] = r.AdmonitoryTalk,
            };
            var record = new UnitRecord(r.Unit, r.Assigned, r.Acknowledged, r.Completed, r.Overdue, r.ClosedOnTime, r.ClosedLate, r.OverdueDays, r.MissedReports, levels);
            var score = Scoring.Score(rules, record);
            return new UnitScoreDto(r.Unit, r.UnitName, r.Assigned, r.Acknowledged, r.Completed, r.Overdue, r.ClosedOnTime, r.ClosedLate,
                record.Escalations, r.OverdueDays, r.MissedReports, score.Score, score.Grade, score.Veto, score.Lines);
        }).OrderByDescending(s => s.Score).ThenBy(s => s.UnitName, StringComparer.Ordinal).ToList();
    }
}
