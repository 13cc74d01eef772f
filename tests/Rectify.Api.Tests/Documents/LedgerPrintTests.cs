using System.Diagnostics;
using System.Net;
using Rectify.Api.Features.Documents;
using Rectify.Api.Tests.Import;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Documents;

/// <summary>
/// Issue 13: the ledger prints as an office prints it — A4 landscape, every column on the page, the header row again at
/// the top of each page, long text wrapped. Checked the way a person would: LibreOffice (headless) prints it to PDF.
/// </summary>
public sealed class LedgerPrintTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private const int Items = 60;

    [Fact]
    public async Task Ledger_PrintedByLibreOffice_LandscapeEveryColumnOnThePageHeaderOnEveryPage()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "台账打印测试");
        var rows = new List<object?[]> { new object?[] { "序号", "问题类别", "反馈问题", "整改措施", "牵头单位", "整改时限" } };
        for (var i = 1; i <= Items; i++)
            rows.Add([(double)i, "精准识别", $"第{i}项问题：部分贫困户识别不精准，存在错评漏评现象，需逐户核查并建立完整的档案资料", "逐户复核，完善档案，建立长效机制，定期回头看", "县扶贫办", "2026-12-31"]);
        var imported = await DocumentsSeed.ImportAsync(admin, campaign, Xlsx(rows), "list.xlsx");
        imported.StatusCode.ShouldBe(HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        var ledger = await admin.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx");
        ledger.StatusCode.ShouldBe(HttpStatusCode.OK);

        var dir = Directory.CreateTempSubdirectory("rectify-print-");
        try
        {
            var xlsx = Path.Combine(dir.FullName, "ledger.xlsx");
            await File.WriteAllBytesAsync(xlsx, await ledger.Content.ReadAsByteArrayAsync());
            var pdf = await PrintToPdfAsync(xlsx, dir.FullName);
            // Kept in the test output for a person to look at.
            var kept = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "prints"));
            File.Copy(pdf, Path.Combine(kept.FullName, "ledger.pdf"), overwrite: true);

            var info = await RunAsync("pdfinfo", pdf);
            var pages = int.Parse(Line(info, "Pages:"));
            var size = Line(info, "Page size:").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double.Parse(size[0], System.Globalization.CultureInfo.InvariantCulture)
                .ShouldBeGreaterThan(double.Parse(size[2], System.Globalization.CultureInfo.InvariantCulture), "landscape");
            // 60 wrapped rows do not fit one page; fitted to the width they need only a few pages, never one per column group.
            pages.ShouldBeInRange(2, 12);
            // The workbook's second sheet (单位得分, issue 12) prints after the ledger on pages of its own.
            var ledgerPages = 0;
            for (var page = 1; page <= pages; page++)
            {
                var text = await RunAsync("pdftotext", "-f", page.ToString(), "-l", page.ToString(), "-layout", pdf, "-");
                if (text.Contains("各单位得分与等次", StringComparison.Ordinal))
                {
                    text.ShouldContain("计分明细", customMessage: $"page {page}: the unit sheet's header");
                    continue;
                }
                ledgerPages++;
                // Both the first and the last column stand on every page: nothing is cut off to a page of its own.
                text.ShouldContain(LedgerApi.Columns[0].Header, customMessage: $"page {page}");
                text.ShouldContain(LedgerApi.Columns[^1].Header, customMessage: $"page {page}");
                text.ShouldContain("整改时限", customMessage: $"page {page}: the header row is printed again");
                text.ShouldContain($"第 {page} 页，共 {pages} 页", customMessage: $"page {page}: footer");
            }
            ledgerPages.ShouldBeInRange(2, 11);
            var all = await RunAsync("pdftotext", "-layout", pdf, "-");
            for (var i = 1; i <= Items; i++) all.ShouldContain($"第{i}项问题");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static async Task<string> PrintToPdfAsync(string file, string outDir)
    {
        // A profile of its own: two LibreOffice processes sharing one profile wait on each other's lock.
        var profile = new Uri(Path.Combine(outDir, "profile")).AbsoluteUri;
        await RunAsync("soffice", $"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", outDir, file);
        var pdf = Path.ChangeExtension(file, ".pdf");
        File.Exists(pdf).ShouldBeTrue("LibreOffice wrote no PDF");
        return pdf;
    }

    internal static string Line(string text, string key) =>
        text.Split('\n').First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim();

    internal static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        process.ExitCode.ShouldBe(0, $"{program}: {await error}");
        return await output;
    }
}
