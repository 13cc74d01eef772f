using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Accounts;

/// <summary>Issue 19, "sessions cannot be ended": every cookie and bearer token is a server-side session that can be ended.</summary>
[RunsLong]
public sealed class SessionsTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private async Task<Guid> UserAsync(string userName, string password = "Passw0rd!x")
    {
        var admin = await app.AdminAsync();
        var body = await (await admin.PostJsonAsync("/api/users", new { userName, password, role = "admin" })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    private async Task<string> TokenAsync(string userName, string password)
    {
        var body = await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName, password })).ShouldHaveStatusAsync(HttpStatusCode.OK);
        return body.Str("accessToken");
    }

    [Fact]
    public async Task CopiedCookie_AfterLogout_Is401()
    {
        await UserAsync("s-logout");
        var (browser, cookie) = await Browser.SignInAsync(app, "s-logout", "Passw0rd!x");
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.OK);

        var form = await browser.GetStringAsync("/items");
        var logout = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Browser.AntiforgeryToken(form) }));
        logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task BearerToken_AfterApiLogout_Is401_AndRevokeStillWorks()
    {
        await UserAsync("s-api-logout");
        var token = await TokenAsync("s-api-logout", "Passw0rd!x");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.PostAsync("/api/auth/logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CookieLogoutThroughTheApi_EndsTheCopiedCookie()
    {
        await UserAsync("s-cookie-api");
        var (browser, cookie) = await Browser.SignInAsync(app, "s-cookie-api", "Passw0rd!x");
        (await browser.PostAsync("/api/auth/logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DisabledUser_CannotSignIn_AndEverySessionEnds_UntilEnabled()
    {
        var id = await UserAsync("s-disabled");
        var token = await TokenAsync("s-disabled", "Passw0rd!x");
        var (_, cookie) = await Browser.SignInAsync(app, "s-disabled", "Passw0rd!x");
        var admin = await app.AdminAsync();

        var disabled = await (await admin.PostAsync($"/api/users/{id}/disable", null)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        disabled.GetProperty("disabled").GetBoolean().ShouldBeTrue();
        disabled.GetProperty("activeSessions").GetInt32().ShouldBe(0);

        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
        var refused = await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName = "s-disabled", password = "Passw0rd!x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        refused.Str("title").ShouldContain("停用");
        // A wrong password is not told that the account is disabled.
        await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName = "s-disabled", password = "Wrong-Passw0rd" }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var list = await (await admin.GetAsync("/api/users?pageSize=500")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        list.GetProperty("items").EnumerateArray().Single(u => u.Str("userName") == "s-disabled").GetProperty("disabled").GetBoolean().ShouldBeTrue();

        (await admin.PostAsync($"/api/users/{id}/enable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browser.MeWithTokenAsync(app, await TokenAsync("s-disabled", "Passw0rd!x"))).ShouldBe(HttpStatusCode.OK);
        // Enabling does not bring the ended sessions back.
        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Administrator_CannotDisableThemselves()
    {
        var admin = await app.AdminAsync();
        var me = await (await admin.GetAsync("/api/auth/me")).JsonAsync();
        await (await admin.PostAsync($"/api/users/{me.Str("id")}/disable", null)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity);
        (await admin.GetAsync("/api/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PasswordChange_EndsTheOtherSessions_AndGivesTheCallerANewOne()
    {
        await UserAsync("s-change");
        var first = await TokenAsync("s-change", "Passw0rd!x");
        var second = await TokenAsync("s-change", "Passw0rd!x");
        var (_, cookie) = await Browser.SignInAsync(app, "s-change", "Passw0rd!x");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", first);

        var changed = await (await client.PostJsonAsync("/api/auth/password", new { currentPassword = "Passw0rd!x", newPassword = "Neue-Kennung-77" }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        var fresh = changed.Str("accessToken");

        (await Browser.MeWithTokenAsync(app, second)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Browser.MeWithTokenAsync(app, first)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Browser.MeWithTokenAsync(app, fresh)).ShouldBe(HttpStatusCode.OK);
        await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName = "s-change", password = "Passw0rd!x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await TokenAsync("s-change", "Neue-Kennung-77");
    }

    [Fact]
    public async Task PasswordChange_WithWrongCurrentPassword_Is422_AndChangesNothing()
    {
        await UserAsync("s-wrong-current");
        var token = await TokenAsync("s-wrong-current", "Passw0rd!x");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var problem = await (await client.PostJsonAsync("/api/auth/password", new { currentPassword = "Not-The-One-1", newPassword = "Neue-Kennung-77" }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "currentPassword");
        problem.Str("detail").ShouldContain("当前密码不正确");
        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.OK);
        await TokenAsync("s-wrong-current", "Passw0rd!x");
    }

    [Fact]
    public async Task AdministratorsReset_SetsTheNewPassword_AndEndsTheUsersSessions()
    {
        var id = await UserAsync("s-reset");
        var token = await TokenAsync("s-reset", "Passw0rd!x");
        var admin = await app.AdminAsync();
        (await admin.PostJsonAsync($"/api/users/{id}/reset-password", new { newPassword = "Zurueck-Gesetzt-9" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.Unauthorized);
        await TokenAsync("s-reset", "Zurueck-Gesetzt-9");
        await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName = "s-reset", password = "Passw0rd!x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        (await admin.PostJsonAsync($"/api/users/{Guid.NewGuid()}/reset-password", new { newPassword = "Zurueck-Gesetzt-9" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdministratorEndsSessions_TokensAndCookiesStopWorking_PasswordStays()
    {
        var id = await UserAsync("s-end");
        var token = await TokenAsync("s-end", "Passw0rd!x");
        var (_, cookie) = await Browser.SignInAsync(app, "s-end", "Passw0rd!x");
        var admin = await app.AdminAsync();
        var sessions = await (await admin.GetAsync($"/api/users/{id}/sessions")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        sessions.EnumerateArray().Select(s => s.Str("kind")).Order().ShouldBe(["bearer", "cookie"]);

        var ended = await (await admin.DeleteAsync($"/api/users/{id}/sessions")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        ended.GetProperty("ended").GetInt32().ShouldBe(2);
        (await Browser.MeWithTokenAsync(app, token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
        await TokenAsync("s-end", "Passw0rd!x");
    }

    [Fact]
    public async Task SessionsAreRows_RevokedInTheDatabase_SoEveryNodeSeesIt()
    {
        await UserAsync("s-row");
        var (_, cookie) = await Browser.SignInAsync(app, "s-row", "Passw0rd!x");
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("update auth_tokens set revoked_at = now() where kind = 'cookie' and user_id = (select id from users where user_name = 's-row')");
        (await Browser.MeWithCookieAsync(app, cookie)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("short-1A", "至少 10 位")]
    [InlineData("password123", "常见密码")]
    [InlineData("Password2026!", "常见密码")]
    [InlineData("1qaz2wsx3edc", "常见密码")]
    [InlineData("woaini1314", "常见密码")]
    [InlineData("s-weak-user", "用户名")]
    [InlineData("s-weak-user2026", "用户名")]
    [InlineData("aaaaaaaaaaaa", "过于简单")]
    public async Task WeakPassword_IsRefusedEverywhere_WithAChineseReason(string password, string reason)
    {
        var admin = await app.AdminAsync();
        var created = await (await admin.PostJsonAsync("/api/users", new { userName = "s-weak-user", password, role = "admin" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "password");
        created.GetProperty("errors").GetProperty("password")[0].GetString()!.ShouldContain(reason);

        var id = await UserAsync($"s-weak-{Math.Abs(password.GetHashCode(StringComparison.Ordinal))}");
        var reset = await (await admin.PostJsonAsync($"/api/users/{id}/reset-password", new { newPassword = password.Replace("s-weak-user", $"s-weak-{Math.Abs(password.GetHashCode(StringComparison.Ordinal))}", StringComparison.Ordinal) }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "newPassword");
        reset.GetProperty("errors").GetProperty("newPassword")[0].GetString()!.ShouldContain(reason);
    }

    [Fact]
    public async Task WeakNewPassword_OnChange_Is400_AndTheOldPasswordStays()
    {
        await UserAsync("s-weak-change");
        var client = await app.ClientAsAsync("s-weak-change", "Passw0rd!x");
        await (await client.PostJsonAsync("/api/auth/password", new { currentPassword = "Passw0rd!x", newPassword = "qwerty123456" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "newPassword");
        (await client.GetAsync("/api/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task NonAdministrators_CannotTouchAccounts()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("s-unit", "测试单位");
        await org.UserAsync("s-unit-user", "unit", "s-unit");
        var victim = await UserAsync("s-victim");
        var unit = await app.ClientAsAsync("s-unit-user", "Passw0rd!x");
        (await unit.PostAsync($"/api/users/{victim}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await unit.PostJsonAsync($"/api/users/{victim}/reset-password", new { newPassword = "Uebernommen-123" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await unit.DeleteAsync($"/api/users/{victim}/sessions")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await TokenAsync("s-victim", "Passw0rd!x");
    }
}
