using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Another site cannot act with a signed-in person's cookie: not by a form that a page on another site submits in the
/// real browser, not by a request from a sibling subdomain (to which a Lax cookie still goes), not by a UI form posted
/// without its antiforgery token. The same requests from the site's own pages work.
/// </summary>
public sealed class CrossSiteRequestTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Evil = "http://evil.example";

    [Fact]
    public async Task SignedInBrowser_RequestsFromAnotherSite_ChangeNothing_OwnPagesStillWork()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        var api = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);
        async Task<int> Campaigns() => (await api.GetFromJsonAsync<JsonElement>("/api/campaigns?pageSize=200")).GetProperty("total").GetInt32();
        var before = await Campaigns();
        var campaign = new { title = "跨站伪造测试整改", issuedByUnit = "lgo", supervisionUnit = "dcs" };

        // 1. A page on another site submits forms to Rectify in the real browser: a campaign (API) and sign-out (UI).
        await s.Page.RouteAsync($"{Evil}/**", route => route.FulfillAsync(new()
        {
            ContentType = "text/html; charset=utf-8",
            Body = $"""
                <!DOCTYPE html><html><body>
                <form id="f" method="post" enctype="text/plain" action="{app.BaseUrl}/api/campaigns">
                <input name='{"{"}"title":"跨站伪造测试整改","issuedByUnit":"lgo","x":"' value='"{"}"}'></form>
                <form id="g" method="post" action="{app.BaseUrl}/logout"></form>
                <script>document.getElementById(location.hash === '#logout' ? 'g' : 'f').submit();</script>
                </body></html>
                """,
        }));
        foreach (var page in new[] { $"{Evil}/attack", $"{Evil}/attack#logout" })
        {
            var landed = s.Page.WaitForURLAsync(url => url.StartsWith(app.BaseUrl, StringComparison.Ordinal));
            await s.Page.GotoAsync(page);
            await landed;
        }
        (await Campaigns()).ShouldBe(before);
        await s.GoAsync("/campaigns");
        s.Page.Url.ShouldEndWith("/campaigns", Case.Sensitive, "still signed in: the cross-site sign-out did nothing");

        // 2. A sibling subdomain (same site, so the Lax cookie goes along) or another origin, through the browser's own
        //    cookie jar: refused with a Chinese problem, nothing created.
        var request = s.Context.APIRequest;
        foreach (var headers in new[]
                 {
                     new Dictionary<string, string> { ["Sec-Fetch-Site"] = "same-site", ["Origin"] = "http://other.127.0.0.1.example" },
                     new Dictionary<string, string> { ["Sec-Fetch-Site"] = "cross-site", ["Origin"] = Evil },
                     new Dictionary<string, string> { ["Origin"] = Evil },
                     new Dictionary<string, string> { ["Origin"] = "null" },
                 })
        {
            var refused = await request.PostAsync("/api/campaigns", new() { DataObject = campaign, Headers = headers });
            refused.Status.ShouldBe(403, string.Join(", ", headers));
            (await refused.TextAsync()).ShouldContain("跨站请求被拒绝");
        }
        (await Campaigns()).ShouldBe(before);

        // 3. A UI form posted from the site itself but without its antiforgery token: refused, still signed in.
        var noToken = await request.PostAsync("/logout", new() { Headers = new Dictionary<string, string> { ["Sec-Fetch-Site"] = "same-origin" } });
        noToken.Status.ShouldBe(400);
        await s.GoAsync("/campaigns");
        s.Page.Url.ShouldEndWith("/campaigns");

        // 4. The same API request from the site's own pages works with the cookie.
        var own = await request.PostAsync("/api/campaigns", new() { DataObject = campaign, Headers = new Dictionary<string, string> { ["Sec-Fetch-Site"] = "same-origin", ["Origin"] = app.BaseUrl } });
        own.Status.ShouldBe(201, await own.TextAsync());
        (await Campaigns()).ShouldBe(before + 1);
        // The only errors the browser logged are the refused attack requests themselves (401/415 answers to the forms).
        s.Errors.ShouldAllBe(e => e.Contains("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal));
    }
}
