using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rectify.Api.Tests.Security;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 19, from the probe's reproductions: well-formed but extreme values (year 9999, thousands of years, page
/// 2147483647), invisible and XML-invalid characters, drafts seen by units, LIKE wildcards. Every request gets a 4xx
/// problem naming the field, never a 5xx, and a refused request changes nothing (docs/reliability.md "Hostile input").
/// </summary>
[RunsLong]
public sealed class HostileInputTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record World(Org Org, Guid Draft, Guid DraftItem, Guid Active, Guid ActiveItem, Guid Deliverable);

    private async Task<World> WorldAsync(string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (draft, draftItems) = await org.CampaignAsync([org.Item("草稿问题", "2026-06-30")], title: "草稿整改");
        var phases = new object[] { new { key = "plan", start = "2026-06-01", end = "2026-06-05" }, new { key = "report", start = "2026-06-20", end = "2026-06-30" } };
        var (active, activeItems) = await org.CampaignAsync([org.Item("进行中问题", "2026-06-30")], title: "进行中整改", phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{active}/launch", null)).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{activeItems[0]}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var deliverables = await (await org.UnitA.GetAsync($"/api/deliverables?campaignId={active}")).JsonAsync();
        var deliverable = deliverables.GetProperty("items").EnumerateArray().First(d => d.Str("kind") == "unitPlan")
            .GetProperty("id").GetGuid();
        return new World(org, draft, draftItems[0], active, activeItems[0], deliverable);
    }

    private object Campaign(Org org, string? noticeDate = null, object[]? phases = null, string title = "边界值整改") => new
    {
        title, issuedByUnit = org.LgoCode, supervisionUnit = org.DcsCode, timeZone = "Asia/Shanghai",
        workflow = new { id = "rectification-campaign" }, noticeDate, phases = phases ?? [],
    };

    private static object Item(Org org, string? deadline, bool ongoing = false, string? reportEvery = null, string title = "边界值问题", string? description = null) => new
    {
        title, description, leadUnit = org.UnitACode, units = new[] { org.UnitACode }, deadline, ongoing, reportEvery,
    };

    [Fact]
    public async Task ExtremeDatesAndDurations_AtEveryEndpointThatTakesThem_4xxNever5xx_NothingChanged()
    {
        var w = await WorldAsync("hr");
        var org = w.Org;
        var definition = (await (await org.Admin.GetAsync("/api/workflow-definitions/rectification-campaign")).JsonAsync()).GetProperty("definition");
        string Definition(Action<System.Text.Json.Nodes.JsonObject> change)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(definition.GetRawText())!.AsObject();
            change(node);
            return node.ToJsonString();
        }

        var requests = new List<(string Name, HttpClient Client, HttpMethod Method, string Url, HttpContent Body)>();
        void Add(string name, HttpClient client, HttpMethod method, string url, object body) =>
            requests.Add((name, client, method, url, JsonContent.Create(body)));
        void Raw(string name, HttpClient client, string url, string json) =>
            requests.Add((name, client, HttpMethod.Post, url, new StringContent(json, Encoding.UTF8, "application/json")));

        foreach (var (method, url) in new[] { (HttpMethod.Post, "/api/campaigns"), (HttpMethod.Put, $"/api/campaigns/{w.Draft}") })
        {
            Add($"{method} campaign noticeDate 9999", org.Lgo, method, url, Campaign(org, "9999-12-31"));
            Add($"{method} campaign noticeDate 1999", org.Lgo, method, url, Campaign(org, "1999-12-31"));
            Add($"{method} campaign noticeDate 2040", org.Lgo, method, url, Campaign(org, "2040-01-01"));
            Add($"{method} campaign phase end 9999", org.Lgo, method, url, Campaign(org, phases: [new { key = "plan", start = "2026-06-01", end = "9999-12-31" }]));
            Add($"{method} campaign phase start 0001", org.Lgo, method, url, Campaign(org, phases: [new { key = "plan", start = "0001-01-01", end = "2026-06-30" }]));
        }
        foreach (var (method, url) in new[] { (HttpMethod.Post, $"/api/campaigns/{w.Draft}/items"), (HttpMethod.Put, $"/api/items/{w.DraftItem}") })
        {
            Add($"{method} item deadline 9999", org.Lgo, method, url, Item(org, "9999-12-31"));
            Add($"{method} item deadline 1999", org.Lgo, method, url, Item(org, "1999-12-31"));
            // Ten years and a day after the campaign's creation (it has no notice date): beyond its reach.
            Add($"{method} item deadline 2036-06-02", org.Lgo, method, url, Item(org, "2036-06-02"));
            foreach (var every in new[] { "P100000Y", "P99999999999Y", "P2Y", "P13M", "P367D", "P53W", "P0D", "P1Y1D", "P12M1D" })
                Add($"{method} item reportEvery {every}", org.Lgo, method, url, Item(org, null, ongoing: true, reportEvery: every));
        }
        Add("extension newDeadline 9999", org.UnitA, HttpMethod.Post, $"/api/items/{w.ActiveItem}/events", new { type = "requestExtension", note = "延期", newDeadline = "9999-12-31" });
        Add("extension newDeadline 2040", org.UnitA, HttpMethod.Post, $"/api/items/{w.ActiveItem}/events", new { type = "requestExtension", note = "延期", newDeadline = "2040-01-01" });
        Add("extension newDeadline 1999", org.UnitA, HttpMethod.Post, $"/api/items/{w.ActiveItem}/events", new { type = "requestExtension", note = "延期", newDeadline = "1999-01-01" });
        Add("reopen newDeadline 9999", org.Dcs, HttpMethod.Post, $"/api/items/{w.ActiveItem}/events", new { type = "reopen", note = "反弹", newDeadline = "9999-12-31" });
        Add("talk heldOn 9999", org.Dcs, HttpMethod.Post, $"/api/items/{w.ActiveItem}/talks", new { heldOn = "9999-12-31", people = "局长", note = "约谈" });
        Add("talk heldOn 1999", org.Dcs, HttpMethod.Post, $"/api/items/{w.ActiveItem}/talks", new { heldOn = "1999-12-31", people = "局长", note = "约谈" });
        Add("clock now 9999", org.Admin, HttpMethod.Post, "/api/admin/clock", new { now = "9999-12-31T00:00:00Z" });
        Add("clock advance P100000Y", org.Admin, HttpMethod.Post, "/api/admin/clock", new { advanceBy = "P100000Y" });
        Add("clock advance P99999999999D", org.Admin, HttpMethod.Post, "/api/admin/clock", new { advanceBy = "P99999999999D" });
        Raw("definition every P99M", org.Admin, "/api/workflow-definitions", Definition(d => d["periodicReports"]!["every"] = "P99M"));
        Raw("definition catch-up PT99999999999H", org.Admin, "/api/workflow-definitions", Definition(d => d["catchUp"]!["reminderMaxLateness"] = "PT99999999999H"));
        Raw("definition reminder P999D", org.Admin, "/api/workflow-definitions",
            Definition(d => d["reminders"]!["beforeDeadline"] = new System.Text.Json.Nodes.JsonArray("P999D", "P3D")));
        Raw("definition report lead P999D", org.Admin, "/api/workflow-definitions", Definition(d => d["periodicReports"]!["reminderBefore"] = "P999D"));

        var db = app.Database.CreateDataSource();
        var fingerprint = await DatabaseFingerprint.OfAsync(db);
        var before = await fingerprint.TakeAsync();
        var wrong = new List<string>();
        foreach (var (name, client, method, url, body) in requests)
        {
            var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = body });
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (status is not (400 or 422)) wrong.Add($"{name}: {status} {text}");
            else if (!text.Contains("\"errors\"", StringComparison.Ordinal) && !text.Contains("\"detail\"", StringComparison.Ordinal)) wrong.Add($"{name}: no problem details: {text}");
        }
        wrong.ShouldBeEmpty();
        (await fingerprint.TakeAsync()).ShouldBe(before, "a refused request changed the database");

        // The bounds themselves are allowed: a yearly cadence, a deadline ten years after the campaign's creation.
        (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, null, ongoing: true, reportEvery: "P1Y"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, null, ongoing: true, reportEvery: "P1D"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2036-06-01"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2000-01-01"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        // And the campaign still launches and its timers fire (nothing beyond what the schedule arithmetic can compute).
        (await org.Lgo.PostAsync($"/api/campaigns/{w.Draft}/launch", null)).EnsureSuccessStatusCode();
        await org.SetClockAsync(RuntimeApp.Local(2026, 9, 1, 10));
        (await app.QueryAsync<long>("select count(*) from incidents where resolved_at is null")).ShouldBe(0);
    }

    [Fact]
    public async Task EveryList_ExtremePageNumbers_NeverA5xx_AndPastTheEndIsEmpty()
    {
        var w = await WorldAsync("hp");
        var doc = await (await w.Org.Admin.GetAsync("/openapi/v1.json")).JsonAsync();
        var lists = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            if (path.Name.Contains('{') || !path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters)) continue;
            if (parameters.EnumerateArray().Any(p => p.Str("name") == "page")) lists.Add(path.Name);
        }
        lists.Count.ShouldBeGreaterThanOrEqualTo(8);
        var wrong = new List<string>();
        foreach (var client in new[] { w.Org.Admin, w.Org.Lgo, w.Org.UnitA })
        {
            foreach (var list in lists)
            {
                foreach (var query in new[] { "page=2147483647&pageSize=500", "page=2147483647&pageSize=2147483647", "page=-2147483648&pageSize=-2147483648", "page=0&pageSize=0", "page=99999999999999" })
                {
                    var response = await client.GetAsync($"{list}?{query}");
                    var status = (int)response.StatusCode;
                    if (status >= 500) wrong.Add($"{list}?{query}: {status}");
                    if (query == "page=99999999999999" && status != 403)
                    {
                        // Too big for an int: the binder's 400, said in Chinese and naming the query parameter.
                        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                        if (status != 400 || !problem.TryGetProperty("errors", out var errors)
                            || errors.EnumerateObject().Select(e => e.Name).SingleOrDefault() != "page"
                            || !problem.Str("detail").StartsWith("请求无法解析：参数 page 的值 \"99999999999999\" 不是有效的整数", StringComparison.Ordinal))
                            wrong.Add($"{list}?{query}: {status} {problem}");
                    }
                    if (status == 200 && query.StartsWith("page=2147483647", StringComparison.Ordinal))
                    {
                        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("items", out var items) && items.GetArrayLength() != 0)
                            wrong.Add($"{list}?{query}: {items.GetArrayLength()} items past the end");
                    }
                }
            }
        }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task InvisibleAndInvalidCharacters_RefusedOnEveryWritePath_NamingTheField_NothingChanged()
    {
        var w = await WorldAsync("ht");
        var org = w.Org;
        var cases = new List<(string Name, Func<Task<HttpResponseMessage>> Send, string Field)>
        {
            ("campaign title U+202E", () => org.Lgo.PostAsJsonAsync("/api/campaigns", Campaign(org, title: "整改\u202E工作")), "title"),
            ("campaign document number U+200B", () => org.Lgo.PostAsJsonAsync("/api/campaigns", new
            {
                title = "整改", documentNumber = "县\u200B发〔2026〕1号", issuedByUnit = org.LgoCode, workflow = new { id = "rectification-campaign" }, phases = Array.Empty<object>(),
            }), "documentNumber"),
            ("item title U+FFFE", () => org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2026-06-30", title: "问题\uFFFE标题")), "title"),
            ("item title U+FFFF", () => org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2026-06-30", title: "问题\uFFFF")), "title"),
            ("item title U+0001", () => org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2026-06-30", title: "问题\u0001")), "title"),
            ("item description U+200F", () => org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Draft}/items", Item(org, "2026-06-30", description: "详情\u200F")), "description"),
            ("item edit description U+2066", () => org.Lgo.PutAsJsonAsync($"/api/items/{w.DraftItem}", Item(org, "2026-06-30", description: "详情\u2066x\u2069")), "description"),
            ("progress note U+FFFF", () => org.UnitA.PostAsJsonAsync($"/api/items/{w.ActiveItem}/events", new { type = "progress", note = "进展\uFFFF" }), "note"),
            ("progress note U+202E", () => org.UnitA.PostAsJsonAsync($"/api/items/{w.ActiveItem}/events", new { type = "progress", note = "进展\u202Etxt.exe" }), "note"),
            ("deliverable note U+FEFF", () => org.UnitA.PostAsJsonAsync($"/api/deliverables/{w.Deliverable}/events", new { type = "submit", note = "\uFEFF方案" }), "note"),
            ("talk note U+0007", () => org.Dcs.PostAsJsonAsync($"/api/items/{w.ActiveItem}/talks", new { heldOn = "2026-06-01", people = "局长", note = "约谈\u0007" }), "note"),
            ("talk people U+200B", () => org.Dcs.PostAsJsonAsync($"/api/items/{w.ActiveItem}/talks", new { heldOn = "2026-06-01", people = "局\u200B长" }), "people"),
            ("unit name U+FEFF", () => org.Admin.PostAsJsonAsync("/api/units", new { code = "ht-x", name = "\uFEFF县测试局", kind = "department" }), "name"),
            ("person name U+2067", () => org.Admin.PostAsJsonAsync("/api/people", new { name = "张\u2067三", unitCode = org.UnitACode }), "name"),
            ("attachment file name U+202E", () => org.UnitA.PostAsync($"/api/items/{w.ActiveItem}/attachments",
                new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "整改报告\u202Efdp.pdf" } }), "file"),
            ("attachment file name U+200B", () => org.UnitA.PostAsync($"/api/items/{w.ActiveItem}/attachments",
                new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "报\u200B告.pdf" } }), "file"),
        };
        var db = app.Database.CreateDataSource();
        var fingerprint = await DatabaseFingerprint.OfAsync(db);
        var before = await fingerprint.TakeAsync();
        foreach (var (name, send, field) in cases)
        {
            var response = await send();
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBeOneOf([400, 422], $"{name}: {text}");
            using var problem = JsonDocument.Parse(text);
            problem.RootElement.GetProperty("errors").TryGetProperty(field, out var messages).ShouldBeTrue($"{name}: {text}");
            messages[0].GetString()!.ShouldContain("U+", customMessage: name);
        }
        // A lone surrogate cannot even be read as JSON text: refused before any handler.
        var lone = await org.Lgo.PostAsync($"/api/campaigns/{w.Draft}/items",
            new StringContent($$"""{"title":"\ud800问题","leadUnit":"{{org.UnitACode}}","deadline":"2026-06-30"}""", Encoding.UTF8, "application/json"));
        ((int)lone.StatusCode).ShouldBe(400);
        (await fingerprint.TakeAsync()).ShouldBe(before, "a refused request changed the database");

        // Multi-line text keeps its line breaks and tabs; Chinese punctuation and emoji pairs are ordinary text.
        (await org.UnitA.PostAsJsonAsync($"/api/items/{w.ActiveItem}/events", new { type = "progress", note = "第一行\n\t第二行：已完成 100%。👍" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SearchWildcards_MatchLiterally_OnEverySearch()
    {
        var org = await Org.CreateAsync(app, "hq");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, _) = await org.CampaignAsync(
        [
            org.Item("完成率100%达标", "2026-06-30"), org.Item("完成率100达标", "2026-06-30"), org.Item("台账a_b不全", "2026-06-30"),
            org.Item("台账ab不全", "2026-06-30"), org.Item("路径C:\\temp错误", "2026-06-30"), org.Item("路径C:temp错误", "2026-06-30"),
        ], title: "通配符100%整改");
        await org.CampaignAsync([], title: "通配符100整改");
        async Task<List<string>> Titles(HttpClient client, string url, string field) =>
            (await (await client.GetAsync(url)).JsonAsync()).GetProperty("items").EnumerateArray().Select(e => e.Str(field)).ToList();

        (await Titles(org.Lgo, $"/api/items?campaignId={campaign}&q=%25", "title")).ShouldBe(["完成率100%达标"]);
        (await Titles(org.Lgo, $"/api/items?campaignId={campaign}&q=_", "title")).ShouldBe(["台账a_b不全"]);
        (await Titles(org.Lgo, $"/api/items?campaignId={campaign}&q=%5C", "title")).ShouldBe(["路径C:\\temp错误"]);
        (await Titles(org.Lgo, $"/api/items?campaignId={campaign}&q=100%25", "title")).ShouldBe(["完成率100%达标"]);
        (await Titles(org.Lgo, "/api/campaigns?q=%25", "title")).ShouldBe(["通配符100%整改"]);
        (await Titles(org.Admin, $"/api/units?q={org.Prefix}%25", "code")).ShouldBeEmpty();
        (await Titles(org.Admin, "/api/units?q=_", "code")).ShouldAllBe(c => c.Contains('_'));
        (await Titles(org.Admin, "/api/people?q=%25", "name")).ShouldBeEmpty();
        var ledger = await org.Lgo.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx?q=%25");
        ledger.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rows = Documents.OpenXmlChecks.Rows(await ledger.Content.ReadAsByteArrayAsync());
        rows.Skip(2).Select(r => r.First(c => c.Contains("完成率", StringComparison.Ordinal))).ShouldBe(["完成率100%达标"]);
    }
}
