using System.Net;
using System.Net.Http.Json;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Jobs;
using Rectify.Api.Operations;
using Rectify.Api.Tests.Foundation;
using Rectify.Notifications.Digests;
using Rectify.TestSupport;
using Rectify.Workflows.Clock;

namespace Rectify.Api.Tests.Jobs;

/// <summary>A node with Hangfire's server running (two workers, long polling) and the controllable clock.</summary>
public sealed class JobsApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Jobs:Server"] = "true",
        ["Rectify:Clock:Controllable"] = "true",
        // Long polling wakes a worker when a job is enqueued; a NOTIFY sent while a worker is between its fetch and its
        // LISTEN is caught by the next poll, which in production is 2 min away: longer than a test waits.
        ["Rectify:Jobs:QueuePollInterval"] = "00:00:05",
    };
}

/// <summary>
/// Hangfire on the product's PostgreSQL: its own schema, the recurring jobs, and each job safe to run twice — the
/// daily digests (also triggered by a move of the controllable clock), the weekly report to the leading group and
/// retention; several nodes on one database.
/// </summary>
public sealed class JobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    [Fact]
    public async Task Start_InstallsHangfiresOwnSchema_AndRegistersTheRecurringJobs()
    {
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<int>("select max(version) from hangfire.schema")).ShouldBeGreaterThanOrEqualTo(20);
        // Nothing of Hangfire's in our schema, nothing of ours in Hangfire's.
        (await c.ExecuteScalarAsync<long>("select count(*) from information_schema.tables where table_schema = 'public' and table_name in ('job', 'jobqueue', 'server')")).ShouldBe(0);

        var storage = app.Services.GetRequiredService<JobStorage>();
        using var connection = storage.GetConnection();
        var recurring = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        recurring.Keys.ShouldBe(["digests", "retention", "weekly-report"], ignoreOrder: true);
        recurring["digests"].Cron.ShouldBe("* * * * *"); // controllable clock: looks each minute
        recurring["weekly-report"].Cron.ShouldBe("0 9 * * 1");
        recurring["weekly-report"].TimeZoneId.ShouldBeOneOf("Asia/Shanghai", "China Standard Time");
        recurring["retention"].Cron.ShouldBe("7 * * * *");
    }

    [Fact]
    public async Task ClockMovedPast0830_BuildsTheDigest_AndRunningTheJobAgainAddsNothing()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("jb-lg", "任务测试领导小组办公室", "leadingGroup");
        await org.UnitAsync("jb-fpb", "任务测试扶贫办");
        var reader = await org.PersonAsync("任务测试汇总读者", "jb-fpb", "digest@jb.example.cn");
        (await admin.PutAsJsonAsync($"/api/people/{reader}/preferences", new { channels = new[] { "email" }, digest = true })).EnsureSuccessStatusCode();
        var campaign = await org.CampaignAsync("jb-lg", title: "任务测试整改工作");
        var clock = app.Services.GetRequiredService<RectifyClock>();
        var monday = NextMonday(clock.GetUtcNow(), new TimeOnly(8, 45));
        var workingDays = app.Services.GetRequiredService<Rectify.Notifications.Calendar.IWorkingDays>();
        while (!await workingDays.IsWorkingDayAsync(DateOnly.FromDateTime(monday.Date), CancellationToken.None))
            monday = NextMonday(monday, new TimeOnly(8, 45));
        var deadline = DateOnly.FromDateTime(monday.Date).AddDays(2);
        await org.ItemAsync(campaign, "任务测试问题", "jb-fpb", deadline: deadline.ToString("yyyy-MM-dd"));
        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        // 08:45 on a Monday: the move itself builds the day's digest (no Hangfire tick needed).
        (await admin.PostJsonAsync("/api/admin/clock", new { now = monday })).EnsureSuccessStatusCode();
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        // (The rehearsal passes through the days before, whose digests it builds too: count this day's.)
        const string digests = "select count(*) from outbox where kind = 'digest' and recipient_person_id = @reader and idempotency_key like @key";
        var key = $"person:{reader}:digest:{monday:yyyy-MM-dd}:%";
        await Eventually.TrueAsync(async () => await c.ExecuteScalarAsync<long>(digests, new { reader, key }) == 1, "the digest after the clock move");

        // The recurring job's own run, twice more, on the same day: still one digest.
        var job = app.Services.GetRequiredService<DailyDigests>();
        (await job.RunDueAsync(CancellationToken.None)).ShouldBe(DailyDigests.Outcome.Built);
        (await job.RunDueAsync(CancellationToken.None)).ShouldBe(DailyDigests.Outcome.Built);
        (await c.ExecuteScalarAsync<long>(digests, new { reader, key })).ShouldBe(1);
    }

    [Fact]
    public async Task WeeklyReport_RunTwice_OneMessagePerLeadingGroupContactAndChannel_WithTheFigures()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("wr-lg", "周报测试领导小组办公室", "leadingGroup");
        await org.UnitAsync("wr-fpb", "周报测试扶贫办");
        var office = await org.PersonAsync("周报测试办公室主任", "wr-lg", "office@wr.example.cn");
        var deputy = await org.PersonAsync("周报测试办公室副主任", "wr-lg", "deputy@wr.example.cn");
        await org.PersonAsync("周报测试非联系人", "wr-lg", "quiet@wr.example.cn", contact: false);
        await org.PersonAsync("周报测试扶贫办联络员", "wr-fpb", "fpb@wr.example.cn");
        var campaign = await org.CampaignAsync("wr-lg", title: "周报测试整改工作");
        await org.ItemAsync(campaign, "周报测试问题一", "wr-fpb", deadline: "2030-06-30");
        await org.ItemAsync(campaign, "周报测试问题二", "wr-fpb", deadline: "2030-06-30");
        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        var clock = app.Services.GetRequiredService<RectifyClock>();
        await clock.SetAsync(NextMonday(clock.GetUtcNow(), new TimeOnly(9, 30)), CancellationToken.None);
        var job = app.Services.GetRequiredService<WeeklyProgressReport>();
        (await job.RunDueAsync(CancellationToken.None)).ShouldBeGreaterThan(0);
        (await job.RunDueAsync(CancellationToken.None)).ShouldBe(0);

        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var rows = (await c.QueryAsync<(Guid Person, string Channel, string Payload)>("""
            select recipient_person_id, channel, payload::text from outbox where kind = 'weeklyReport' and campaign_id = @campaign
            """, new { campaign })).ToList();
        rows.Select(r => r.Person).Distinct().ShouldBe([office, deputy], ignoreOrder: true);
        rows.GroupBy(r => (r.Person, r.Channel)).ShouldAllBe(g => g.Count() == 1);
        rows[0].Payload.ShouldContain("\"total\": 2");
    }

    [Fact]
    public async Task Retention_RunTwice_RemovesAnOldFinishedTaskOnce_AndKeepsAQueuedOne()
    {
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var wall = DateTimeOffset.UtcNow;
        var old = Guid.CreateVersion7();
        var queued = Guid.CreateVersion7();
        await c.ExecuteAsync("""
            insert into background_tasks(id, kind, state, title, created_at, updated_at, finished_at, result, result_name)
            values (@old, 'ledgerExport', 'succeeded', '旧导出', @at, @at, @at, '\x504b'::bytea, 'old.xlsx'),
                   (@queued, 'ledgerExport', 'queued', '排队中的导出', @at, @at, null, null, null)
            """, new { old, queued, at = wall.AddDays(-8) });
        var retention = app.Services.GetRequiredService<Retention>();
        (await retention.RunOnceAsync(CancellationToken.None)).BackgroundTasks.ShouldBe(1);
        (await retention.RunOnceAsync(CancellationToken.None)).BackgroundTasks.ShouldBe(0);
        (await c.ExecuteScalarAsync<long>("select count(*) from background_tasks where id = any(@ids)", new { ids = new[] { old, queued } })).ShouldBe(1);
    }

    [Fact]
    public async Task SecondNode_OnTheSameDatabase_StartsBesideTheFirst_BothServersHeartbeat()
    {
        await using var second = new JobsApp { ExistingDatabase = app.Database };
        await second.InitializeAsync();
        var storage = app.Services.GetRequiredService<JobStorage>();
        await Eventually.TrueAsync(() => Task.FromResult(storage.GetMonitoringApi().Servers().Count >= 2), "two Hangfire servers");
        using var connection = second.Services.GetRequiredService<JobStorage>().GetConnection();
        connection.GetRecurringJobs().Select(j => j.Id).ShouldBe(["digests", "retention", "weekly-report"], ignoreOrder: true);
    }

    /// <summary>The next Monday strictly after <paramref name="after"/>'s date (Asia/Shanghai), at <paramref name="at"/>.</summary>
    internal static DateTimeOffset NextMonday(DateTimeOffset after, TimeOnly at)
    {
        var local = after.ToOffset(China);
        var date = DateOnly.FromDateTime(local.Date).AddDays(1);
        while (date.DayOfWeek != DayOfWeek.Monday) date = date.AddDays(1);
        return new DateTimeOffset(date.ToDateTime(at), China);
    }
}

/// <summary>Waits for a condition (never for a time): polls it until it holds, failing after a generous bound.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"still waiting for {what} after {seconds} s");
            await Task.Delay(50);
        }
    }
}
