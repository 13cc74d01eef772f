using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Rectify.Api.Features.Documents;
using Rectify.Api.Tests.Import;
using Rectify.Api.Tests.Runtime;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Documents;

/// <summary>
/// The documents over the real runtime: an imported list launched, worked through events (progress, extension,
/// closure with evidence) and left to escalate on the controllable clock; ledger, report and feed agree with the API.
/// </summary>
public sealed class RuntimeDocumentsTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    [Fact]
    public async Task ImportedCampaign_WorkedByTheRuntime_DocumentsAgreeWithTheApi()
    {
        var org = await Org.CreateAsync(app, "rd");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, _) = await org.CampaignAsync([], "运行时文档测试", phases:
        [
            new { key = "plan", start = "2026-06-01", end = "2026-06-30" }, new { key = "rectify", start = "2026-06-01", end = "2026-07-31" },
            new { key = "report", start = "2026-08-01", end = "2026-08-10" },
        ]);
        var list = Csv(
        [
            ["序号", "反馈问题", "责任领导", "牵头单位", "责任单位", "整改时限"],
            ["1", "按期销号的问题", "陈副县长", org.UnitACode, "", "2026年6月10日前"],
            ["2", "延期的问题", "", "县测试局", "测试镇", "6月22日前"],
            ["3", "超期的问题", "", org.UnitACode, "", "2026-06-12"],
            ["4", "长期坚持的问题", "", org.UnitBCode, "", "长期坚持"],
        ], CsvEncoding.Gbk);
        (await DocumentsSeed.ImportAsync(org.Lgo, campaign, list, "清单.csv")).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var items = (await DocumentsSeed.ItemsAsync(org.Admin, campaign)).ToDictionary(i => i.Number!, i => i.Id);

        async Task Send(HttpClient client, Guid item, object body) => (await client.PostAsJsonAsync($"/api/items/{item}/events", body)).EnsureSuccessStatusCode();
        foreach (var n in new[] { "1", "2" }) await Send(org.UnitA, items[n], new { type = "acknowledge" });
        await Send(org.UnitA, items["1"], new { type = "progress", note = "已完成摸底排查" });
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/items/{items["1"]}/attachments", pdf)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 5, 10));
        await Send(org.UnitA, items["1"], new { type = "requestClosure", note = "整改完成", attachmentIds = new[] { attachment } });
        await Send(org.Lgo, items["1"], new { type = "approveClosure" });
        await Send(org.UnitA, items["2"], new { type = "progress", note = "资金未到位，正在协调" });

        var feedBefore = await org.UnitA.GetStringAsync($"/api/units/{org.UnitACode}/deadlines.ics");
        await Send(org.UnitA, items["2"], new { type = "requestExtension", note = "资金未到位", newDeadline = "2026-07-15" });
        await Send(org.Lgo, items["2"], new { type = "approveExtension", note = "同意" });
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 25, 10));

        var stats = (await org.Admin.GetFromJsonAsync<JsonElement>($"/api/campaigns/{campaign}")).GetProperty("stats");
        int Stat(string name) => stats.GetProperty(name).GetInt32();
        (Stat("total"), Stat("closedOnTime"), Stat("closedLate"), Stat("overdue")).ShouldBe((4, 1, 0, 1));
        var escalated = await app.QueryAsync<long>("select count(distinct item_id) from escalations where campaign_id = @campaign", new { campaign });
        escalated.ShouldBeGreaterThan(0);

        var report = DocxText.Read(await org.Lgo.GetByteArrayAsync($"/api/campaigns/{campaign}/report.docx?kind=final"));
        report.All.ShouldContain($"本次整改共梳理问题4项。截至2026年6月25日，已整改销号1项，其中按期销号1项、逾期销号0项，");
        report.All.ShouldContain($"尚未销号3项，其中超过整改时限未销号1项；累计启动督办{escalated}项。");
        var open = report.Tables[1].Skip(1).ToDictionary(r => r[0]);
        open.Keys.ShouldBe(["2", "3", "4"]);
        open["2"][3].ShouldBe("2026-07-15");
        open["2"][6].ShouldBe("资金未到位，正在协调");
        open["3"][5].ShouldNotBeEmpty();

        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var calendar = await Rectify.Workflows.Calendar.WorkingCalendar.ReadAsync(connection, CancellationToken.None);
        var ledger = OpenXmlChecks.Rows(await org.Lgo.GetByteArrayAsync($"/api/campaigns/{campaign}/ledger.xlsx")).Skip(2).ToDictionary(r => r[0]);
        string Col(string number, string header) => ledger[number][LedgerApi.Columns.Select(c => c.Header).ToList().IndexOf(header)];
        Col("1", "状态").ShouldBe("已销号");
        Col("1", "责任领导").ShouldBe("陈副县长");
        Col("1", "最新进展").ShouldBe("已完成摸底排查");
        Col("2", "整改时限").ShouldBe("2026-06-22");
        Col("2", "当前时限（含延期）").ShouldBe("2026-07-15");
        Col("3", "逾期工作日").ShouldBe(calendar.WorkingDaysBetween(new DateOnly(2026, 6, 12), new DateOnly(2026, 6, 25)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Col("3", "督办等级").ShouldNotBeEmpty();

        string Event(string feed, Guid item) => System.Text.RegularExpressions.Regex.Match(feed.Replace("\r\n ", ""), $"BEGIN:VEVENT\r\nUID:item-{item}@rectify\r\n(.*?)END:VEVENT", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        int Sequence(string e) => int.Parse(System.Text.RegularExpressions.Regex.Match(e, "SEQUENCE:(\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var feedAfter = await org.UnitA.GetStringAsync($"/api/units/{org.UnitACode}/deadlines.ics");
        Event(feedBefore, items["2"]).ShouldContain("DTSTART;VALUE=DATE:20260622");
        Event(feedAfter, items["2"]).ShouldContain("DTSTART;VALUE=DATE:20260715");
        Sequence(Event(feedAfter, items["2"])).ShouldBeGreaterThan(Sequence(Event(feedBefore, items["2"])));
        feedAfter.ShouldNotContain($"UID:item-{items["1"]}@rectify");
        // The unit's own plan (a deliverable of the shipped workflow, due at the end of the plan phase).
        feedAfter.ShouldContain("SUMMARY:【应报材料】单位整改方案");
    }
}
