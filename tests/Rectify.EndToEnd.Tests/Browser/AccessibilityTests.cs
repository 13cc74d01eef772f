using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Every main page of every role passes the accessibility check (A11y: names, text alternatives, lang, headings,
/// keyboard reach with a visible focus, contrast ≥ 4.5:1) and logs no console error.
/// </summary>
[RunsLong]
public sealed class AccessibilityTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    public static TheoryData<string, string> Roles => new()
    {
        { "admin", RectifyApp.AdminPassword },
        { "lgo", RectifyApp.DemoPassword },
        { "fpb", RectifyApp.DemoPassword },
        { "dcs", RectifyApp.DemoPassword },
    };

    private static readonly Dictionary<string, string[]> PagesOf = new()
    {
        ["admin"] = ["/todo", "/campaigns", "{campaign}", "/items?campaignId={campaignId}", "{item}", "/supervision", "/admin", "/admin/units", "/admin/people",
            "{person}", "/admin/users", "/admin/workflows?id=rectification-campaign", "/admin/outbox", "/admin/clock", "/admin/calendar", "/campaigns/new", "/deliverables"],
        ["lgo"] = ["/todo", "/campaigns", "{campaign}", "{campaign}/units", "/items", "{item}", "/supervision", "/inbox", "/admin", "/admin/units", "/deliverables"],
        ["fpb"] = ["/todo", "/items", "{item}", "/deliverables", "/campaigns", "/inbox", "/calendar-feed", "/admin", "/items/00000000-0000-0000-0000-000000000000"],
        ["dcs"] = ["/todo", "/supervision", "/items", "{item}", "/campaigns", "{campaign}", "{campaign}/units", "/inbox"],
    };

    [Fact]
    public async Task Login_SignedOut_PassesAccessibilityCheck()
    {
        await using var s = await app.NewSessionAsync();
        await s.GoAsync("/login");
        (await A11y.CheckAsync(s.Page)).ShouldBeEmpty();
        s.ShouldHaveNoConsoleErrors();
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task MainPages_EachRole_PassAccessibilityCheck(string user, string password)
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync(user, password);
        var violations = new List<string>();
        var places = new Dictionary<string, string>();
        foreach (var template in PagesOf[user])
        {
            var path = template;
            if (path.Contains("{campaign", StringComparison.Ordinal) && !places.ContainsKey("{campaign}"))
            {
                await s.GoAsync("/campaigns");
                places["{campaign}"] = (await s.Page.Locator("table a[href^='/campaigns/']").First.GetAttributeAsync("href"))!;
                places["{campaignId}"] = places["{campaign}"].Split('/')[^1];
            }
            if (path == "{item}")
            {
                await s.GoAsync("/items");
                places["{item}"] = (await s.Page.Locator("[data-testid=items] a[href^='/items/']").First.GetAttributeAsync("href"))!;
            }
            if (path == "{person}")
            {
                await s.GoAsync("/admin/people");
                places["{person}"] = (await s.Page.Locator("[data-testid=people] a[href*='edit=']").First.GetAttributeAsync("href"))!.Split('#')[0];
            }
            foreach (var (key, value) in places) path = path.Replace(key, value, StringComparison.Ordinal);
            await s.GoAsync(path);
            violations.AddRange(await A11y.CheckAsync(s.Page));
        }
        violations.ShouldBeEmpty(string.Join('\n', violations));
        s.ShouldHaveNoConsoleErrors();
    }
}
