using Rectify.Workflows.Calendar;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Documents;

/// <summary>The ledger (台账): one row per visible item with every field, as an .xlsx the office can file or forward.</summary>
public static class LedgerApi
{
    /// <summary>The columns; the first ten are the import's headers, so a ledger imports back as the same items.</summary>
    public static readonly IReadOnlyList<(string Header, double Width)> Columns =
    [
        ("序号", 6), ("问题类别", 12), ("反馈问题", 30), ("问题详情", 24), ("整改措施", 30), ("整改目标", 18), ("责任领导", 10),
        ("牵头单位", 14), ("责任单位", 18), ("整改时限", 12), ("当前时限（含延期）", 12), ("状态", 10), ("交办日期", 12),
        ("签收日期", 12), ("销号日期", 12), ("逾期工作日", 8), ("督办等级", 10), ("未完成单位", 28), ("问题来源", 10), ("最新进展", 30),
    ];

    /// <summary>The second sheet: each unit's own figures, score and grade (issue 12), as <c>GET /api/campaigns/{id}/units</c>.</summary>
    public static readonly IReadOnlyList<(string Header, double Width)> UnitColumns =
    [
        ("名次", 6), ("单位", 20), ("交办数", 8), ("已签收", 8), ("已完成", 8), ("按时完成", 9), ("逾期完成", 9), ("逾期未完成", 10),
        ("逾期工作日", 10), ("催办", 7), ("督办函", 7), ("挂牌督办", 9), ("约谈", 7), ("未按期报送", 10), ("得分", 8), ("等次", 8), ("计分明细", 60),
    ];

    /// <summary>The third sheet: 清零 per source (issue 15.5), when any item names a source.</summary>
    public static readonly IReadOnlyList<(string Header, double Width)> SourceColumns =
        [("问题来源", 16), ("问题数", 8), ("已销号", 8), ("未销号", 8), ("销号率", 8), ("清零", 8)];

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Ledger(
        Guid campaignId, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions,
        string? unit, string? state, bool? overdue, string? q, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        if (state is not null) v.OneOf("state", state, ItemStates.All);
        var query = v.Optional("q", q, 200);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var ledger = await BuildAsync(connection, definitions, campaignId, user, new ItemFilters(unit, state, overdue, query), clock.GetUtcNow(), null, ct);
        if (ledger is null) return Problems.NotFound("整改工作");
        return TypedResults.File(ledger.Value.Bytes, XlsxBuilder.ContentType, ledger.Value.FileName);
    }

