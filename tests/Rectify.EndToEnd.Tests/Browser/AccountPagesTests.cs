using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Issue 19 in the browser: every user changes their own password; an administrator disables a user and the user's open page stops working.</summary>
public sealed class AccountPagesTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<string> CreateUserAsync(string userName, string password)
    {
        var admin = await app.ApiAsAsync("admin", RectifyApp.AdminPassword);
        var created = await admin.PostAsJsonAsync("/api/users", new { userName, password, role = "leadingGroup", unitCode = "lgo" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<HttpStatusCode> MeAsync(HttpClient client) => (await client.GetAsync("/api/auth/me")).StatusCode;

    [Fact]
    public async Task ChangePasswordPage_RefusesAWeakPassword_ThenChangesIt_AndEndsTheOtherSessions()
    {
        await CreateUserAsync("e2e-pw", "Erstes-Kennwort-1");
        var elsewhere = await app.ApiAsAsync("e2e-pw", "Erstes-Kennwort-1");

        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("e2e-pw", "Erstes-Kennwort-1");
        await s.Page.GetByRole(AriaRole.Link, new() { Name = "修改密码" }).ClickAsync();
        s.Page.Url.ShouldEndWith("/account/password");

        await s.Page.GetByLabel("当前密码").FillAsync("Erstes-Kennwort-1");
        await s.Page.Locator("#Input_NewPassword").FillAsync("password123");
        await s.Page.GetByLabel("确认新密码").FillAsync("password123");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "修改密码" }).ClickAsync();
        (await s.TextAsync("span[data-valmsg-for='Input.NewPassword']")).ShouldContain("常见密码");
        (await MeAsync(elsewhere)).ShouldBe(HttpStatusCode.OK);

        await s.Page.GetByLabel("当前密码").FillAsync("Erstes-Kennwort-1");
        await s.Page.Locator("#Input_NewPassword").FillAsync("Zweites-Kennwort-2");
        await s.Page.GetByLabel("确认新密码").FillAsync("Zweites-Kennwort-2");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "修改密码" }).ClickAsync();
        (await s.TextAsync(".flash")).ShouldContain("密码已修改");

        // This browser stays signed in (with a new session); the program signed in before does not.
        await s.GoAsync("/campaigns");
        s.Page.Url.ShouldEndWith("/campaigns");
        (await MeAsync(elsewhere)).ShouldBe(HttpStatusCode.Unauthorized);
        (await MeAsync(await app.ApiAsAsync("e2e-pw", "Zweites-Kennwort-2"))).ShouldBe(HttpStatusCode.OK);
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task AdminDisablesAUser_TheUsersOpenBrowserIsSignedOut_AndEnableLetsThemBack()
    {
        await CreateUserAsync("e2e-off", "Abgeschaltet-33");
        await using var user = await app.NewSessionAsync();
        await user.SignInAsync("e2e-off", "Abgeschaltet-33");

        await using var admin = await app.NewSessionAsync();
        await admin.SignInAsync("admin", RectifyApp.AdminPassword);
        await admin.GoAsync("/admin/users");
        var row = admin.Page.Locator("tr[data-user='e2e-off']");
        await row.GetByRole(AriaRole.Button, new() { Name = "停用" }).ClickAsync();
        (await admin.TextAsync(".flash")).ShouldContain("已停用");
        (await row.Locator("[data-testid=user-status]").InnerTextAsync()).ShouldBe("已停用");

        await user.GoAsync("/campaigns");
        user.Page.Url.ShouldContain("/login");
        await user.Page.GetByLabel("用户名").FillAsync("e2e-off");
        await user.Page.GetByLabel("密码").FillAsync("Abgeschaltet-33");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        (await user.TextAsync(".errors")).ShouldContain("停用");

        await row.GetByRole(AriaRole.Button, new() { Name = "启用" }).ClickAsync();
        (await row.Locator("[data-testid=user-status]").InnerTextAsync()).ShouldBe("正常");
        await user.SignInAsync("e2e-off", "Abgeschaltet-33");
        admin.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task AdminResetsAPassword_FromTheUsersPage()
    {
        await CreateUserAsync("e2e-reset", "Vergessen-Kennwort-4");
        await using var admin = await app.NewSessionAsync();
        await admin.SignInAsync("admin", RectifyApp.AdminPassword);
        await admin.GoAsync("/admin/users");
        var row = admin.Page.Locator("tr[data-user='e2e-reset']");
        await row.Locator("summary").ClickAsync();
        await row.GetByLabel("新密码").FillAsync("short");
        await row.GetByRole(AriaRole.Button, new() { Name = "重置密码" }).ClickAsync();
        (await admin.TextAsync("[data-testid=user-action-errors]")).ShouldContain("至少 10 位");

        row = admin.Page.Locator("tr[data-user='e2e-reset']");
        await row.Locator("summary").ClickAsync();
        await row.GetByLabel("新密码").FillAsync("Neu-Gesetzt-Kennwort-5");
        await row.GetByRole(AriaRole.Button, new() { Name = "重置密码" }).ClickAsync();
        (await admin.TextAsync(".flash")).ShouldContain("密码已重置");
        (await MeAsync(await app.ApiAsAsync("e2e-reset", "Neu-Gesetzt-Kennwort-5"))).ShouldBe(HttpStatusCode.OK);
        admin.ShouldHaveNoConsoleErrors();
    }
}
