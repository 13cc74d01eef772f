using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Markup typed into a campaign or an item is text on every page that shows it: escaped in the HTML the server sends,
/// shown as the characters written, never run (no dialog, no script error, no element built from it).
/// The documents: Rectify.Api.Tests HostileTextTests.
/// </summary>
[RunsLong]
public sealed class HostileTextPagesTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Script = "<script>alert('整改')</script>";
    private const string CampaignTitle = "<b>敌意</b>文本整改工作";
    private const string Image = "<img src=x onerror=alert(1)>台账不实";

    [Fact]
    public async Task ScriptInTitles_IsTextOnEveryPage_ForEveryRole()
    {
        var office = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);
        var created = await office.PostAsJsonAsync("/api/campaigns", new
        {
            title = CampaignTitle, issuedByUnit = "lgo", supervisionUnit = "dcs", workflow = new { id = "rectification-campaign" },
        });
        created.EnsureSuccessStatusCode();
        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var item = await office.PostAsJsonAsync($"/api/campaigns/{campaignId}/items", new
        {
            title = Script, description = Image, measures = "措施 & <u>办法</u>", leadUnit = "fpb", units = new[] { "zfz" },
            deadline = app.Today.AddDays(2).ToString("yyyy-MM-dd"),
        });
        item.EnsureSuccessStatusCode();
        var itemId = (await item.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await office.PostAsync($"/api/campaigns/{campaignId}/launch", null)).EnsureSuccessStatusCode();
        // Three weeks on: reminders and escalations name the item in inboxes and on the supervision page.
        var admin = await app.ApiAsAsync("admin", RectifyApp.AdminPassword);
        (await admin.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "P21D" })).EnsureSuccessStatusCode();

        var pages = new Dictionary<string, string[]>
        {
            ["lgo"] = ["/campaigns", $"/campaigns/{campaignId}", $"/campaigns/{campaignId}/units", $"/items?campaignId={campaignId}", $"/items/{itemId}", "/supervision"],
            ["fpb"] = ["/items", $"/items/{itemId}", $"/campaigns/{campaignId}/units", "/inbox", "/deliverables"],
            ["dcs"] = ["/supervision", $"/items/{itemId}", "/inbox"],
        };
        foreach (var (user, paths) in pages)
        {
            await using var s = await app.NewSessionAsync();
            var dialogs = new List<string>();
            s.Page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);
            await s.SignInAsync(user, RectifyApp.DemoPassword);
            var shown = false;
            foreach (var path in paths)
            {
                var response = await s.GoAsync(path);
                var html = await response.TextAsync();
                html.ShouldNotContain("<script>alert", Case.Insensitive, $"{user} {path}");
                html.ShouldNotContain("<img src=x", Case.Insensitive, $"{user} {path}");
                html.ShouldNotContain("<b>敌意", Case.Insensitive, $"{user} {path}");
                (await s.Page.Locator("script:not([src])").CountAsync()).ShouldBe(0, $"{user} {path}: an inline script element");
                (await s.Page.Locator("img[onerror], [onload], [onerror]").CountAsync()).ShouldBe(0, $"{user} {path}: an element built from the text");
                var text = await s.Page.Locator("body").InnerTextAsync();
                shown |= text.Contains(Script, StringComparison.Ordinal);
                if (path.StartsWith("/items/", StringComparison.Ordinal))
                {
                    text.ShouldContain(Script, customMessage: $"{user} {path}");
                    text.ShouldContain(Image, customMessage: $"{user} {path}");
                }
                if (path.StartsWith("/campaigns/", StringComparison.Ordinal)) text.ShouldContain(CampaignTitle, customMessage: $"{user} {path}");
            }
            shown.ShouldBeTrue($"{user}: the title is shown as written somewhere");
            dialogs.ShouldBeEmpty();
            s.ShouldHaveNoConsoleErrors();
        }
    }
}
