using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Closing a campaign from its page (issue 13.6): refused with the list of open items (links to each), then closed
/// once nothing is open, the page saying so; the archive is exported from the page as a background task.
/// </summary>
public sealed class CampaignClosingPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task CloseButton_ListsTheOpenItemsWhenRefused_ThenClosesAndExportsTheArchive()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        var api = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);

        // The demo campaign has open items: the refusal names them, each a link to its item.
        var demo = (await api.GetFromJsonAsync<JsonElement>("/api/campaigns")).GetProperty("items").EnumerateArray().Single();
        await s.GoAsync($"/campaigns/{demo.GetProperty("id").GetString()}");
        await s.Page.Locator("[data-testid=close-campaign] summary").ClickAsync();
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "结束整改工作", Exact = true }));
        var refused = s.Page.Locator("[data-testid=close-refused]");
        (await refused.Locator("h2").InnerTextAsync()).ShouldStartWith("以下问题尚未销号或撤销");
        var open = await refused.Locator("li a").AllInnerTextsAsync();
        open.Count.ShouldBeGreaterThan(3);
        (await s.Page.Locator(".errors[role=alert]").InnerTextAsync()).ShouldContain("项问题未销号或撤销，不能结束整改工作");
        (await refused.Locator("li a").First.GetAttributeAsync("href"))!.ShouldMatch("^/items/[0-9a-f-]{36}$");
        (await s.TextAsync("header .badge")).ShouldBe("进行中");
        await s.ScreenshotAsync("campaign-close-refused");

        // A campaign whose only item was withdrawn closes, with its note; the page is read-only from then on.
        var campaign = (await (await api.PostAsJsonAsync("/api/campaigns", new
        {
            title = "页面结束归档测试", issuedByUnit = "lgo", supervisionUnit = "dcs", workflow = new { id = "rectification-campaign" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var item = (await (await api.PostAsJsonAsync($"/api/campaigns/{campaign}/items", new
        {
            title = "重复立项的问题", leadUnit = "fpb", units = new[] { "fpb" }, deadline = app.Today.AddDays(20).ToString("yyyy-MM-dd"), ongoing = false,
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await api.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync($"/api/items/{item}/events", new { type = "withdraw", note = "重复立项" })).EnsureSuccessStatusCode();

        await s.GoAsync($"/campaigns/{campaign}");
        await s.Page.Locator("[data-testid=close-campaign] summary").ClickAsync();
        await s.Page.GetByLabel("结束说明").FillAsync("问题已撤销，整改工作结束");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "结束整改工作", Exact = true }), $"{app.BaseUrl}/campaigns/{campaign}");
        (await s.TextAsync(".flash")).ShouldContain("整改工作已结束归档");
        (await s.TextAsync("header .badge")).ShouldBe("已结束");
        var notice = await s.TextAsync("[data-testid=campaign-closed]");
        notice.ShouldContain("本整改工作已结束归档");
        notice.ShouldContain("问题已撤销，整改工作结束");
        (await s.Page.Locator("[data-testid=close-campaign]").CountAsync()).ShouldBe(0);
        await s.ScreenshotAsync("campaign-closed");

        // The archive from the page: a background task (run here by its job class; the test node runs no Hangfire server).
        await s.ClickAndWaitForPageAsync(s.Page.Locator("[data-testid=export-archive]"), new Regex("/tasks/[0-9a-f-]{36}$"));
        (await s.TextAsync("h1")).ShouldBe("导出归档包：页面结束归档测试");
        var task = Guid.Parse(s.Page.Url[(s.Page.Url.LastIndexOf('/') + 1)..]);
        await app.Services.GetRequiredService<Rectify.Api.Jobs.BackgroundTaskRunner>().RunAsync(task, CancellationToken.None);
        // The open page follows the task by itself, as the person who started it watches it: no navigation here (a goto to
        // the page being shown raced its own load on a loaded machine and was aborted).
        await Assertions.Expect(s.Page.Locator("[data-task-state]")).ToHaveTextAsync("已完成", new() { Timeout = 60_000 });
        await Assertions.Expect(s.Page.Locator("[data-testid=task-download]")).ToContainTextAsync("页面结束归档测试归档_", new() { Timeout = 60_000 });
        s.ShouldHaveNoConsoleErrors();
    }
}
