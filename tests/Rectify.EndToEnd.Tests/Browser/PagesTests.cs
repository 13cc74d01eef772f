using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Every main page renders without console errors (CSP violations included), in Chinese, with a screenshot.</summary>
public sealed class PagesTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<string> DemoCampaignPathAsync(UiSession s)
    {
        await s.GoAsync("/campaigns");
        var href = await s.Page.Locator("table a[href^='/campaigns/']").First.GetAttributeAsync("href");
        return href!;
    }

    private static async Task<string> FirstPersonIdAsync(UiSession s)
    {
        await s.GoAsync("/admin/people");
        var href = await s.Page.Locator("[data-testid=people] a[href*='edit=']").First.GetAttributeAsync("href");
        return href!.Split("edit=")[1].Split('#')[0];
    }

    [Fact]
    public async Task Admin_VisitsEveryMainPage_NoConsoleErrorsAndScreenshots()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        var campaign = await DemoCampaignPathAsync(s);
        var pages = new (string Path, string Name, string Heading)[]
        {
            ("/todo", "todo-admin", "待办"),
            ("/campaigns", "campaign-list", "整改工作"),
            (campaign, "dashboard", "陇川县"),
            ($"/items?campaignId={campaign.Split('/')[^1]}", "item-list", "问题清单"),
            ("/supervision", "supervision", "督办"),
            ("/admin", "admin", "系统管理"),
            ("/admin/units", "admin-units", "单位"),
            ("/admin/people", "admin-people", "人员"),
            ("/admin/users", "admin-users", "用户"),
            ("/admin/workflows?id=rectification-campaign", "admin-workflows", "流程定义"),
            ("/admin/outbox", "admin-outbox", "调度与发件箱"),
            ("/admin/clock", "admin-clock", "时钟"),
            ("/campaigns/new", "campaign-new", "新建整改工作"),
            ("/admin/calendar", "admin-calendar", "工作日历"),
            ("/deliverables", "deliverables", "材料报送"),
            ("/admin/people?edit=" + await FirstPersonIdAsync(s), "admin-person-preferences", "人员"),
        };
        foreach (var (path, name, heading) in pages)
        {
            var response = await s.GoAsync(path);
            response.Status.ShouldBe(200, path);
            (await s.Page.Locator("h1").First.InnerTextAsync()).ShouldContain(heading, customMessage: path);
            await s.ScreenshotAsync(name);
        }
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Dashboard_DemoCampaign_ShowsTotalsPhaseTimelineWithTodayAndCharts()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync(await DemoCampaignPathAsync(s));
        (await s.Page.Locator("[data-testid=kpi-total]").InnerTextAsync()).ShouldBe("13");
        (await s.Page.Locator("#phase-timeline").InnerHTMLAsync()).ShouldContain("今天");
        (await s.Page.Locator("#phase-timeline text").AllTextContentsAsync()).ShouldContain("集中整改");
        (await s.Page.Locator("#unit-bars rect").CountAsync()).ShouldBeGreaterThan(0);
        (await s.Page.Locator("#open-closed polyline").CountAsync()).ShouldBe(2);
        // The glyphs are real CJK glyphs: a Chinese string is as wide as its count of full-width characters.
        var width = await s.Page.EvaluateAsync<double>("""
            () => { const c = document.createElement('canvas').getContext('2d'); c.font = '20px "Noto Sans CJK SC"'; return c.measureText('整改督办').width; }
            """);
        width.ShouldBeInRange(70, 90);
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Phone_ItemList_FitsTheScreen()
    {
        await using var s = await app.NewSessionAsync(new ViewportSize { Width = 390, Height = 844 });
        await s.SignInAsync("fpb", RectifyApp.DemoPassword);
        await s.GoAsync("/items");
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("我的问题");
        // The unit's deadline calendar downloads with the browser's own cookie.
        var ics = await s.Page.APIRequest.GetAsync((await s.Page.Locator("[data-testid=ics]").GetAttributeAsync("href"))!);
        ics.Status.ShouldBe(200);
        (await ics.TextAsync()).ShouldContain("BEGIN:VCALENDAR");
        var overflow = await s.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        overflow.ShouldBeFalse();
        await s.ScreenshotAsync("phone-my-items");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task LanguageSwitch_ToEnglishAndBack_KeepsThePage()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync("/campaigns");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "English" }), url => url.EndsWith("/campaigns", StringComparison.Ordinal));
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("Campaigns");
        (await s.Page.Locator("html").GetAttributeAsync("lang")).ShouldBe("en");
        await s.ScreenshotAsync("campaign-list-en");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "中文" }), url => url.EndsWith("/campaigns", StringComparison.Ordinal));
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("整改工作");
        s.ShouldHaveNoConsoleErrors();
    }
}
