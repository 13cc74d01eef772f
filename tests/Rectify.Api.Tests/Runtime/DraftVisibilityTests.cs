using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 19 (9): a draft campaign is its office's work in progress. A unit named in it does not see it, nor its items,
/// on any path (list, detail, search, document, page): it gets what it gets for something that does not exist, a 404
/// or an empty list. The same unit sees a launched campaign on every one of those paths, so each test can fail.
/// </summary>
[RunsLong]
public sealed class DraftVisibilityTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record World(Org Org, Guid Draft, Guid DraftItem, Guid Active, Guid ActiveItem);

    private async Task<World> WorldAsync(string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (draft, draftItems) = await org.CampaignAsync([org.Item("草稿里的问题", "2026-06-30")], title: "草稿整改工作");
        var (active, activeItems) = await org.CampaignAsync([org.Item("已交办的问题", "2026-06-30")], title: "已启动整改工作");
        (await org.Lgo.PostAsync($"/api/campaigns/{active}/launch", null)).EnsureSuccessStatusCode();
        return new World(org, draft, draftItems[0], active, activeItems[0]);
    }

    private static async Task<List<string>> Strings(HttpClient client, string url, string field)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().Select(e => e.Str(field)).ToList();
    }

    [Fact]
    public async Task CampaignList_UnitDoesNotListADraft_TheOfficesDo()
    {
        var w = await WorldAsync("dvl");
        foreach (var unit in new[] { w.Org.UnitA, w.Org.UnitB })
        {
            var ids = await Strings(unit, "/api/campaigns", "id");
            ids.ShouldNotContain(w.Draft.ToString());
            ids.ShouldContain(w.Active.ToString());
            (await Strings(unit, "/api/campaigns?q=草稿", "id")).ShouldBeEmpty();
        }
        (await Strings(w.Org.Lgo, "/api/campaigns", "id")).ShouldContain(w.Draft.ToString());
        (await Strings(w.Org.Dcs, "/api/campaigns", "id")).ShouldContain(w.Draft.ToString());
    }

    [Fact]
    public async Task CampaignDetail_UnitGets404ForADraft_UntilItIsLaunched()
    {
        var w = await WorldAsync("dvd");
        var draft = await w.Org.UnitA.GetAsync($"/api/campaigns/{w.Draft}");
        draft.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        draft.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await w.Org.UnitA.GetAsync($"/api/campaigns/{w.Active}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await w.Org.Lgo.GetAsync($"/api/campaigns/{w.Draft}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await w.Org.Lgo.PostAsync($"/api/campaigns/{w.Draft}/launch", null)).EnsureSuccessStatusCode();
        (await w.Org.UnitA.GetAsync($"/api/campaigns/{w.Draft}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ItemsList_AndSearch_UnitSeesNoDraftItem()
    {
        var w = await WorldAsync("dvi");
        var unit = w.Org.UnitA;
        var all = await Strings(unit, "/api/items", "id");
        all.ShouldNotContain(w.DraftItem.ToString());
        all.ShouldContain(w.ActiveItem.ToString());
        (await Strings(unit, $"/api/items?campaignId={w.Draft}", "id")).ShouldBeEmpty();
        (await Strings(unit, "/api/items?q=草稿里", "id")).ShouldBeEmpty();
        (await Strings(unit, $"/api/items?unit={w.Org.UnitACode}", "id")).ShouldNotContain(w.DraftItem.ToString());
        (await Strings(unit, "/api/items?q=已交办", "id")).ShouldBe([w.ActiveItem.ToString()]);
        (await Strings(w.Org.Lgo, "/api/items?q=草稿里", "id")).ShouldBe([w.DraftItem.ToString()]);
    }

    [Fact]
    public async Task ItemDetail_TimelineAndEvents_UnitGets404ForADraftItem()
    {
        var w = await WorldAsync("dvt");
        var unit = w.Org.UnitB;
        (await unit.GetAsync($"/api/items/{w.DraftItem}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/api/items/{w.DraftItem}/timeline")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.PostAsJsonAsync($"/api/items/{w.DraftItem}/events", new { type = "acknowledge" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/api/items/{w.ActiveItem}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await unit.GetAsync($"/api/items/{w.ActiveItem}/timeline")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await w.Org.Lgo.GetAsync($"/api/items/{w.DraftItem}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task LedgerAndReport_UnitGets404ForADraft()
    {
        var w = await WorldAsync("dvr");
        foreach (var document in new[] { "ledger.xlsx", "report.docx" })
        {
            (await w.Org.UnitA.GetAsync($"/api/campaigns/{w.Draft}/{document}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, document);
            (await w.Org.UnitA.GetAsync($"/api/campaigns/{w.Active}/{document}")).StatusCode.ShouldBe(HttpStatusCode.OK, document);
            (await w.Org.Lgo.GetAsync($"/api/campaigns/{w.Draft}/{document}")).StatusCode.ShouldBe(HttpStatusCode.OK, document);
        }
    }

    [Fact]
    public async Task Pages_UnitGets404ForADraftAndDoesNotSeeItListed()
    {
        var w = await WorldAsync("dvp");
        var unit = w.Org.UnitA;
        (await unit.GetAsync($"/campaigns/{w.Draft}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/items/{w.DraftItem}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/items?campaignId={w.Draft}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/campaigns/{w.Active}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await unit.GetAsync($"/items/{w.ActiveItem}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var list in new[] { "/campaigns", "/items", "/" })
        {
            var html = await (await unit.GetAsync(list)).Content.ReadAsStringAsync();
            html.ShouldNotContain("草稿整改工作", Case.Sensitive, list);
            html.ShouldNotContain("草稿里的问题", Case.Sensitive, list);
        }
        (await (await unit.GetAsync("/campaigns")).Content.ReadAsStringAsync()).ShouldContain("已启动整改工作");
        (await (await w.Org.Lgo.GetAsync("/campaigns")).Content.ReadAsStringAsync()).ShouldContain("草稿整改工作");
    }
}
