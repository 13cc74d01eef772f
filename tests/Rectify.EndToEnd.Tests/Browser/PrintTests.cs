using System.Diagnostics;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Issue 13: an item sheet prints cleanly — the content only, no navigation, forms or buttons on the paper.</summary>
public sealed class PrintTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ItemPage_PrintedToPdf_ContentWithoutNavigationOrForms()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync("/items");
        await s.ClickAndWaitForPageAsync(s.Page.Locator("[data-testid=items] tbody tr a[href^='/items/']").First);
        var title = await s.TextAsync("h1");
        var onScreen = await s.Page.Locator("body").InnerTextAsync();
        onScreen.ShouldContain("跳到正文");
        onScreen.ShouldContain("lgo ·");

        var pdf = Path.Combine(BrowserApp.ScreenshotDirectory, "item-sheet.pdf");
        await s.Page.EmulateMediaAsync(new() { Media = Media.Print });
        await s.ScreenshotAsync("item-sheet-print");
        await s.Page.PdfAsync(new() { Path = pdf, Format = "A4", PrintBackground = false });
        var text = await PdfTextAsync(pdf);
        text.ShouldContain(title.Split(' ', 2)[^1].Trim()[..Math.Min(8, title.Length)]);
        foreach (var chrome in new[] { "跳到正文", "服务时间", "English", "lgo ·" })
            text.ShouldNotContain(chrome, customMessage: "navigation and footer are not printed");
        (await s.Page.Locator("form button:visible, details:visible").CountAsync()).ShouldBe(0, "forms are not printed");
        // The first demo item reports monthly: said in words, not as an ISO duration.
        text.ShouldContain("定期报告");
        text.ShouldContain("每月");
        text.ShouldNotContain("P1M");
        s.ShouldHaveNoConsoleErrors();
    }

    private static async Task<string> PdfTextAsync(string pdf)
    {
        var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, ArgumentList = { pdf, "-" } };
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0);
        return text;
    }
}
