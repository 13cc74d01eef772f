using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dapper;
using Rectify.Api.Tests.Jobs;
using Rectify.TestSupport;
using Xunit.Abstractions;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// The issue asks for 5,000 rows in at most 5 s. Timing is printed (the benchmark, `./rectify.sh bench import`, records
/// it in docs/performance.md), never asserted: a shared 2-core machine must not make a test flaky. 5,000 rows are more
/// than Rectify:Import:BackgroundRows (2,000 by default): the import answers 202 and a background task writes them.
/// </summary>
public sealed class ImportVolumeTests(JobsApp app, ITestOutputHelper output) : IClassFixture<JobsApp>
{
    private const int Rows = 5_000;

    private static object?[] Row(int n) =>
    [
        (double)n, $"第{n % 12 + 1}类问题", $"第{n}个问题：贫困户识别不精准，存在错评、漏评现象", "开展“回头看”，逐户核实，建立台账", "错评率低于2%",
        n % 3 == 0 ? "张三" : null, n % 2 == 0 ? "县扶贫办" : "czj", "县民政局、章凤镇；户撒乡",
        (n % 5) switch { 0 => "2018年6月10日前", 1 => "6月底前", 2 => "立行立改", 3 => "长期坚持", _ => "通报后两个月内" },
    ];

    [Fact]
    public async Task Import_FiveThousandRows_XlsxAndCsv_ABackgroundTaskImportsThemAll()
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
            var watch = Stopwatch.StartNew();
            var response = await DocumentsSeed.ImportAsync(admin, campaign, file, name);
            var accepted = watch.ElapsedMilliseconds;
            var task = await response.ShouldHaveStatusAsync(HttpStatusCode.Accepted);
            var id = task.GetProperty("id").GetGuid();
            JsonElement done = default;
            await Eventually.TrueAsync(async () =>
            {
                done = await (await admin.GetAsync($"/api/tasks/{id}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
                return done.GetProperty("state").GetString() is "succeeded" or "failed";
            }, $"the import task of {name}", seconds: 300);
            watch.Stop();
            done.GetProperty("state").GetString().ShouldBe("succeeded", done.ToString());
            done.GetProperty("summary").GetProperty("imported").GetInt32().ShouldBe(Rows);
            await using var db = app.Database.CreateDataSource();
            await using var c = await db.OpenConnectionAsync();
            (await c.ExecuteScalarAsync<long>("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(Rows);
            output.WriteLine($"IMPORT-TIMING {name}: {Rows} rows, {file.Length / 1024} KiB, 202 after {accepted} ms, imported after {watch.ElapsedMilliseconds} ms wall");
        }
    }
}
