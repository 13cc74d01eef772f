using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

public sealed class SignInTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Login_WrongPassword_ShowsChineseErrorAndStaysOnLogin()
    {
        await using var s = await app.NewSessionAsync();
        await s.GoAsync("/");
        s.Page.Url.ShouldContain("/login");
        await s.Page.GetByLabel("用户名").FillAsync("lgo");
        await s.Page.GetByLabel("密码").FillAsync("wrong-password");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        (await s.Page.Locator(".errors").InnerTextAsync()).ShouldContain("用户名或密码错误");
        s.Page.Url.ShouldContain("/login");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task LeadingGroup_SignsIn_LandsOnTodoWithChineseFont()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        // Every role's landing page is its 待办 (issue 13).
        s.Page.Url.ShouldEndWith("/todo");
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("待办");
        (await s.Page.Locator("[data-testid=who]").InnerTextAsync()).ShouldContain("领导小组办公室");
        (await s.Page.EvaluateAsync<bool>("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '整改')")).ShouldBeTrue();
        await s.ScreenshotAsync("todo-lgo");
        s.ShouldHaveNoConsoleErrors();
    }
}
