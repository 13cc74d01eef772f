using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 19, defect 2 (docs/adr/0500-definition-governance.md): publishing a workflow definition is the
/// administrator's right, and a campaign keeps the version it was created with — a new version with looser rules
/// changes nothing for existing campaigns.
/// </summary>
public sealed class DefinitionGovernanceTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    [Fact]
    public async Task LeadingGroupPublish_Refused403_NothingChanged_ExistingCampaignsKeepTheirVersionsRules()
    {
        var org = await Org.CreateAsync(app, "gv");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var v1 = await (await org.Admin.GetAsync("/api/workflow-definitions/rectification-campaign")).JsonAsync();
        var version1 = v1.GetProperty("version").GetInt32();
        // The probe's definition: units may approve their own closure; and acknowledging becomes the administrator's.
        var looser = JsonNode.Parse(v1.GetProperty("definition").GetRawText())!.AsObject();
        foreach (var e in looser["item"]!["events"]!.AsArray())
        {
            if (e!["type"]!.GetValue<string>() == "approveClosure") e["roles"] = new JsonArray("leadUnit", "responsibleUnit", "leadingGroup", "admin");
            if (e!["type"]!.GetValue<string>() == "acknowledge") e["roles"] = new JsonArray("admin");
        }
        var body = looser.ToJsonString();

        // Campaign A exists (launched) and campaign D is a draft before anything is published.
        var (a, aItems) = await org.CampaignAsync([org.Item("甲：台账不全", "2026-06-30", withB: false)], title: "既有整改");
        (await org.Lgo.PostAsync($"/api/campaigns/{a}/launch", null)).EnsureSuccessStatusCode();
        var (d, _) = await org.CampaignAsync([org.Item("丁：草稿", "2026-06-30")], title: "草稿整改");

        var versions = await app.QueryAsync<long>("select count(*) from workflow_definitions");
        var journal = await app.QueryAsync<long>("select count(*) from admin_journal");
        await (await org.Lgo.PostAsync("/api/workflow-definitions", new StringContent(body, Encoding.UTF8, "application/json")))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await app.QueryAsync<long>("select count(*) from workflow_definitions")).ShouldBe(versions);
        (await app.QueryAsync<long>("select count(*) from admin_journal")).ShouldBe(journal);
        (await org.Dcs.PostAsync("/api/workflow-definitions", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await org.UnitA.PostAsync("/api/workflow-definitions", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The administrator publishes it: version + 1.
        var published = await (await org.Admin.PostAsync("/api/workflow-definitions", new StringContent(body, Encoding.UTF8, "application/json"))).JsonAsync();
        published.GetProperty("version").GetInt32().ShouldBe(version1 + 1);

        // A keeps version 1 and its rules: the unit acknowledges, and cannot approve its own closure.
        (await (await org.Lgo.GetAsync($"/api/campaigns/{a}")).JsonAsync()).GetProperty("workflow").GetProperty("version").GetInt32().ShouldBe(version1);
        var item = aItems[0];
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 evidence"u8.ToArray()), "file", "整改佐证.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", note = "已整改", attachmentIds = new[] { attachment } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" });
        ((int)refused.StatusCode).ShouldBeOneOf([403, 422]);
        (await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync()).Str("state").ShouldBe("closureRequested");

        // The draft edited without naming a version keeps its pinned one too.
        (await org.Lgo.PutAsJsonAsync($"/api/campaigns/{d}", new
        {
            title = "草稿整改（修改）", issuedByUnit = org.LgoCode, supervisionUnit = org.DcsCode, timeZone = "Asia/Shanghai",
            workflow = new { id = "rectification-campaign" }, phases = Array.Empty<object>(),
        })).EnsureSuccessStatusCode();
        (await (await org.Lgo.GetAsync($"/api/campaigns/{d}")).JsonAsync()).GetProperty("workflow").GetProperty("version").GetInt32().ShouldBe(version1);

        // A campaign created now takes the new version and its rules.
        var (b, bItems) = await org.CampaignAsync([org.Item("乙：新规则", "2026-06-30")], title: "新建整改");
        (await (await org.Lgo.GetAsync($"/api/campaigns/{b}")).JsonAsync()).GetProperty("workflow").GetProperty("version").GetInt32().ShouldBe(version1 + 1);
        (await org.Lgo.PostAsync($"/api/campaigns/{b}/launch", null)).EnsureSuccessStatusCode();
        var acknowledge = await org.UnitA.PostAsJsonAsync($"/api/items/{bItems[0]}/events", new { type = "acknowledge" });
        ((int)acknowledge.StatusCode).ShouldBeOneOf([403, 422]);
    }
}
