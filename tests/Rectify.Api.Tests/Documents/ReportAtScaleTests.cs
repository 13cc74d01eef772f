using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Documents;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Documents;

/// <summary>
/// The report of a campaign larger than its lists' limit: the figures counted by the database equal the rules of
/// <see cref="ReportFigures"/> over every loaded item (as of past dates and today, for the office and a unit; today's
/// also from the maintained figures an office's report reads), and
/// sections 三 and 四 print the first <see cref="ReportLists.Limit"/> items in their order with the count of all.
/// </summary>
public sealed class ReportAtScaleTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private static readonly string[] Dates = ["2018-06-01", "2018-06-20", "2018-07-31"];

    private DateTimeOffset Now => app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    // 5 items of the problem list and 1,500 copies with a spread of states, deadlines, assignment and closing dates
    // (some closed after a report date, some near midnight in Shanghai), sources and escalations.
    private async Task<Guid> LargeCampaignAsync(string title)
    {
        var admin = await app.AdminAsync();
        var campaign = await LedgerTests.CampaignWithHistoryAsync(app, admin, title);
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.ExecuteAsync("""
            insert into item_sources(name) values ('省委巡视反馈'), ('审计发现') on conflict do nothing;
            create temp table copies as
                select i.*, k from items i cross join generate_series(1, 300) k where i.campaign_id = @campaign;
            update copies set id = gen_random_uuid(), seq = seq + 5 * k, number = (seq + 5 * k)::text,
                effective_deadline = case when ongoing then effective_deadline else date '2018-05-20' + (k * 13) % 70 end,
                source = case k % 3 when 0 then '省委巡视反馈' when 1 then '审计发现' end,
                assigned_at = case when k % 7 = 0 then timestamptz '2018-07-10T01:00:00Z' else assigned_at end,
                state = case when k % 10 < 4 then 'closed' when k % 10 = 4 then 'withdrawn' when k % 10 = 5 then 'assigned'
                             else 'inProgress' end,
                closed_at = case when k % 10 < 4 then
                    case when k % 17 = 0 then timestamptz '2018-06-19T17:30:00Z'
                         else timestamptz '2018-06-01T03:00:00Z' + ((k * 7) % 80) * interval '1 day' + (seq % 5) * interval '1 hour'
                    end end;
            update copies set state = 'draft', assigned_at = null where k % 23 = 0;
            alter table copies drop column k;
            insert into items select * from copies;
            insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at)
            select gen_random_uuid(), campaign_id, id, case when seq % 2 = 0 then 'urge' else 'supervisionLetter' end, 'dcs',
                   timestamptz '2018-06-01T01:00:00Z' + (seq % 50) * interval '1 day'
            from copies where seq % 3 = 0;
            drop table copies;
            """, new { campaign });
        return campaign;
    }

    private async Task<(IReadOnlyList<DocumentItem> Items, IReadOnlyDictionary<Guid, string> Escalations)> LoadAsync(
        NpgsqlConnection connection, Guid campaign, CurrentUser user, DateOnly asOf)
    {
        var items = await DocumentItems.LoadAsync(connection, campaign, user, ItemFilters.None, Now, CancellationToken.None);
        var escalations = await ReportFigures.EscalationsAsync(
            connection, campaign, items.Select(i => i.Id).ToArray(), asOf, "Asia/Shanghai", CancellationToken.None);
        return (items, escalations);
    }

    [Fact]
    public async Task Figures_CountedByTheDatabase_EqualTheRulesOverEveryItem()
    {
        var campaign = await LargeCampaignAsync("全国规模报告口径");
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var today = Rectify.Workflows.Domain.ItemStatus.LocalToday(Now, "Asia/Shanghai");
        var users = new[]
        {
            new CurrentUser(Guid.Empty, "admin", "admin", null, null), new CurrentUser(Guid.Empty, "czj", "unit", "czj", null),
        };
        foreach (var user in users)
            foreach (var asOf in Dates.Select(d => DateOnly.Parse(d, CultureInfo.InvariantCulture)).Append(today))
            {
                var (items, escalations) = await LoadAsync(connection, campaign, user, asOf);
                var figures = await ReportFigures.ForCampaignAsync(connection, campaign, user, asOf, CancellationToken.None);
                var context = $"{user.UserName} {asOf}";
                figures.Summary.ShouldBe(ReportFigures.Count(null, "合计", items, asOf, escalations), context);
                figures.ByUnit.ShouldBe(ReportFigures.ByLeadUnit(items, asOf, escalations), context);
                figures.BySource.ShouldBe(ReportFigures.BySource(items, asOf), context);
                figures.Ongoing.ShouldBe(items.Count(i => i.Ongoing), context);
                if (user.Role == "admin" && asOf == today)
                {
                    // Today's report for an office reads the maintained figures (migration 0995): the same figures.
                    var maintained = await ReportFigures.ForTodayAsync(connection, campaign, today, CancellationToken.None);
                    maintained.Summary.ShouldBe(figures.Summary, $"{context} maintained");
                    maintained.ByUnit.ShouldBe(figures.ByUnit, $"{context} maintained");
                    maintained.BySource.ShouldBe(figures.BySource, $"{context} maintained");
                    maintained.Ongoing.ShouldBe(figures.Ongoing, $"{context} maintained");
                }
                // The spread reaches every figure (a test of zeros would prove nothing).
                if (user.Role == "admin" && asOf != DateOnly.Parse(Dates[0], CultureInfo.InvariantCulture))
                {
                    var s = figures.Summary;
                    new[] { s.ClosedOnTime, s.ClosedLate, s.Overdue, s.Escalated, figures.Ongoing, figures.ByUnit.Count - 1 }
                        .ShouldAllBe(n => n > 0, context);
                    figures.BySource.Count.ShouldBe(3, context);
                }
            }
    }

    [Fact]
    public async Task AUnitsLists_ReadFromItsOwnItems_AreTheListsOfItsItems()
    {
        var campaign = await LargeCampaignAsync("全国规模报告 单位清单");
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var unit = new CurrentUser(Guid.Empty, "czj", "unit", "czj", null);
        var today = Rectify.Workflows.Domain.ItemStatus.LocalToday(Now, "Asia/Shanghai");
        static List<Guid> Open(List<DocumentItem> rows) => (rows.Count <= ReportLists.Limit
            ? rows.OrderBy(i => i.Seq)
            : rows.OrderBy(i => i.EffectiveDeadline ?? DateOnly.MaxValue).ThenBy(i => i.Seq).Take(ReportLists.Limit))
            .Select(i => i.Id).ToList();
        var sizes = new List<int>();
        foreach (var day in Dates.Select(d => DateOnly.Parse(d, CultureInfo.InvariantCulture)).Append(today))
        {
            var (items, _) = await LoadAsync(connection, campaign, unit, day);
            var endOfDay = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();
            var query = new ReportLists.Query(campaign, unit, day, endOfDay);
            var overdue = items.Where(i => !i.ClosedBy(day) && ReportFigures.IsOverdue(i, day)).ToList();
            var unfinished = items.Where(i => !i.ClosedBy(day)).ToList();
            var closed = items.Where(i => i.ClosedBy(day)).ToList();
            sizes.AddRange([overdue.Count, unfinished.Count, closed.Count]);
            (await ReportLists.OverdueAsync(connection, query, overdue.Count, CancellationToken.None)).Rows.Select(i => i.Id)
                .ShouldBe(Open(overdue), $"三 (progress) {day}");
            (await ReportLists.UnfinishedAsync(connection, query, unfinished.Count, CancellationToken.None)).Rows.Select(i => i.Id)
                .ShouldBe(Open(unfinished), $"三 (final) {day}");
            var four = closed.Count <= ReportLists.Limit
                ? closed.OrderBy(i => i.ClosedOn).ThenBy(i => i.Seq)
                : closed.OrderByDescending(i => i.ClosedAt).ThenBy(i => i.Seq).Take(ReportLists.Limit);
            (await ReportLists.ClosedAsync(connection, query, closed.Count, CancellationToken.None)).Rows.Select(i => i.Id)
                .ShouldBe(four.Select(i => i.Id), $"四 {day}");
        }
        // Lists within the limit and beyond it, and some empty: every ordering is exercised.
        sizes.ShouldContain(n => n > ReportLists.Limit);
        sizes.ShouldContain(n => n > 0 && n <= ReportLists.Limit);
    }

    [Theory]
    [InlineData("progress", "2018-06-20")]
    [InlineData("final", "2018-07-31")]
    [InlineData("progress", "")]
    public async Task Lists_BeyondTheLimit_PrintTheFirstItemsInOrderAndCountThemAll(string kind, string asOf)
    {
        var campaign = await LargeCampaignAsync($"全国规模报告 {kind} {asOf}");
        var admin = await app.AdminAsync();
        var response = await admin.GetAsync($"/api/campaigns/{campaign}/report.docx?kind={kind}" + (asOf == "" ? "" : $"&asOf={asOf}"));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        OpenXmlChecks.WordErrors(bytes).ShouldBeEmpty();
        var doc = DocxText.Read(bytes);

        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var day = asOf == ""
            ? Rectify.Workflows.Domain.ItemStatus.LocalToday(Now, "Asia/Shanghai")
            : DateOnly.Parse(asOf, CultureInfo.InvariantCulture);
        var (items, escalations) = await LoadAsync(connection, campaign, new CurrentUser(Guid.Empty, "admin", "admin", null, null), day);
        var final = kind == "final";
        var open = items.Where(i => !i.ClosedBy(day) && (final || ReportFigures.IsOverdue(i, day))).ToList();
        var closed = items.Where(i => i.ClosedBy(day)).ToList();
        open.Count.ShouldBeGreaterThan(ReportLists.Limit);

        // Tables: by unit, by source, 三, 四, unit scores.
        var three = doc.Tables[2];
        var expected = open.OrderBy(i => i.EffectiveDeadline ?? DateOnly.MaxValue).ThenBy(i => i.Seq).Take(ReportLists.Limit).ToList();
        three.Skip(1).Select(r => r[0]).ShouldBe(expected.Select(i => i.Number));
        three.Skip(1).Select(r => r[5])
            .ShouldBe(expected.Select(i => escalations.TryGetValue(i.Id, out var l) ? Labels.Escalation(l) : ""));
        // 四: beyond the limit the most recently closed first; within it (150 closed by 20 June) every one by closing date as always.
        var four = doc.Tables[3];
        var bounded = closed.Count > ReportLists.Limit;
        bounded.ShouldBe(asOf != "2018-06-20");
        var listed = bounded
            ? closed.OrderByDescending(i => i.ClosedAt).ThenBy(i => i.Seq).Take(ReportLists.Limit).ToList()
            : closed.OrderBy(i => i.ClosedOn).ThenBy(i => i.Seq).ToList();
        four.Skip(1).Select(r => r[0]).ShouldBe(listed.Select(i => i.Number));
        four.Skip(1).Select(r => r[5]).ShouldBe(listed.Select(i => ReportFigures.ClosedOnTime(i, day) ? "按期" : "逾期"));

        doc.Paragraphs.ShouldContain(final
            ? $"以上列出整改时限最早的{ReportLists.Limit}项；尚未完成整改的全部{open.Count}项详见整改台账（ledger.xlsx）。"
            : $"以上列出逾期最久的{ReportLists.Limit}项；超期未销号的全部{open.Count}项详见整改台账（ledger.xlsx）。");
        var note = $"以上列出最近销号的{ReportLists.Limit}项；已销号的全部{closed.Count}项详见整改台账（ledger.xlsx）。";
        if (bounded) doc.Paragraphs.ShouldContain(note);
        else doc.All.ShouldNotContain("以上列出最近销号的");
        // The lists' 序号 column is as wide as their longest number needs (four digits here, wider than the 600 of short
        // numbers), taken from the 问题 column: each table still spans the text width.
        using var word = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var grids = word.MainDocumentPart!.Document!.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.TableGrid>()
            .Select(g => g.Elements<DocumentFormat.OpenXml.Wordprocessing.GridColumn>()
                .Select(c => int.Parse(c.Width!.Value!, CultureInfo.InvariantCulture)).ToList())
            .ToList();
        foreach (var grid in new[] { grids[2], grids[3] })
        {
            grid.Sum().ShouldBe(WordBuilder.TextWidth);
            grid[0].ShouldBe(140 * 4 + 240);
        }
        // The figures of the table by unit still count every item.
        doc.Tables[0][^1][2].ShouldBe(items.Count.ToString(CultureInfo.InvariantCulture));
    }
}