    /// <summary>
    /// The ledger as the user may see it, or null when the campaign is not visible to them. <paramref name="progress"/>
    /// (rows written, rows in all) is called as the sheet is written: the background export (POST …/ledger/export) shows it.
    /// </summary>
    public static async Task<(byte[] Bytes, string FileName)?> BuildAsync(
        NpgsqlConnection connection, DefinitionStore definitions, Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now,
        Action<int, int>? progress, CancellationToken ct)
    {
        var unit = filters.Unit;
        var campaign = await CampaignsApi.FindVisibleAsync(connection, campaignId, user, now, ct);
        if (campaign is null) return null;
        var items = await DocumentItems.LoadAsync(connection, campaignId, user, filters, now, ct);
        var notes = await ProgressNotes.LatestAsync(connection, items.Select(i => i.Id).ToArray(), null, ct);
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        var calendar = await LoadCalendarAsync(connection, ct);
        var facts = await AssignmentFacts.LoadAsync(connection, campaignId, ct);
        var names = await AssignmentFacts.UnitNamesAsync(connection, facts.Select(f => f.Unit).Distinct().ToArray(), ct);
        var behind = facts.Where(f => f.State is AssignmentStates.Assigned or AssignmentStates.InProgress)
            .GroupBy(f => f.ItemId)
            .ToDictionary(g => g.Key, g => string.Join("、", g.Select(f =>
                (names.GetValueOrDefault(f.Unit) ?? f.Unit) + (f.State == AssignmentStates.Assigned ? "（未签收）" : ""))));
        var scores = UnitScores.Visible(await UnitScores.ForCampaignAsync(connection, definitions, campaign, now, ct), user)
            .Where(s => unit is null || s.Unit == unit).ToList();

        progress?.Invoke(0, items.Count);
        var rows = items.Select((i, n) =>
        {
            progress?.Invoke(n + 1, items.Count);
            return (IReadOnlyList<object?>)
            [
                i.Number, i.Category, i.Title, i.Description, i.Measures, i.Target, i.ResponsibleLeaderName, i.LeadUnitName, i.UnitNames,
                i.Ongoing ? "长期坚持" : Labels.IsoDate(i.Deadline), i.Ongoing ? "" : Labels.IsoDate(i.EffectiveDeadline),
                Labels.State(i.State), Labels.IsoDate(i.AssignedOn), Labels.IsoDate(i.AcknowledgedOn), Labels.IsoDate(i.ClosedOn),
                i.WorkingDaysOverdue(calendar, today) is var late and > 0 ? late : null, Labels.Escalation(i.EscalationLevel),
                i.State is ItemStates.Closed or ItemStates.Draft or ItemStates.Withdrawn ? null : behind.GetValueOrDefault(i.Id), i.Source,
                notes.GetValueOrDefault(i.Id),
            ];
        });
        var unitRows = scores.Select(s => (IReadOnlyList<object?>)
        [
            s.Rank, s.UnitName, s.Assigned, s.Acknowledged, s.Completed, s.ClosedOnTime, s.ClosedLate, s.Overdue, s.OverdueDays,
            s.LevelsReached.GetValueOrDefault("urge"), s.LevelsReached.GetValueOrDefault("supervisionLetter"),
            s.LevelsReached.GetValueOrDefault("listedSupervision"), s.LevelsReached.GetValueOrDefault("admonitoryTalk"), s.MissedReports,
            s.Score, s.Grade, Arithmetic(s),
        ]);
        var title = $"{campaign.Title} 整改台账（截至{Labels.Date(today)}，共{items.Count}项）";
        var unitTitle = $"{campaign.Title} 各单位得分与等次（截至{Labels.Date(today)}）";
        var sheets = new List<XlsxSheet> { new("整改台账", title, Columns, rows), new("单位得分", unitTitle, UnitColumns, unitRows) };
        var sources = ReportFigures.BySource(items, today);
        if (sources.Count > 0)
        {
            sheets.Add(new XlsxSheet("按来源清零", $"{campaign.Title} 各来源问题清零情况（截至{Labels.Date(today)}）", SourceColumns,
                sources.Select(x => (IReadOnlyList<object?>)[x.Source, x.Total, x.Closed, x.Open, x.ClosedShare, x.Cleared ? "已清零" : "未清零"])));
        }
        var bytes = XlsxBuilder.Build(sheets);
        return (bytes, FileName(campaign.Title, "整改台账", today, "xlsx"));
    }

    /// <summary>A score's arithmetic in one line: "基础分 100；按时完成 3×1=+3；逾期工作日 6×1=−6 → 97 好".</summary>
    internal static string Arithmetic(UnitScoreDto s)
    {
        string Number(double v) => v.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        var lines = s.Breakdown.Select(l => l.Rule == "base"
            ? $"{Chinese(l.Label)} {Number(l.Points)}"
            : $"{Chinese(l.Label)} {Number(l.Quantity)}×{Number(l.PointsEach)}={(l.Points >= 0 ? "+" : "−")}{Number(Math.Abs(l.Points))}");
        var text = $"{string.Join("；", lines)} → {Number(s.Score)} {s.Grade}";
        return s.Veto is null ? text : $"{text}（{Chinese(s.Veto).TrimEnd('。')}）";
    }

    private static string Chinese(string bilingual) => bilingual.Split(" / ", 2)[0];

    /// <summary>The runtime's working-day calendar (table calendar_days), so documents count days as reminders do.</summary>
    internal static Task<CalendarSnapshot> LoadCalendarAsync(NpgsqlConnection connection, CancellationToken ct) =>
        WorkingCalendar.ReadAsync(connection, ct);

    internal static string FileName(string campaignTitle, string kind, DateOnly asOf, string extension)
    {
        var safe = new string(campaignTitle.Where(c => !Path.GetInvalidFileNameChars().Contains(c) && c is not '"' and not '\\' and not '/').ToArray());
        if (safe.Length > 40) safe = safe[..40];
        return $"{safe}{kind}_{asOf:yyyyMMdd}.{extension}";
    }
}
