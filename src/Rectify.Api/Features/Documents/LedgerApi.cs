using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
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

    /// <summary>
    /// The ledger as a download that streams: the campaign is checked first (404 before anything is sent), then the
    /// workbook is written row by row as the database sends the items, so the first bytes leave at once and the service's
    /// memory does not grow with the campaign.
    /// </summary>
    public static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> Ledger(
        Guid campaignId, [AsParameters] LedgerQuery query, [AsParameters] ApiRequest api, DefinitionStore definitions, CancellationToken ct)
    {
        var (unit, state, overdue, q) = query;
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        if (state is not null) v.OneOf("state", state, ItemStates.All);
        var search = v.Optional("q", q, 200);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var now = clock.GetUtcNow();
        CampaignDto? campaign;
        await using (var connection = await db.OpenConnectionAsync(ct))
            campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, now, ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var filters = new ItemFilters(unit, state, overdue, search);
        var fileName = FileName(campaign.Title, "整改台账", ItemStatus.LocalToday(now, campaign.TimeZone), "xlsx");
        return TypedResults.Stream(async body =>
        {
            var aborted = http.RequestAborted;
            await using var connection = await db.OpenConnectionAsync(aborted);
            await WriteAsync(connection, definitions, new LedgerRequest(campaign, user, filters, now), body, null, aborted);
        }, XlsxBuilder.ContentType, fileName);
    }

    /// <summary>
    /// The ledger as the user may see it, or null when the campaign is not visible to them. <paramref name="progress"/>
    /// (rows written, rows in all) is called as the sheet is written: the background export (POST …/ledger/export) shows it.
    /// </summary>
    public static async Task<(byte[] Bytes, string FileName)?> BuildAsync(
        NpgsqlConnection connection, DefinitionStore definitions, LedgerFile file, Action<int, int>? progress, CancellationToken ct)
    {
        var (campaignId, user, filters, now) = file;
        var campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, now, ct);
        if (campaign is null) return null;
        using var stream = new MemoryStream();
        await WriteAsync(connection, definitions, new LedgerRequest(campaign, user, filters, now), stream, progress, ct);
        return (stream.ToArray(), FileName(campaign.Title, "整改台账", ItemStatus.LocalToday(now, campaign.TimeZone), "xlsx"));
    }

    /// <summary>
    /// Writes the workbook into <paramref name="output"/>: the ledger (one row per item, streamed), each unit's score and
    /// grade, and 清零 per source when any item names one (counted as the rows pass).
    /// </summary>
    public static async Task WriteAsync(
        NpgsqlConnection connection, DefinitionStore definitions, LedgerRequest request, Stream output, Action<int, int>? progress, CancellationToken ct)
    {
        var (campaign, user, filters, now) = request;
        var unit = filters.Unit;
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        await using var snapshot = await DocumentItems.BeginSnapshotAsync(connection, ct);
        var calendar = await LoadCalendarAsync(connection, ct);
        var total = await DocumentItems.CountAsync(connection, campaign.Id, user, filters, now, ct);
        var sources = new SourceTally(today);
        using var xlsx = new XlsxStreamWriter(output);

        progress?.Invoke(0, total);
        var written = 0;
        async IAsyncEnumerable<IReadOnlyList<object?>> Rows()
        {
            await foreach (var i in DocumentItems.StreamAsync(connection, campaign.Id, user, filters, now, ct))
            {
                sources.Add(i);
                progress?.Invoke(++written, Math.Max(total, written));
                yield return
                [
                    i.Number, i.Category, i.Title, i.Description, i.Measures, i.Target, i.ResponsibleLeaderName, i.LeadUnitName, i.UnitNames,
                    i.Ongoing ? "长期坚持" : Labels.IsoDate(i.Deadline), i.Ongoing ? "" : Labels.IsoDate(i.EffectiveDeadline),
                    Labels.State(i.State), Labels.IsoDate(i.AssignedOn), Labels.IsoDate(i.AcknowledgedOn), Labels.IsoDate(i.ClosedOn),
                    i.WorkingDaysOverdue(calendar, today) is var late and > 0 ? late : null, Labels.Escalation(i.EscalationLevel),
                    i.State is ItemStates.Closed or ItemStates.Draft or ItemStates.Withdrawn ? null : i.Behind, i.Source,
                    i.LatestNote,
                ];
            }
        }
        var title = $"{campaign.Title} 整改台账（截至{Labels.Date(today)}，共{total}项）";
        await xlsx.WriteSheetAsync("整改台账", title, Columns, Rows(), ct);
        if (written != total) progress?.Invoke(written, written);

        var scores = UnitScores.Visible(await UnitScores.ForCampaignAsync(connection, definitions, campaign, now, ct), user)
            .Where(s => unit is null || s.Unit == unit).ToList();
        var unitTitle = $"{campaign.Title} 各单位得分与等次（截至{Labels.Date(today)}）";
        xlsx.BeginSheet("单位得分", unitTitle, UnitColumns);
        foreach (var s in scores)
        {
            xlsx.Row(
            [
                s.Rank, s.UnitName, s.Assigned, s.Acknowledged, s.Completed, s.ClosedOnTime, s.ClosedLate, s.Overdue, s.OverdueDays,
                s.LevelsReached.GetValueOrDefault("urge"), s.LevelsReached.GetValueOrDefault("supervisionLetter"),
                s.LevelsReached.GetValueOrDefault("listedSupervision"), s.LevelsReached.GetValueOrDefault("admonitoryTalk"), s.MissedReports,
                s.Score, s.Grade, Arithmetic(s),
            ]);
        }
        xlsx.EndSheet();
        var bySource = sources.Figures();
        if (bySource.Count > 0)
        {
            xlsx.BeginSheet("按来源清零", $"{campaign.Title} 各来源问题清零情况（截至{Labels.Date(today)}）", SourceColumns);
            foreach (var x in bySource) xlsx.Row([x.Source, x.Total, x.Closed, x.Open, x.ClosedShare, x.Cleared ? "已清零" : "未清零"]);
            xlsx.EndSheet();
        }
        await xlsx.FinishAsync(ct);
    }

    /// <summary>
    /// The query of <c>GET /api/campaigns/{id}/ledger.xlsx</c> and <c>POST …/ledger/export</c>: the item list's filters
    /// (<see cref="ItemFilters"/>), under the item list's names.
    /// </summary>
    public sealed record LedgerQuery(
        [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "state")] string? State, [FromQuery(Name = "overdue")] bool? Overdue,
        [FromQuery(Name = "q")] string? Q);

    /// <summary>
    /// The ledger built whole as a file (the background export, the archive): of which campaign, whose, filtered how, as
    /// of when.
    /// </summary>
    public sealed record LedgerFile(Guid CampaignId, CurrentUser User, ItemFilters Filters, DateTimeOffset Now);

    /// <summary>Whose ledger of which campaign, filtered how, as of when.</summary>
    public sealed record LedgerRequest(CampaignDto Campaign, CurrentUser User, ItemFilters Filters, DateTimeOffset Now);

    /// <summary>
    /// 清零 per source counted as the ledger's rows pass (the rules of <see cref="ReportFigures.BySource"/>: closed by the
    /// date, open unless withdrawn), in the order the sources first appear, items without a source last.
    /// </summary>
    private sealed class SourceTally(DateOnly asOf)
    {
        private readonly Dictionary<string, (int Order, int Total, int Closed, int Open)> bySource = new(StringComparer.Ordinal);
        private bool named;

        public void Add(DocumentItem item)
        {
            named |= item.Source is not null;
            var key = item.Source ?? Items.SourceFigure.Unnamed;
            (int Order, int Total, int Closed, int Open) e = bySource.TryGetValue(key, out var found) ? found : (bySource.Count, 0, 0, 0);
            var closed = item.ClosedBy(asOf);
            bySource[key] = (e.Order, e.Total + 1, e.Closed + (closed ? 1 : 0), e.Open + (!closed && item.State != "withdrawn" ? 1 : 0));
        }

        public IReadOnlyList<Items.SourceFigure> Figures() => !named ? [] : bySource
            .OrderBy(kv => kv.Key == Items.SourceFigure.Unnamed).ThenBy(kv => kv.Value.Order)
            .Select(kv => new Items.SourceFigure(kv.Key, kv.Value.Total, kv.Value.Closed, kv.Value.Open))
            .ToList();
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
