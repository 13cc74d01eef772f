using System.Net;
using System.Net.Http.Json;
using Rectify.Api.Tests.Documents;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 15.5: items carry a source from the list the offices extend, and the dashboard, the ledger and the report give
/// 清零 figures per source: a source is cleared when every one of its items is closed.
/// </summary>
public sealed class SourceFiguresTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    [Fact]
    public async Task DashboardLedgerAndReport_GiveClearedFiguresPerSource()
    {
        var org = await Org.CreateAsync(app, "sf");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        object Item(string title, string? source) => new
        {
            title, leadUnit = org.UnitACode, units = new[] { org.UnitACode }, deadline = "2026-06-30", ongoing = false, source,
        };
        var (campaign, ids) = await org.CampaignAsync([Item("审计发现一", "审计"), Item("审计发现二", "审计"), Item("媒体曝光", "媒体"), Item("无来源", null)], title: "来源整改");
        // An unknown source is refused, naming the field.
        var refused = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item("坏来源", "道听途说"));
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("问题来源“道听途说”不在来源列表中");
        (await (await org.Lgo.GetAsync($"/api/items/{ids[2]}")).JsonAsync()).Str("source").ShouldBe("媒体");

        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var media = ids[2];
        (await org.UnitA.PostAsJsonAsync($"/api/items/{media}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        var evidence = (await (await org.UnitA.PostAsync($"/api/items/{media}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{media}/events", new { type = "requestClosure", attachmentIds = new[] { evidence }, note = "已整改" })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{media}/events", new { type = "approveClosure" })).EnsureSuccessStatusCode();

        var ledger = await org.Lgo.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx");
        ledger.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = await ledger.Content.ReadAsByteArrayAsync();
        OpenXmlChecks.SpreadsheetErrors(bytes).ShouldBeEmpty();
        var items = OpenXmlChecks.Rows(bytes);
        items[1][18].ShouldBe("问题来源");
        items.Skip(2).Select(r => r.Length > 18 ? r[18] : "").ShouldBe(["审计", "审计", "媒体", ""]);
        var bySource = OpenXmlChecks.Rows(bytes, "按来源清零").Skip(2).Select(r => string.Join("|", r)).ToList();
        bySource.ShouldBe(["审计|2|0|2|0%|未清零", "媒体|1|1|0|100%|已清零", "（未注明来源）|1|0|1|0%|未清零"]);

        var report = DocxText.Read(await (await org.Lgo.GetAsync($"/api/campaigns/{campaign}/report.docx")).Content.ReadAsByteArrayAsync());
        report.All.ShouldContain("按问题来源：媒体反馈的问题已全部销号（清零）。");
        report.Tables.Single(t => t[0][0] == "问题来源").Skip(1).Select(r => string.Join("|", r))
            .ShouldBe(["审计|2|0|2|0%|未清零", "媒体|1|1|0|100%|已清零", "（未注明来源）|1|0|1|0%|未清零"]);

        var page = await (await org.Lgo.GetAsync($"/campaigns/{campaign}")).Content.ReadAsStringAsync();
        page.ShouldContain("data-testid=\"by-source\"");
        page.ShouldContain("<tr data-source=\"媒体\"><td>媒体</td><td>1</td><td>1</td><td>0</td><td>100%</td><td>已清零</td></tr>");
        page.ShouldContain("<tr data-source=\"审计\"><td>审计</td><td>2</td><td>0</td><td>2</td><td>0%</td><td>未清零</td></tr>");
    }
}
