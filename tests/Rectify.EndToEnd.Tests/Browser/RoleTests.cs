using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Each role sees its own navigation and is refused the pages of other roles, with a clear 403 page.</summary>
public sealed class RoleTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    public static TheoryData<string, string, string[], string[]> Roles => new()
    {
        { "admin", RectifyApp.AdminPassword, ["待办", "整改工作", "问题清单", "材料审核", "督办", "系统管理"], [] },
        { "lgo", RectifyApp.DemoPassword, ["待办", "整改工作", "问题清单", "材料审核", "督办", "消息", "组织机构"], ["/admin/users", "/admin/clock"] },
        { "fpb", RectifyApp.DemoPassword, ["待办", "我的问题", "我的材料", "日历订阅", "整改工作", "消息"], ["/admin", "/admin/units", "/supervision", "/campaigns/new"] },
        { "dcs", RectifyApp.DemoPassword, ["待办", "整改工作", "问题清单", "督办", "消息"], ["/admin", "/admin/users", "/campaigns/new"] },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task SignIn_EachRole_SeesOnlyItsNavigationAndIsRefusedOthersPages(string user, string password, string[] nav, string[] refused)
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync(user, password);
        // Every role lands on its 待办 (issue 13); a link's name is its label, the badge beside it counts what waits.
        s.Page.Url.ShouldEndWith("/todo");
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("待办");
        var links = await s.Page.Locator("nav.nav a [data-nav]").AllInnerTextsAsync();
        links.Select(l => l.Trim()).ShouldBe(nav);
        await s.ScreenshotAsync($"home-{user}");
        foreach (var path in refused)
        {
            var response = await s.GoAsync(path);
            response.Status.ShouldBe(403, $"{user} → {path}");
            (await s.Page.Locator("h1").InnerTextAsync()).ShouldContain("无权访问");
        }
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Unit_OpensItemOfAnotherUnit_GetsNotFoundPage()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("zfz", RectifyApp.DemoPassword);
        // Item "1" is led by 县委办 with 章凤镇 among its units; an item without 章凤镇 is invisible to it.
        await s.GoAsync("/items");
        (await s.Page.Locator("[data-testid=items] tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        var response = await s.GoAsync($"/items/{Guid.NewGuid()}");
        response.Status.ShouldBe(404);
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldContain("页面不存在");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task SignOut_ThenProtectedPage_RedirectsToLogin()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "退出" }), url => url.Contains("/login", StringComparison.Ordinal));
        await s.GoAsync("/campaigns");
        s.Page.Url.ShouldContain("/login?ReturnUrl=%2Fcampaigns");
        s.ShouldHaveNoConsoleErrors();
    }
}
