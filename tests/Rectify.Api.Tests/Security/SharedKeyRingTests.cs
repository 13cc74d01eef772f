using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// The keys that sign cookies and antiforgery tokens live in the database, so a person signed in through one node
/// stays signed in on another node of the same database, wherever it runs.
/// </summary>
public sealed partial class SharedKeyRingTests(RectifyApp first) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task CookieFromOneNode_IsAcceptedByAnother_KeysAreInTheDatabase()
    {
        var browser = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/login");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        token.ShouldNotBeEmpty();
        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.UserName"] = "admin", ["Input.Password"] = RectifyApp.AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync());
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("rectify.auth=", StringComparison.Ordinal)).Split(';')[0];

        await using (var db = first.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
            (await c.ExecuteScalarAsync<long>("select count(*) from data_protection_keys")).ShouldBeGreaterThan(0);

        // A second node on the same database (its own process state, the same key ring) reads the cookie.
        await using var second = new RectifyApp { ExistingDatabase = TestDatabase.Existing(first.Database.Name) };
        await second.InitializeAsync();
        var other = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookie);
        var response = await other.SendAsync(me);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).ShouldContain("admin");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
