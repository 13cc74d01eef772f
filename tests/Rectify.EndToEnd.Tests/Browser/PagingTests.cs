using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Issue 13: <c>?page=2</c> showed page 1 again on every list page ("page" is the route value Razor Pages gives the page
/// itself, and model binding took it before the query string), so nothing past row 20 could be reached. Each list is
/// filled past two pages and walked through its "next" links to the last page, where its last row must be.
/// </summary>
[RunsLong]
public sealed partial class PagingTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const int Extra = 45;

    [Fact]
    public async Task EveryPagedList_NextToTheLastPage_ReachesEveryRow()
    {
        var admin = await app.ApiAsAsync("admin", RectifyApp.AdminPassword);
        var office = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);
        var units = new List<string>();
        var people = new List<string>();
        var users = new List<string>();
        var campaigns = new List<string>();
        var items = new List<string>();
        for (var i = 0; i < Extra; i++)
        {
            var code = $"pg{i:D2}";
            await Created(await admin.PostAsJsonAsync("/api/units", new { code, name = $"分页测试单位{i:D2}", kind = "department" }));
            units.Add($"分页测试单位{i:D2}");
            await Created(await admin.PostAsJsonAsync("/api/people", new { name = $"分页人员{i:D2}", unitCode = code }));
            people.Add($"分页人员{i:D2}");
            await Created(await admin.PostAsJsonAsync("/api/users", new { userName = $"paging{i:D2}", password = "Paging#Walk-2026-Long", role = "unit", unitCode = code }));
            users.Add($"paging{i:D2}");
        }
        string? campaignId = null;
        for (var i = 0; i < 25; i++)
        {
            var title = $"分页测试整改工作{i:D2}";
            var body = await Created(await office.PostAsJsonAsync("/api/campaigns", new { title, issuedByUnit = "lgo", workflow = new { id = "rectification-campaign" } }));
            campaignId ??= body.GetProperty("id").GetString();
            campaigns.Add(title);
        }
        for (var i = 0; i < Extra; i++)
        {
            var title = $"分页测试问题{i:D2}";
            await Created(await office.PostAsJsonAsync($"/api/campaigns/{campaignId}/items",
                new { title, leadUnit = "fpb", units = Array.Empty<string>(), deadline = app.Today.AddMonths(2).ToString("yyyy-MM-dd"), ongoing = false }));
            items.Add(title);
        }

        await using var a = await app.NewSessionAsync();
        await a.SignInAsync("admin", RectifyApp.AdminPassword);
        (await WalkAsync(a, "/admin/units", "[data-testid=units] tbody tr")).ShouldContainAllOf(units);
        (await WalkAsync(a, "/admin/people", "[data-testid=people] tbody tr")).ShouldContainAllOf(people);
        (await WalkAsync(a, "/admin/users", "[data-testid=users] tbody tr")).ShouldContainAllOf(users);
        await using var o = await app.NewSessionAsync();
        await o.SignInAsync("lgo", RectifyApp.DemoPassword);
        (await WalkAsync(o, "/campaigns", "main table tbody tr")).ShouldContainAllOf(campaigns);
        (await WalkAsync(o, $"/items?campaignId={campaignId}", "[data-testid=items] tbody tr")).ShouldContainAllOf(items);
        a.ShouldHaveNoConsoleErrors();
        o.ShouldHaveNoConsoleErrors();
    }

    /// <summary>
    /// Follows "下一页" from the first page to the last; checks the pager's page numbers and total on the way and returns the
    /// text of every row seen, each once.
    /// </summary>
    private static async Task<IReadOnlyList<string>> WalkAsync(UiSession s, string path, string rows)
    {
        await s.GoAsync(path);
        var seen = new List<string>();
        for (var expectedPage = 1; ; expectedPage++)
        {
            var pager = Pager().Match(await s.TextAsync("nav.pager span"));
            pager.Success.ShouldBeTrue($"{path}: no pager");
            int.Parse(pager.Groups[1].Value).ShouldBe(expectedPage, $"{path}: page shown");
            var pages = int.Parse(pager.Groups[2].Value);
            var total = int.Parse(pager.Groups[3].Value);
            var onPage = await s.Page.Locator(rows).AllInnerTextsAsync();
            onPage.ShouldNotBeEmpty($"{path} page {expectedPage}");
            seen.AddRange(onPage.Select(r => r.Trim()));
            var next = s.Page.Locator("nav.pager a[rel=next]");
            if (await next.CountAsync() == 0)
            {
                expectedPage.ShouldBe(pages, $"{path}: the last page has no next link");
                seen.Count.ShouldBe(total, $"{path}: rows seen over all pages");
                seen.Distinct().Count().ShouldBe(seen.Count, $"{path}: a row shown on two pages");
                return seen;
            }
            await s.ClickAndWaitForPageAsync(next);
        }
    }

    private static async Task<JsonElement> Created(HttpResponseMessage response)
    {
        ((int)response.StatusCode).ShouldBe(201, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [GeneratedRegex(@"第\s*(\d+)\s*/\s*(\d+)\s*页，共\s*(\d+)\s*条")]
    private static partial Regex Pager();
}

internal static class RowAssertions
{
    /// <summary>Every expected name stands in some row.</summary>
    public static void ShouldContainAllOf(this IReadOnlyList<string> rows, IEnumerable<string> expected)
    {
        var missing = expected.Where(e => !rows.Any(r => r.Contains(e, StringComparison.Ordinal))).ToList();
        missing.ShouldBeEmpty();
    }
}
