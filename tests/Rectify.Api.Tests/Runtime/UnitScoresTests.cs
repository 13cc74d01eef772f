using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Api.Features.Documents;
using Rectify.Api.Tests.Documents;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Unit scores and grades (issue 12, seed 003) through <c>GET /api/campaigns/{id}/units</c>, the report and the ledger.
/// One item, deadline Monday 22 June 2026, lead unit A and responsible units B, C, D: B completes its part on time, C two
/// working days late (after the 催办 of Tue 23 June), D never signs; the clock then stands on Tue 14 July, the 16th
/// working day after the deadline, when the ladder reaches 约谈.
/// </summary>
[RunsLong]
public sealed class UnitScoresTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record World(Org Org, HttpClient UnitC, Guid Campaign, Guid Item)
    {
        public string C => Org.Prefix + "uc";
        public string D => Org.Prefix + "ud";
    }

    private async Task<World> WorldAsync(string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        async Task<HttpClient> Unit(string code, string name)
        {
            (await org.Admin.PostAsJsonAsync("/api/units", new { code = prefix + code, name, kind = "township" })).EnsureSuccessStatusCode();
            (await org.Admin.PostAsJsonAsync("/api/people", new { name = name + "联络员", unitCode = prefix + code, isUnitContact = true, email = $"{prefix}{code}@example.cn" }))
                .EnsureSuccessStatusCode();
            (await org.Admin.PostAsJsonAsync("/api/users", new { userName = prefix + code, password = Org.Password, role = "unit", unitCode = prefix + code })).EnsureSuccessStatusCode();
            return await app.ClientAsAsync(prefix + code, Org.Password);
        }
        var c = await Unit("uc", "章凤镇");
        await Unit("ud", "户撒乡");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([new
        {
            title = "农村危房改造不到位", leadUnit = org.UnitACode, units = new[] { org.UnitBCode, prefix + "uc", prefix + "ud" },
            deadline = "2026-06-22", ongoing = false, responsibleLeaderId = org.Leader,
        }], title: "单位评分测试整改");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        return new World(org, c, campaign, items[0]);
    }

    private static async Task Act(HttpClient client, Guid item, string type, string? note = null) =>
        (await client.PostAsJsonAsync($"/api/items/{item}/events", new { type, note })).EnsureSuccessStatusCode();

    private static JsonElement Row(JsonElement rows, string unit) => rows.EnumerateArray().Single(r => r.Str("unit") == unit);

    private async Task<string[]> LevelsAsync(Guid item, string unit) =>
        (await app.QueryAsync<string[]>("select levels_reached from assignments where item_id = @item and unit_code = @unit", new { item, unit })) ?? [];

    /// <summary>The shipped definition's points per escalation level reached (workflows/rectification-campaign.json).</summary>
    private static readonly Dictionary<string, int> LevelPoints = new() { ["urge"] = 2, ["supervisionLetter"] = 5, ["listedSupervision"] = 8, ["admonitoryTalk"] = 12 };

    [Fact]
    public async Task EachUnitIsScoredFromItsOwnPart_GradesDiffer_TheArithmeticAddsUp_AndAUnitSeesItsOwnRow()
    {
        var w = await WorldAsync("us");
        var (org, item) = (w.Org, w.Item);
        await Act(org.UnitA, item, "acknowledge");
        await Act(org.UnitB, item, "acknowledge");
        await Act(w.UnitC, item, "acknowledge");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 18, 10));
        await Act(org.UnitB, item, "complete", "本单位危房改造已完成");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 24, 15));
        await Act(w.UnitC, item, "complete", "本单位危房改造已完成（逾期）");
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 14, 10));

        var response = await org.Lgo.GetAsync($"/api/campaigns/{w.Campaign}/units");
        var rows = await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        rows.GetArrayLength().ShouldBe(4);

        // B: its part on time, no escalation although its item reached 约谈: 100 + 1 on time, kept within 100 → 好.
        var b = Row(rows, org.UnitBCode);
        (b.GetProperty("assigned").GetInt32(), b.GetProperty("acknowledged").GetInt32(), b.GetProperty("completed").GetInt32(),
            b.GetProperty("closedOnTime").GetInt32(), b.GetProperty("closedLate").GetInt32(), b.GetProperty("overdue").GetInt32(),
            b.GetProperty("escalations").GetInt32()).ShouldBe((1, 1, 1, 1, 0, 0, 0));
        b.GetProperty("score").GetDouble().ShouldBe(100);
        b.Str("grade").ShouldBe("好");
        b.GetProperty("rank").GetInt32().ShouldBe(1);
        (await LevelsAsync(item, org.UnitBCode)).ShouldBeEmpty();

        // C: completed Wed 24 June, two working days late, after the 催办 of Tue 23 June and before the 督办函 of Fri 26 June.
        var c = Row(rows, w.C);
        (c.GetProperty("completed").GetInt32(), c.GetProperty("closedOnTime").GetInt32(), c.GetProperty("closedLate").GetInt32(),
            c.GetProperty("overdue").GetInt32(), c.GetProperty("overdueDays").GetInt32()).ShouldBe((1, 0, 1, 0, 2));
        (await LevelsAsync(item, w.C)).ShouldBe(["urge"]);
        c.GetProperty("escalations").GetInt32().ShouldBe(1);
        c.GetProperty("score").GetDouble().ShouldBe(100 - 2 - 2);
        c.Str("grade").ShouldBe("好");
        c.GetProperty("rank").GetInt32().ShouldBe(2);

        // D: never signed, 16 working days late on Tue 14 July, every level of the ladder: 100 − 16 − 27 = 57 → 较差, and the veto.
        var d = Row(rows, w.D);
        (d.GetProperty("acknowledged").GetInt32(), d.GetProperty("completed").GetInt32(), d.GetProperty("overdue").GetInt32(),
            d.GetProperty("overdueDays").GetInt32()).ShouldBe((0, 0, 1, 16));
        var dLevels = await LevelsAsync(item, w.D);
        dLevels.ShouldBe(["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"]);
        d.GetProperty("escalations").GetInt32().ShouldBe(4);
        d.GetProperty("score").GetDouble().ShouldBe(57);
        d.Str("grade").ShouldBe("较差");
        // The veto (约谈 → not 好) changes nothing for a unit already below 好, so it is not named as a reason.
        d.GetProperty("veto").ValueKind.ShouldBe(JsonValueKind.Null);

        // A, the lead unit, has not completed either (it completes by asking for closure, refused while D is not done).
        var a = Row(rows, org.UnitACode);
        var aLevels = await LevelsAsync(item, org.UnitACode);
        a.GetProperty("escalations").GetInt32().ShouldBe(aLevels.Length);
        a.GetProperty("score").GetDouble().ShouldBe(Math.Max(0, 100 - 16 - aLevels.Sum(l => LevelPoints[l])));

        // Every score is its breakdown's sum (kept within 0..100), and the ranking is best first.
        foreach (var row in rows.EnumerateArray())
        {
            var sum = row.GetProperty("breakdown").EnumerateArray().Sum(l => l.GetProperty("points").GetDouble());
            row.GetProperty("score").GetDouble().ShouldBe(Math.Clamp(sum, 0, 100), row.Str("unit"));
        }
        rows.EnumerateArray().Select(r => r.GetProperty("score").GetDouble()).ShouldBeInOrder(SortDirection.Descending);
        rows.EnumerateArray().Select(r => r.Str("grade")).Distinct().Count().ShouldBeGreaterThanOrEqualTo(2);
        Row(rows, w.D).GetProperty("breakdown").EnumerateArray().Select(l => (l.Str("rule"), l.GetProperty("points").GetDouble())).ShouldBe([
            ("base", 100), ("perOverdueDay", -16), ("perEscalationLevel.urge", -2), ("perEscalationLevel.supervisionLetter", -5),
            ("perEscalationLevel.listedSupervision", -8), ("perEscalationLevel.admonitoryTalk", -12)]);

        // The supervision office sees every unit; a unit user its own row only, with its rank among all.
        (await (await org.Dcs.GetAsync($"/api/campaigns/{w.Campaign}/units")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(4);
        var own = await (await w.UnitC.GetAsync($"/api/campaigns/{w.Campaign}/units")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        own.GetArrayLength().ShouldBe(1);
        own[0].Str("unit").ShouldBe(w.C);
        own[0].GetProperty("rank").GetInt32().ShouldBe(2);

        // Paging: a slice of the ranking, the total in a header.
        var slice = await org.Lgo.GetAsync($"/api/campaigns/{w.Campaign}/units?page=2&pageSize=3");
        (await slice.ShouldHaveStatusAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(1);
        slice.Headers.GetValues("X-Total-Count").Single().ShouldBe("4");
        (await (await org.Lgo.GetAsync($"/api/campaigns/{w.Campaign}/units?page=9&pageSize=500")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(0);

        // The final report carries the table; the ledger a sheet per unit and, on the item, the units not done.
        var report = await org.Lgo.GetByteArrayAsync($"/api/campaigns/{w.Campaign}/report.docx?kind=final");
        OpenXmlChecks.WordErrors(report).ShouldBeEmpty();
        var doc = DocxText.Read(report);
        doc.All.ShouldContain("五、各单位得分与等次");
        int Count(string grade) => rows.EnumerateArray().Count(r => r.Str("grade") == grade);
        doc.All.ShouldContain($"参加评分的单位4个，其中评为好{Count("好")}个、较好{Count("较好")}个、一般{Count("一般")}个、较差{Count("较差")}个。");
        var grades = doc.Tables.Single(t => t[0][0] == "名次");
        grades[0].ShouldBe(["名次", "单位", "交办数", "已签收", "按时完成", "逾期完成", "逾期未完成", "逾期工作日", "督办", "得分", "等次"]);
        grades.Single(r => r[1] == "测试镇").ShouldBe(["1", "测试镇", "1", "1", "1", "0", "0", "0", "0", "100", "好"]);
        grades.Single(r => r[1] == "户撒乡").ShouldBe([grades.Single(r => r[1] == "户撒乡")[0], "户撒乡", "1", "0", "0", "0", "1", "16", "4", "57", "较差"]);

        var ledger = await org.Lgo.GetByteArrayAsync($"/api/campaigns/{w.Campaign}/ledger.xlsx");
        OpenXmlChecks.SpreadsheetErrors(ledger).ShouldBeEmpty();
        var items = OpenXmlChecks.Rows(ledger);
        items[2][LedgerApi.Columns.Select(h => h.Header).ToList().IndexOf("未完成单位")].ShouldBe("县测试局、户撒乡（未签收）");
        var units = OpenXmlChecks.Rows(ledger, "单位得分");
        units[0][0].ShouldStartWith("单位评分测试整改 各单位得分与等次（截至2026年7月14日）");
        units[1].ShouldBe(LedgerApi.UnitColumns.Select(h => h.Header).ToArray());
        units.Count.ShouldBe(2 + 4);
        var dRow = units.Single(r => r.Length > 1 && r[1] == "户撒乡");
        dRow[2..16].ShouldBe(["1", "0", "0", "0", "0", "1", "16", "1", "1", "1", "1", "0", "57", "较差"]);
        dRow[16].ShouldBe("基础分 100；逾期工作日 16×1=−16；催办 1×2=−2；督办函 1×5=−5；挂牌督办 1×8=−8；约谈 1×12=−12 → 57 较差");

        // Opened as a person would: LibreOffice prints both documents, and the grades read right on paper.
        var dir = Directory.CreateTempSubdirectory("rectify-grades-");
        try
        {
            var docx = Path.Combine(dir.FullName, "report.docx");
            await File.WriteAllBytesAsync(docx, report);
            var reportText = await LedgerPrintTests.RunAsync("pdftotext", "-layout", await LedgerPrintTests.PrintToPdfAsync(docx, dir.FullName), "-");
            reportText.ShouldContain("五、各单位得分与等次");
            reportText.Split('\n').Single(l => l.Contains("户撒乡", StringComparison.Ordinal) && l.Contains("较差", StringComparison.Ordinal)).ShouldContain("57");
            var xlsx = Path.Combine(dir.FullName, "ledger.xlsx");
            await File.WriteAllBytesAsync(xlsx, ledger);
            var ledgerText = await LedgerPrintTests.RunAsync("pdftotext", "-layout", await LedgerPrintTests.PrintToPdfAsync(xlsx, dir.FullName), "-");
            ledgerText.ShouldContain("各单位得分与等次");
            ledgerText.ShouldContain("未签收");
            ledgerText.Split('\n').Single(l => l.Contains("测试镇", StringComparison.Ordinal) && l.Contains("好", StringComparison.Ordinal) && l.Contains("基础分", StringComparison.Ordinal))
                .ShouldContain("100");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Units_BadInput_404ForUnknownOrForeignCampaigns_400ForPagingOutOfRange_NothingForADraft()
    {
        var w = await WorldAsync("ub");
        var other = await Org.CreateAsync(app, "uo");
        var url = $"/api/campaigns/{w.Campaign}/units";

        var unknown = await (await w.Org.Lgo.GetAsync($"/api/campaigns/{Guid.NewGuid()}/units")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        unknown.Str("detail").ShouldContain("整改工作");
        // A unit (or office) of another county does not learn that the campaign exists.
        await (await other.UnitA.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Lgo.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await app.CreateClient().GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        foreach (var (query, field) in new[] { ("page=0", "page"), ("page=-2147483648", "page"), ("pageSize=0", "pageSize"), ("pageSize=501", "pageSize"), ("page=1&pageSize=2147483647", "pageSize") })
        {
            var problem = await (await w.Org.Lgo.GetAsync($"{url}?{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
            problem.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldMatch("[\u4e00-\u9fff]");
        }
        (await w.Org.Lgo.GetAsync($"{url}?page=abc")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await w.Org.Lgo.GetAsync($"/api/campaigns/not-a-guid/units")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A campaign not yet launched has no parts to score.
        var (draft, _) = await w.Org.CampaignAsync([w.Org.Item("草稿问题", "2026-09-30")], title: "未启动的整改");
        (await (await w.Org.Lgo.GetAsync($"/api/campaigns/{draft}/units")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(0);
    }
}
