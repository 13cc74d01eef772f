using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Import;
using Rectify.Api.Jobs;
using Rectify.Api.Tests.Jobs;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Import;

/// <summary>A node with a Hangfire server whose "long list" starts at 50 rows, so a background import needs no big file.</summary>
public sealed class ImportTaskApp : RectifyApp
{
    public const int BackgroundRows = 50;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Jobs:Server"] = "true",
        ["Rectify:Import:BackgroundRows"] = BackgroundRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // As JobsApp: a NOTIFY missed between a worker's fetch and its LISTEN is caught by the next poll (production: 2 min).
        ["Rectify:Jobs:QueuePollInterval"] = "00:00:05",
    };
}

/// <summary>
/// Issue 15.6 / 16.2: a list longer than Rectify:Import:BackgroundRows is imported by a background task — 202 with the
/// task, progress as rows are written, then the items, or the same {row, field, cell, message} errors as a direct
/// import with nothing written. An upload is imported once: a task run twice, or a preview confirmed twice, imports once.
/// </summary>
public sealed class ImportTaskTests(ImportTaskApp app) : IClassFixture<ImportTaskApp>
{
    private static readonly object?[] Header = ["序号", "问题类别", "反馈问题", "整改措施", "牵头单位", "责任单位", "整改时限", "问题来源"];

    private static object?[] Row(int n) =>
    [
        (double)n, $"第{n % 3 + 1}类问题", $"后台导入测试问题{n}", n % 4 == 0 ? "于5月20日前逐户核实，5月底前建立台账" : "逐户核实",
        n % 2 == 0 ? "县扶贫办" : "czj", "县民政局、章凤镇", n % 2 == 0 ? "6月底前" : "长期坚持", "审计",
    ];

    private static byte[] List(int rows, Func<int, object?[]>? row = null) =>
        Xlsx([["后台导入测试清单"], Header, .. Enumerable.Range(1, rows).Select(row ?? Row)], "A1:H1");

