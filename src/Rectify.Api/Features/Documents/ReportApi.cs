using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// What a report is built from: the campaign, the date, the figures, the items it lists (三 <paramref name="Open"/>,
/// 四 <paramref name="Closed"/>, each bounded) and the escalation level and latest note of each item 三 lists.
/// </summary>
public sealed record ReportData(
    string Kind, CampaignDto Campaign, string IssuerName, DateOnly AsOf, Figures Summary, IReadOnlyList<Figures> ByUnit,
    IReadOnlyList<Items.SourceFigure> BySource, int Ongoing, ReportList Open, ReportList Closed,
    IReadOnlyDictionary<Guid, string> Escalations, IReadOnlyDictionary<Guid, string> Notes,
    CalendarSnapshot Calendar, IReadOnlyList<UnitScoreDto> UnitScores, DateOnly Today);

/// <summary>整改进度报告 (progress) and 整改情况报告 (final) as .docx, as of a date.</summary>
public static class ReportApi
{
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "progress", "final" };

    /// <summary>The query of <c>GET /api/campaigns/{id}/report.docx</c>: which report (progress or final) as of which day.</summary>
    public sealed record ReportQuery([FromQuery(Name = "kind")] string? Kind = null, [FromQuery(Name = "asOf")] string? AsOf = null);

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Report(
        Guid campaignId, [AsParameters] ReportQuery query, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions,
        CancellationToken ct)
    {
        var (kind, asOf) = query;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var reportKind = v.OneOf("kind", kind ?? "progress", Kinds);
        DateOnly? date = null;
        if (!string.IsNullOrWhiteSpace(asOf))
        {
            if (Validator.TryParseDate(asOf, out var d)) date = d;
            else v.Add("asOf", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        }
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, now, ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        var day = date ?? today;
        if (day > today) return Problems.Unprocessable($"统计日期不能晚于今天（{Labels.IsoDate(today)}） / asOf cannot be in the future", "asOf");

        var data = await LoadAsync(connection, definitions, new ReportRequest(reportKind!, campaign, user, day, today, now), ct);
        var bytes = ReportDocument.Build(data);
        var name = reportKind == "final" ? "整改情况报告" : "整改进度报告";
        return TypedResults.File(bytes, WordBuilder.ContentType, LedgerApi.FileName(campaign.Title, name, day, "docx"));
    }

    /// <summary>
    /// Which report (progress or final) of which campaign, as whom, as of which day; <paramref name="Today"/> and
    /// <paramref name="Now"/> are the campaign's local date and the clock's instant the figures are read at.
    /// </summary>
    internal sealed record ReportRequest(
        string Kind, CampaignDto Campaign, CurrentUser User, DateOnly AsOf, DateOnly Today, DateTimeOffset Now);

    internal static async Task<ReportData> LoadAsync(NpgsqlConnection connection, DefinitionStore definitions, ReportRequest request, CancellationToken ct)
    {
        var (kind, campaign, user, asOf, today, now) = request;
        // The figures are counted by the database; only the rows the report lists are loaded (ReportLists). Today's, for a
        // caller who sees every item, come from the campaign's maintained figures; another date's from its items.
        var figures = asOf == today && Access.SeesEveryItem(user, campaign.IssuedByUnit, campaign.SupervisionUnit)
            ? await ReportFigures.ForTodayAsync(connection, campaign.Id, today, ct)
            : await ReportFigures.ForCampaignAsync(connection, campaign.Id, user, asOf, ct);
        var endOfDay = EndOfDay(asOf, campaign.TimeZone);
        var counted = figures.Summary;
        var lists = new ReportLists.Query(campaign.Id, user, asOf, endOfDay);
        var open = kind == "final"
            ? await ReportLists.UnfinishedAsync(connection, lists, counted.Open, ct)
            : await ReportLists.OverdueAsync(connection, lists, counted.Overdue, ct);
        var closed = await ReportLists.ClosedAsync(connection, lists, counted.Closed, ct);
        var ids = open.Rows.Select(i => i.Id).ToArray();
        var escalations = await ReportFigures.EscalationsAsync(connection, campaign.Id, ids, asOf, campaign.TimeZone, ct);
        var notes = await ProgressNotes.LatestAsync(connection, ids, endOfDay, ct);
        var calendar = await LedgerApi.LoadCalendarAsync(connection, ct);
        var summary = figures.Summary;
        if (asOf == today)
        {
            // Today the report states what GET /api/campaigns/{id} states, from the same query.
            var stats = (await CampaignStatistics.ForAsync(connection, [campaign.Id], now, user, ct))[campaign.Id];
            summary = summary with
            {
                Total = (int)stats.Total,
                ClosedOnTime = (int)stats.ClosedOnTime,
                ClosedLate = (int)stats.ClosedLate,
                Overdue = (int)stats.Overdue,
            };
        }
        var issuer = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select name from units where code = @code", new { code = campaign.IssuedByUnit }, cancellationToken: ct)) ?? campaign.IssuedByUnit;
        // Grades are of each unit's record as it stands (the levels its parts reached carry no dates), so a report of
        // a past date states them as of today and says so.
        var scores = UnitScores.Visible(await UnitScores.ForCampaignAsync(connection, definitions, campaign, now, ct), user);
        return new ReportData(
            kind, campaign, issuer, asOf, summary, figures.ByUnit, figures.BySource, figures.Ongoing, open, closed, escalations, notes,
            calendar, scores, today);
    }

    private static DateTimeOffset EndOfDay(DateOnly day, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
