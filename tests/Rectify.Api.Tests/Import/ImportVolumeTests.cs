using System.Diagnostics;
using System.Net;
using Rectify.TestSupport;
using Xunit.Abstractions;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// The issue asks for 5,000 rows in at most 5 s. Timing is printed (and recorded in docs/performance.md), never
/// asserted: a shared 2-core machine must not make a test flaky.
/// </summary>
public sealed class ImportVolumeTests(RectifyApp app, ITestOutputHelper output) : IClassFixture<RectifyApp>
{
    private const int Rows = 5_000;

    private static object?[] Row(int n) =>
    [
        (double)n, $"第{n % 12 + 1}类问题", $"第{n}个问题：贫困户识别不精准，存在错评、漏评现象", "开展“回头看”，逐户核实，建立台账", "错评率低于2%",
        n % 3 == 0 ? "张三" : null, n % 2 == 0 ? "县扶贫办" : "czj", "县民政局、章凤镇；户撒乡",
        (n % 5) switch { 0 => "2018年6月10日前", 1 => "6月底前", 2 => "立行立改", 3 => "长期坚持", _ => "通报后两个月内" },
    ];

    [Fact]
    public async Task Import_FiveThousandRows_XlsxAndCsv_AllImported()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var header = new object?[] { "序号", "问题类别", "反馈问题", "整改措施", "整改目标", "责任领导", "牵头单位", "责任单位", "整改时限" };
        var xlsx = Xlsx([["5000 行导入测试"], header, .. Enumerable.Range(1, Rows).Select(Row)], "A1:I1");
        var csv = Csv([header.Select(h => (string?)h).ToArray(), .. Enumerable.Range(1, Rows).Select(n => Row(n).Select(c => c?.ToString()).ToArray())], CsvEncoding.Gbk);

        foreach (var (name, file) in new[] { ("5000.xlsx", xlsx), ("5000.csv", csv) })
        {
            var campaign = await DocumentsSeed.CampaignAsync(admin, $"{name} 导入");
            // One warm-up on a throwaway campaign so JIT and connection pool do not count.
            if (name.EndsWith("xlsx", StringComparison.Ordinal))
                await DocumentsSeed.ImportAsync(admin, await DocumentsSeed.CampaignAsync(admin, "预热"), Xlsx([header, Row(1)]), "warm.xlsx");
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var response = await DocumentsSeed.ImportAsync(admin, campaign, file, name);
            watch.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            (await DocumentsSeed.ReadImportAsync(response)).Imported.ShouldBe(Rows);
            output.WriteLine($"IMPORT-TIMING {name}: {Rows} rows, {file.Length / 1024} KiB, {watch.ElapsedMilliseconds} ms wall, {cpu.TotalMilliseconds:F0} ms CPU of the service process (PostgreSQL not counted)");
        }
    }
}