    private async Task<JsonElement> FinishedAsync(HttpClient client, Guid task)
    {
        JsonElement done = default;
        await Eventually.TrueAsync(async () =>
        {
            done = await (await client.GetAsync($"/api/tasks/{task}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            return done.GetProperty("state").GetString() is "succeeded" or "failed";
        }, "the import task to finish");
        return done;
    }

    private async Task<long> CountAsync(string sql, object parameters)
    {
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(sql, parameters);
    }

    [Fact]
    public async Task ALongList_Answers202_TheTaskImportsEveryRow_AndSaysWhatItCreated()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "后台导入整改工作");

        // At the threshold the import is immediate; one row more and it is a task.
        var small = await DocumentsSeed.ImportAsync(admin, await DocumentsSeed.CampaignAsync(admin, "阈值内"), List(ImportTaskApp.BackgroundRows), "50.xlsx");
        small.StatusCode.ShouldBe(HttpStatusCode.OK, await small.Content.ReadAsStringAsync());
        (await DocumentsSeed.ReadImportAsync(small)).Imported.ShouldBe(ImportTaskApp.BackgroundRows);

        var response = await DocumentsSeed.ImportAsync(admin, campaign, List(120), "问题清单.xlsx");
        var task = await response.ShouldHaveStatusAsync(HttpStatusCode.Accepted);
        var id = task.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/tasks/{id}");
        task.GetProperty("kind").GetString().ShouldBe("import");
        task.GetProperty("title").GetString().ShouldBe("导入问题清单：后台导入整改工作（问题清单.xlsx）");
        task.GetProperty("campaignId").GetGuid().ShouldBe(campaign);

        var done = await FinishedAsync(admin, id);
        done.GetProperty("state").GetString().ShouldBe("succeeded", done.ToString());
        done.GetProperty("stateName").GetString().ShouldBe("已完成");
        done.GetProperty("progress").GetInt32().ShouldBe(120);
        done.GetProperty("total").GetInt32().ShouldBe(120);
        done.GetProperty("resultUrl").ValueKind.ShouldBe(JsonValueKind.Null);
        var summary = done.GetProperty("summary");
        summary.GetProperty("imported").GetInt32().ShouldBe(120);
        summary.GetProperty("errors").GetArrayLength().ShouldBe(0);

        // Every row became its item, as a direct import makes it (units, deadline text, milestones, source).
        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        items.Count.ShouldBe(120);
        items.Select(i => i.Title).ShouldBe(Enumerable.Range(1, 120).Select(n => $"后台导入测试问题{n}"));
        items[3].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("fpb"), i => i.Units.ShouldBe(["mzj", "zfz"]), i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 30)),
            i => i.DeadlineText.ShouldBe("6月底前"), i => i.Source.ShouldBe("审计"), i => i.Milestones!.Select(m => m.Date).ShouldBe([new DateOnly(2018, 5, 20), new DateOnly(2018, 5, 31)]));
        items[0].ShouldSatisfyAllConditions(i => i.LeadUnit.ShouldBe("czj"), i => i.Ongoing.ShouldBeTrue(), i => i.Deadline.ShouldBeNull());
        // The upload is consumed; the import is journaled with its task.
        (await CountAsync("select count(*) from import_uploads where campaign_id = @campaign", new { campaign })).ShouldBe(0);
        (await CountAsync("select count(*) from admin_journal where action = 'import' and entity_id = @s and (data->>'imported')::int = 120 and data->>'task' = @t",
            new { s = campaign.ToString(), t = id.ToString() })).ShouldBe(1);

        // The import page shows the result of the task: what it created, with the way to the items.
        var page = await (await admin.GetAsync($"/campaigns/{campaign}/import?task={id}")).Content.ReadAsStringAsync();
        page.ShouldContain("已导入 120 个问题");
        page.ShouldNotContain("data-task-reload");
    }

    [Fact]
    public async Task ALongList_WithOneBadRow_FailsTheTask_WithTheCellsErrors_AndWritesNothing()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "后台导入坏行");
        // Sheet row 2 is the header, so list row 77 is sheet row 79; its lead unit does not exist.
        var file = List(120, n => n == 77 ? [(double)n, "类", "坏行问题", null, "不存在的局", "县民政局", "6月底前", "审计"] : Row(n));
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "坏行.xlsx");
        var id = (await response.ShouldHaveStatusAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();

        var done = await FinishedAsync(admin, id);
        done.GetProperty("state").GetString().ShouldBe("failed", done.ToString());
        done.GetProperty("stateName").GetString().ShouldBe("失败");
        done.GetProperty("error").GetString().ShouldBe("发现 1 处错误，请修改后重新导入。");
        var errors = done.GetProperty("summary").GetProperty("errors").EnumerateArray().ToList();
        errors.Count.ShouldBe(1);
        errors[0].GetProperty("row").GetInt32().ShouldBe(79);
        errors[0].GetProperty("field").GetString().ShouldBe("leadUnit");
        errors[0].GetProperty("cell").GetString().ShouldBe("E79");
        errors[0].GetProperty("message").GetString()!.ShouldContain("不存在的局");
        done.GetProperty("summary").GetProperty("imported").GetInt32().ShouldBe(0);

        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(0);
        (await CountAsync("select count(*) from admin_journal where action = 'import' and entity_id = @s", new { s = campaign.ToString() })).ShouldBe(0);

        // The import page shows the error table of the failed task.
        var page = await (await admin.GetAsync($"/campaigns/{campaign}/import?task={id}")).Content.ReadAsStringAsync();
        page.ShouldContain("导入失败，未导入任何问题");
        page.ShouldContain("data-testid=\"import-errors\"");
        page.ShouldContain("E79");

        // A long file that is not a workbook at all is refused at once (400), no task is started.
        var tasks = await CountAsync("select count(*) from background_tasks where campaign_id = @campaign", new { campaign });
        var garbage = await DocumentsSeed.ImportAsync(admin, campaign, [.. Enumerable.Repeat((byte)'x', 200_000)], "大清单.xlsx");
        (await garbage.ShouldHaveStatusAsync(HttpStatusCode.BadRequest)).GetProperty("title").GetString()!.ShouldContain("无法读取");
        (await CountAsync("select count(*) from background_tasks where campaign_id = @campaign", new { campaign })).ShouldBe(tasks);
    }

    [Fact]
    public async Task APreviewConfirmedTwice_OneTask_AndTheJobRunTwice_ImportsOnce()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "后台导入两次");
        var preview = await (await DocumentsSeed.ImportAsync(admin, campaign, List(80), "两次.xlsx", dryRun: true)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        preview.GetProperty("wouldImport").GetInt32().ShouldBe(80);
        var upload = preview.GetProperty("uploadId").GetGuid();
        await using var db = app.Database.CreateDataSource();

        // The second confirmation comes while the task is still importing: the campaign's row is held here, so the task
        // waits at its first insert (which locks it) until both confirmations are answered, however fast it would be.
        Guid id;
        await using (var hold = await db.OpenConnectionAsync())
        await using (var holding = await hold.BeginTransactionAsync())
        {
            await hold.ExecuteAsync("select 1 from campaigns where id = @campaign for no key update", new { campaign }, holding);
            var first = await (await ConfirmAsync(admin, campaign, upload)).ShouldHaveStatusAsync(HttpStatusCode.Accepted);
            var second = await (await ConfirmAsync(admin, campaign, upload)).ShouldHaveStatusAsync(HttpStatusCode.Accepted);
            id = first.GetProperty("id").GetGuid();
            second.GetProperty("id").GetGuid().ShouldBe(id, "a confirmation sent twice answers the task already importing the upload");
            await holding.RollbackAsync();
        }
        (await FinishedAsync(admin, id)).GetProperty("state").GetString().ShouldBe("succeeded");
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(80);

        // The job once more (a requeue from the dashboard, a node thought dead): the finished task is left alone.
        await using var c = await db.OpenConnectionAsync();
        const string sql = "select attempts, finished_at, summary::text from background_tasks where id = @id";
        var before = await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Summary)>(sql, new { id });
        await app.Services.GetRequiredService<BackgroundTaskRunner>().RunAsync(id, CancellationToken.None);
        (await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Summary)>(sql, new { id })).ShouldBe(before);
        // Even the import itself run again on the same task and upload (a crash between commit and bookkeeping) writes nothing.
        var user = await c.QuerySingleAsync<CurrentUser>(
            "select id, user_name as UserName, role, unit_code as UnitCode, person_id as PersonId from users where user_name = 'admin'");
        var again = await app.Services.GetRequiredService<ImportService>().RunTaskAsync(id, campaign, upload, user, [], (_, _) => { }, CancellationToken.None);
        again.ShouldBeOfType<ImportRefused>().Status.ShouldBe(409);
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(80);
        // And the upload, consumed, cannot be confirmed again.
        var late = await ConfirmAsync(admin, campaign, upload);
        (await late.ShouldHaveStatusAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString()!.ShouldContain("重新上传");
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(80);
    }

    [Fact]
    public async Task TheImportPage_ConfirmingALongList_ShowsTheTasksProgress_ThenWhatItCreated()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "页面后台导入");
        var preview = await (await DocumentsSeed.ImportAsync(admin, campaign, List(90), "页面.xlsx", dryRun: true)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        var upload = preview.GetProperty("uploadId").GetGuid();
        // The page's own client: antiforgery cookie and bearer token, and the redirect looked at rather than followed
        // (a followed redirect drops the Authorization header).
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        var page = await (await browser.GetAsync($"/campaigns/{campaign}/import")).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        token.ShouldNotBeEmpty();

        var confirmed = await browser.PostAsync($"/campaigns/{campaign}/import?handler=Confirm",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["uploadId"] = upload.ToString() }));
        confirmed.StatusCode.ShouldBeOneOf(HttpStatusCode.Redirect, HttpStatusCode.Found);
        var at = new Uri(new Uri("http://localhost"), confirmed.Headers.Location!);
        at.AbsolutePath.ShouldBe($"/campaigns/{campaign}/import");
        var task = Guid.Parse(System.Web.HttpUtility.ParseQueryString(at.Query)["task"]!);
        var shown = await (await admin.GetAsync(at.PathAndQuery)).Content.ReadAsStringAsync();
        shown.ShouldContain("data-testid=\"import-task\"");
        shown.ShouldContain("导入问题清单：页面后台导入（页面.xlsx）");

        (await FinishedAsync(admin, task)).GetProperty("state").GetString().ShouldBe("succeeded");
        var result = await (await admin.GetAsync($"/campaigns/{campaign}/import?task={task}")).Content.ReadAsStringAsync();
        result.ShouldContain("已导入 90 个问题");
        var taskPage = await (await admin.GetAsync($"/tasks/{task}")).Content.ReadAsStringAsync();
        taskPage.ShouldContain("data-testid=\"task-imported\"");
    }

    [Fact]
    public async Task ATaskStartedWithoutTheRowsInMemory_ReadsTheKeptUpload()
    {
        // A task run by another node (or after a restart) has only the kept upload: it reads the file itself.
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "另一节点导入");
        var preview = await (await DocumentsSeed.ImportAsync(admin, campaign, List(70), "另一节点.xlsx", dryRun: true)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        var upload = preview.GetProperty("uploadId").GetGuid();
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var adminId = await c.ExecuteScalarAsync<Guid>("select id from users where user_name = 'admin'");
        var id = await app.Services.GetRequiredService<BackgroundTasks>().StartImportAsync("导入问题清单：另一节点", adminId, campaign,
            new ImportTaskParameters(upload, "另一节点.xlsx", []), CancellationToken.None);
        var done = await FinishedAsync(admin, id);
        done.GetProperty("state").GetString().ShouldBe("succeeded", done.ToString());
        done.GetProperty("summary").GetProperty("imported").GetInt32().ShouldBe(70);
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(70);
    }

    [Fact]
    public async Task AShortPreview_ConfirmedTwiceAtOnce_IsImportedOnce()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "同时确认两次");
        var preview = await (await DocumentsSeed.ImportAsync(admin, campaign, List(30), "短清单.xlsx", dryRun: true)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        var upload = preview.GetProperty("uploadId").GetGuid();
        var answers = await Task.WhenAll(ConfirmAsync(admin, campaign, upload), ConfirmAsync(admin, campaign, upload));
        var statuses = answers.Select(a => a.StatusCode).OrderBy(s => s).ToList();
        statuses[0].ShouldBe(HttpStatusCode.OK);
        statuses[1].ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Conflict);
        var refused = await answers.Single(a => a.StatusCode != HttpStatusCode.OK).JsonAsync();
        refused.GetProperty("imported").GetInt32().ShouldBe(0);
        (await CountAsync("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(30);
    }

    private static async Task<HttpResponseMessage> ConfirmAsync(HttpClient client, Guid campaign, Guid upload)
    {
        using var form = new MultipartFormDataContent { { new StringContent(upload.ToString()), "uploadId" } };
        return await client.PostAsync($"/api/campaigns/{campaign}/items/import", form);
    }
}
