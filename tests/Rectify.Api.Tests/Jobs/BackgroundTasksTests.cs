using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Jobs;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Jobs;

/// <summary>
/// A big export as a background task: POST answers 202 with the task, a Hangfire worker builds the file and writes its
/// progress, GET /api/tasks/{id} shows it, the result downloads; running the job again changes nothing; only the
/// person who started it (or an administrator) sees the task.
/// </summary>
public sealed class BackgroundTasksTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task LedgerExport_RunsOnAWorker_WithProgress_ThenDownloads_AndASecondRunChangesNothing()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("bt-lg", "后台任务测试领导小组办公室", "leadingGroup");
        await org.UnitAsync("bt-fpb", "后台任务测试扶贫办");
        await org.UnitAsync("bt-jyj", "后台任务测试教育局");
        await org.UserAsync("bt-office", "leadingGroup", "bt-lg");
        await org.UserAsync("bt-unit", "unit", "bt-jyj");
        var campaign = await org.CampaignAsync("bt-lg", title: "后台任务测试整改工作");
        for (var n = 1; n <= 12; n++) await org.ItemAsync(campaign, $"后台导出测试问题{n}", "bt-fpb", deadline: "2030-06-30");

        var office = await app.ClientAsAsync("bt-office", "Passw0rd!x");
        var started = await office.PostAsync($"/api/campaigns/{campaign}/ledger/export", null);
        var task = await started.ShouldHaveStatusAsync(HttpStatusCode.Accepted);
        var id = task.GetProperty("id").GetGuid();
        started.Headers.Location!.ToString().ShouldBe($"/api/tasks/{id}");
        task.GetProperty("kind").GetString().ShouldBe("ledgerExport");
        task.GetProperty("title").GetString().ShouldBe("导出整改台账：后台任务测试整改工作");

        JsonElement done = default;
        await Eventually.TrueAsync(async () =>
        {
            done = await (await office.GetAsync($"/api/tasks/{id}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            return done.GetProperty("state").GetString() is "succeeded" or "failed";
        }, "the export task to finish");
        done.GetProperty("state").GetString().ShouldBe("succeeded", done.ToString());
        done.GetProperty("stateName").GetString().ShouldBe("已完成");
        done.GetProperty("total").GetInt32().ShouldBe(12);
        done.GetProperty("progress").GetInt32().ShouldBe(12);
        done.GetProperty("resultUrl").GetString().ShouldBe($"/api/tasks/{id}/result");

        var file = await office.GetAsync($"/api/tasks/{id}/result");
        file.StatusCode.ShouldBe(HttpStatusCode.OK);
        file.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        file.Content.Headers.ContentDisposition!.FileNameStar.ShouldEndWith(".xlsx");
        var bytes = await file.Content.ReadAsByteArrayAsync();
        using (var sheet = SpreadsheetDocument.Open(new MemoryStream(bytes), false))
            sheet.WorkbookPart!.WorksheetParts.Select(w => w.Worksheet.InnerText).ShouldContain(t => t.Contains("后台导出测试问题12"));

        // The job once more (a requeue from the dashboard, a node thought dead): the finished task stays as it was.
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        const string sql = """
            select attempts, finished_at, (select md5(string_agg(data, ''::bytea order by seq)) from background_task_chunks where task_id = @id)
            from background_tasks where id = @id
            """;
        var before = await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Hash)>(sql, new { id });
        before.Hash.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)));
        await app.Services.GetRequiredService<BackgroundTaskRunner>().RunAsync(id, CancellationToken.None);
        (await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Hash)>(sql, new { id })).ShouldBe(before);
        before.Attempts.ShouldBe(1);

        // Someone else's task is not found; a unit that cannot see the campaign cannot export it.
        var unit = await app.ClientAsAsync("bt-unit", "Passw0rd!x");
        (await unit.GetAsync($"/api/tasks/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.GetAsync($"/api/tasks/{id}/result")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unit.PostAsync($"/api/campaigns/{campaign}/ledger/export", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await unit.GetAsync("/api/tasks")).JsonAsync()).GetArrayLength().ShouldBe(0);
        // The administrator sees every task.
        (await admin.GetAsync($"/api/tasks/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await office.GetAsync("/api/tasks")).JsonAsync()).EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ShouldContain(id);
    }

    [Fact]
    public async Task BadInput_IsAProblemInChinese_AndNothingIsStarted()
    {
        var admin = await app.AdminAsync();
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var before = await c.ExecuteScalarAsync<long>("select count(*) from background_tasks");

        var unknownCampaign = await admin.PostAsync($"/api/campaigns/{Guid.NewGuid()}/ledger/export", null);
        (await unknownCampaign.ShouldHaveStatusAsync(HttpStatusCode.NotFound)).GetProperty("title").GetString()!.ShouldContain("整改工作");
        var org = new OrgBuilder(admin);
        await org.UnitAsync("bt-bad", "后台任务坏输入测试办");
        var campaign = await org.CampaignAsync("bt-bad");
        var badState = await admin.PostAsync($"/api/campaigns/{campaign}/ledger/export?state=nonsense", null);
        (await badState.ShouldHaveStatusAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("state", out _).ShouldBeTrue();
        (await admin.PostAsync($"/api/campaigns/{campaign}/ledger/export?q={new string('长', 201)}", null)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.GetAsync($"/api/tasks/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync("/api/tasks/not-a-guid")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await c.ExecuteScalarAsync<long>("select count(*) from background_tasks")).ShouldBe(before);
    }

    [Fact]
    public async Task ResultOfAnUnfinishedTask_Is409_SayingHowFarItIs()
    {
        var admin = await app.AdminAsync();
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var admins = await c.ExecuteScalarAsync<Guid>("select id from users where user_name = 'admin'");
        var id = Guid.CreateVersion7();
        await c.ExecuteAsync("""
            insert into background_tasks(id, kind, state, title, progress, total, requested_by, created_at, updated_at)
            values (@id, 'ledgerExport', 'running', '进行中的导出', 3, 10, @admins, now(), now())
            """, new { id, admins });
        var problem = await (await admin.GetAsync($"/api/tasks/{id}/result")).ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        problem.GetProperty("detail").GetString().ShouldBe("当前状态：进行中（3/10）");
    }
}
