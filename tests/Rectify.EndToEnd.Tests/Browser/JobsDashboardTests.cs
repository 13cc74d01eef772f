using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Hangfire's dashboard at /admin/jobs, in a real browser: the administrator sees the recurring jobs, in Chinese, under
/// the site's Content-Security-Policy (a violation would be a console error); a unit user and a leading-group user are
/// refused, and someone not signed in is sent to sign in.
/// </summary>
public sealed class JobsDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Administrator_SeesTheRecurringJobs_InChinese()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        await s.GoAsync("/admin");
        await s.ClickAndWaitForPageAsync(s.Page.Locator("a[href='/admin/jobs']"));
        s.Page.Url.ShouldEndWith("/admin/jobs");
        (await s.Page.Locator("html").GetAttributeAsync("lang")).ShouldBe("zh");
        (await s.Page.Locator("body").InnerTextAsync()).ShouldContain("仪表盘");

        var response = await s.GoAsync("/admin/jobs/recurring");
        response.Status.ShouldBe(200);
        response.Headers["content-security-policy"].ShouldContain("script-src 'self';");
        var page = await s.Page.Locator("body").InnerTextAsync();
        page.ShouldContain("周期性作业");
        foreach (var job in new[] { "digests", "retention", "weekly-report" }) page.ShouldContain(job);
        // The page's own actions (trigger, delete) carry the antiforgery token Hangfire posts with them.
        (await s.Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content")).ShouldNotBeNullOrWhiteSpace();
        await s.ScreenshotAsync("admin-jobs-recurring");
        s.ShouldHaveNoConsoleErrors();
    }

    [Theory]
    [InlineData("fpb")] // a unit user
    [InlineData("lgo")] // the leading-group office
    public async Task OtherRoles_AreRefused(string user)
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync(user, RectifyApp.DemoPassword);
        var response = await s.GoAsync("/admin/jobs/recurring");
        response.Status.ShouldBe(403);
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldContain("无权访问");
        (await s.Page.Locator("body").InnerTextAsync()).ShouldNotContain("digests");
    }

    [Fact]
    public async Task NotSignedIn_IsSentToSignIn()
    {
        await using var s = await app.NewSessionAsync();
        await s.GoAsync("/admin/jobs");
        s.Page.Url.ShouldContain("/login?ReturnUrl=%2Fadmin%2Fjobs");
    }
}
