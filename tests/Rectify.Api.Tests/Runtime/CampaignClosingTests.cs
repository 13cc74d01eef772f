using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Api.Tests.Documents;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Closing a campaign (issue 13.6): refused while items are open (422 naming them), then closed once every item is
/// closed or withdrawn — journaled, timers gone, the final report kept — and read-only from then on. Launched Monday
/// 1 June 2026; one item is closed, the other withdrawn.
/// </summary>
public sealed class CampaignClosingTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    private static Task<HttpResponseMessage> Close(HttpClient client, Guid campaign, object? body = null) =>
        client.PostAsJsonAsync($"/api/campaigns/{campaign}/close", body ?? new { note = "全部问题已销号，整改工作结束" });

    private static MultipartFormDataContent Pdf(string name) => new() { { new ByteArrayContent("%PDF-1.7 整改佐证"u8.ToArray()), "file", name } };

    [Fact]
    public async Task Close_RefusedWhileItemsAreOpen_ThenClosedJournaledWithItsFinalReport_AndReadOnly()
    {
        var org = await Org.CreateAsync(app, "cls");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("农村危房改造不到位", "2026-06-22"), org.Item("饮水安全台账不实", "2026-06-30")], "结束归档测试");
        var (done, gone) = (items[0], items[1]);

        // A draft is not closed (it can still be edited).
        var draft = await Close(org.Lgo, campaign);
        draft.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await draft.JsonAsync()).Str("detail").ShouldContain("尚未启动");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        // Open items: 422 naming each (id, title, state in Chinese), nothing changed.
        var refused = await Close(org.Lgo, campaign);
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await refused.JsonAsync();
        problem.Str("detail").ShouldStartWith("还有2项问题未销号或撤销，不能结束整改工作：");
        problem.Str("detail").ShouldContain("农村危房改造不到位（已交办）");
        var open = problem.GetProperty("openItems").EnumerateArray().ToList();
        open.Select(i => i.GetProperty("id").GetGuid()).ShouldBe([done, gone]);
        open.Select(i => i.Str("title")).ShouldBe(["农村危房改造不到位", "饮水安全台账不实"]);
        open.Select(i => i.Str("stateName")).ShouldAllBe(s => s == "已交办");
        (await (await org.Lgo.GetAsync($"/api/campaigns/{campaign}")).JsonAsync()).Str("state").ShouldBe("active");

        // Only the issuing office and the administrator: a unit and the supervision office are refused whatever the items.
        (await Close(org.UnitA, campaign)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Close(org.Dcs, campaign)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Close(org.Lgo, Guid.NewGuid())).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var tooLong = await Close(org.Lgo, campaign, new { note = new string('长', 2001) });
        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooLong.JsonAsync()).GetProperty("errors").TryGetProperty("note", out _).ShouldBeTrue();
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/close", new StringContent("{\"note\": 5}", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // One item closed the ordinary way, the other withdrawn; one left open is still named.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 10, 10));
        (await Send(org.UnitA, done, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, done, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, done, new { type = "complete", note = "本镇已完成" })).EnsureSuccessStatusCode();
        var file = (await (await org.UnitA.PostAsync($"/api/items/{done}/attachments", Pdf("危房改造验收表.pdf"))).JsonAsync()).GetProperty("id").GetGuid();
        (await Send(org.UnitA, done, new { type = "requestClosure", note = "改造完成", attachmentIds = new[] { file } })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, done, new { type = "approveClosure", note = "同意销号" })).EnsureSuccessStatusCode();
        var oneLeft = await (await Close(org.Lgo, campaign)).JsonAsync();
        oneLeft.GetProperty("openItems").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldBe([gone]);
        (await Send(org.Lgo, gone, new { type = "withdraw", note = "问题与第1项重复" })).EnsureSuccessStatusCode();

        var closed = await Close(org.Lgo, campaign);
        var body = await closed.Content.ReadAsStringAsync();
        closed.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var dto = JsonDocument.Parse(body).RootElement;
        dto.Str("state").ShouldBe("closed");
        dto.GetProperty("closedAt").GetDateTimeOffset().ShouldBe(RuntimeApp.Local(2026, 6, 10, 10), TimeSpan.FromMinutes(5));
        dto.Str("closedBy").ShouldBe("clslg");
        dto.Str("closeNote").ShouldBe("全部问题已销号，整改工作结束");

        // Journaled; no timer of the campaign is left; the final report of that day is kept and opens as Word would.
        (await app.QueryAsync<long>("select count(*) from journal where campaign_id = @campaign and type = 'campaignClosed' and actor = 'clslg'", new { campaign })).ShouldBe(1);
        (await app.QueryAsync<long>("select count(*) from timers where campaign_id = @campaign", new { campaign })).ShouldBe(0);
        var report = await app.QueryAsync<byte[]>("select content from campaign_final_reports where campaign_id = @campaign", new { campaign });
        OpenXmlChecks.WordErrors(report).ShouldBeEmpty();
        var text = DocxText.Read(report).All;
        text.ShouldContain("整改情况报告");
        text.ShouldContain("截至2026年6月10日");
        (await app.QueryAsync<string>("select file_name from campaign_final_reports where campaign_id = @campaign", new { campaign }))
            .ShouldBe("结束归档测试整改情况报告_20260610.docx");

        // Closing twice: 422, and the first close stands.
        var twice = await Close(org.Admin, campaign);
        twice.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await twice.JsonAsync()).Str("detail").ShouldContain("已于2026年6月10日结束归档");
        (await app.QueryAsync<string>("select closed_by from campaigns where id = @campaign", new { campaign })).ShouldBe("clslg");

        // Read-only: events (a reopen too), changes, supplementary items, uploads, talks — 422 in Chinese, nothing written.
        var journal = await app.QueryAsync<long>("select count(*) from journal where campaign_id = @campaign", new { campaign });
        var item = await (await org.Lgo.GetAsync($"/api/items/{done}")).JsonAsync();
        item.GetProperty("allowedEvents").GetArrayLength().ShouldBe(0);
        var reopen = await Send(org.Dcs, done, new { type = "reopen", note = "回头看发现反弹", newDeadline = "2026-07-31" });
        reopen.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await reopen.JsonAsync()).Str("detail").ShouldContain("已结束归档");
        var edit = await org.Lgo.PutAsJsonAsync($"/api/items/{done}", new
        {
            title = "改名", leadUnit = org.UnitACode, units = new[] { org.UnitACode }, deadline = "2026-06-22", ongoing = false, note = "结束后修改",
        });
        edit.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var added = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", org.Item("结束后补充的问题", "2026-07-30"));
        added.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await added.JsonAsync()).Str("detail").ShouldContain("已结束归档");
        var upload = await org.UnitA.PostAsync($"/api/items/{done}/attachments", Pdf("补传.pdf"));
        upload.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await upload.JsonAsync()).GetProperty("errors").GetProperty("file")[0].GetString()!.ShouldContain("已结束归档");
        var talk = await org.Dcs.PostAsJsonAsync($"/api/items/{done}/talks", new { heldOn = "2026-06-10", people = "县测试局局长", note = "结束后补记" });
        talk.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var edited = await org.Lgo.PutAsJsonAsync($"/api/campaigns/{campaign}", new
        {
            title = "改名", issuedByUnit = org.LgoCode, supervisionUnit = org.DcsCode, timeZone = "Asia/Shanghai", workflow = new { id = "rectification-campaign" },
        });
        edited.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await app.QueryAsync<long>("select count(*) from journal where campaign_id = @campaign", new { campaign })).ShouldBe(journal);
        (await app.QueryAsync<long>("select count(*) from attachments where item_id = @done", new { done })).ShouldBe(1);
        (await app.QueryAsync<long>("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(2);
        (await app.QueryAsync<string>("select title from items where id = @done", new { done })).ShouldBe("农村危房改造不到位");

        // Still readable: the campaign, its items, the ledger and the report.
        (await org.UnitA.GetAsync($"/api/campaigns/{campaign}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.Lgo.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.Lgo.GetAsync($"/api/campaigns/{campaign}/report.docx?kind=final")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Close_ByTheAdministrator_OfACampaignWhoseItemsAreAllWithdrawn_Works_AndAnotherCountysOfficeCannot()
    {
        var org = await Org.CreateAsync(app, "cla");
        var other = await Org.CreateAsync(app, "clb");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("重复立项的问题", "2026-06-22", withB: false)], "全部撤销的整改工作");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await Send(org.Lgo, items[0], new { type = "withdraw", note = "重复立项" })).EnsureSuccessStatusCode();
        // Another county's office does not see the campaign: 404, as everywhere.
        (await Close(other.Lgo, campaign)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var closed = await Close(org.Admin, campaign, new { });
        closed.StatusCode.ShouldBe(HttpStatusCode.OK, await closed.Content.ReadAsStringAsync());
        var dto = await closed.JsonAsync();
        dto.Str("closedBy").ShouldBe("admin");
        dto.GetProperty("closeNote").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
