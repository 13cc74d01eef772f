using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Api.Tests.Runtime;

public sealed class DemoApp : RuntimeApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Clock:Controllable"] = "true",
        ["Rectify:DemoData"] = "true",
    };
}

/// <summary>The demo campaign comes up launched with months of realistic history, without a burst of stale messages.</summary>
public sealed class DemoTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task Demo_IsLaunchedWithARealisticMix_AndNoStaleReminders()
    {
        var admin = await app.AdminAsync();
        // Let the ordinary sweep finish whatever is due on the first start's own day (it goes out live).
        (await admin.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "PT0S" })).EnsureSuccessStatusCode();
        var lgo = await app.ClientAsAsync("lgo", RectifyApp_DemoPassword);
        var campaigns = await (await lgo.GetAsync("/api/campaigns")).JsonAsync();
        var campaign = campaigns.GetProperty("items")[0];
        campaign.Str("state").ShouldBe("active");
        var stats = campaign.GetProperty("stats");
        stats.GetProperty("closedOnTime").GetInt64().ShouldBeGreaterThanOrEqualTo(2);
        stats.GetProperty("closedLate").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
        stats.GetProperty("overdue").GetInt64().ShouldBeGreaterThanOrEqualTo(4);
        stats.GetProperty("byState").GetProperty("inProgress").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        stats.GetProperty("byState").GetProperty("closureRequested").GetInt64().ShouldBeGreaterThanOrEqualTo(1);

        var escalated = await (await lgo.GetAsync("/api/escalations?open=true")).JsonAsync();
        escalated.GetProperty("total").GetInt64().ShouldBeGreaterThan(0);
        // The history is quiet: nothing about a day before the first start was queued, and each escalated subject
        // notified at most one level (what fell due that very day).
        var today = LocalToday();
        var startOfToday = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();
        (await app.QueryAsync<long>("select count(*) from outbox where kind in ('reminder', 'escalation') and not_before < @startOfToday", new { startOfToday })).ShouldBe(0);
        (await app.QueryAsync<long>("select count(*) from (select coalesce(item_id, deliverable_id) from outbox where kind = 'escalation' group by 1 having count(distinct level) > 1) x")).ShouldBe(0);
        // Escalations that happened before the first start are in the journal as of their own due time, with their records.
        (await app.QueryAsync<long>("select count(*) from journal where type = 'escalation' and data ? 'history'")).ShouldBeGreaterThan(5);
        (await app.QueryAsync<long>("select count(*) from journal where type = 'escalation' and data ? 'history' and at <> (data->>'dueAt')::timestamptz")).ShouldBe(0);

        var items = await (await lgo.GetAsync("/api/items?pageSize=50")).JsonAsync();
        var reopened = items.GetProperty("items").EnumerateArray().Single(i => i.Str("number") == "10");
        reopened.GetProperty("cycle").GetInt32().ShouldBe(2);
        reopened.Str("state").ShouldBe("inProgress");
        var timeline = await (await lgo.GetAsync($"/api/items/{reopened.Str("id")}/timeline")).JsonAsync();
        timeline.EnumerateArray().Select(e => e.Str("type")).ShouldContain("reopen");
    }

    private static DateOnly LocalToday() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);

    [Fact]
    public async Task Demo_UnitGrades_DifferAndFollowFromTheRules()
    {
        var lgo = await app.ClientAsAsync("lgo", RectifyApp_DemoPassword);
        var campaign = (await (await lgo.GetAsync("/api/campaigns")).JsonAsync()).GetProperty("items")[0].Str("id");
        var units = await (await lgo.GetAsync($"/api/campaigns/{campaign}/units")).JsonAsync();
        units.GetArrayLength().ShouldBeGreaterThan(20);
        var grades = units.EnumerateArray().Select(u => u.Str("grade")).Distinct().ToList();
        grades.Count.ShouldBeGreaterThanOrEqualTo(2, $"every demo unit graded {string.Join("/", grades)}");
        grades.ShouldAllBe(g => g == "好" || g == "较好" || g == "一般" || g == "较差");
        foreach (var u in units.EnumerateArray())
        {
            var sum = u.GetProperty("breakdown").EnumerateArray().Sum(l => l.GetProperty("points").GetDouble());
            u.GetProperty("score").GetDouble().ShouldBe(Math.Round(Math.Clamp(sum, 0, 100), 1), u.Str("unit"));
        }
        // A unit that signed, reported every month and finished every part of its own on time (章凤镇 does, in the demo) is
        // not marked down for its siblings' delays.
        var zfz = units.EnumerateArray().Single(u => u.Str("unit") == "zfz");
        zfz.GetProperty("overdueDays").GetInt32().ShouldBe(0, zfz.ToString());
        zfz.Str("grade").ShouldBe("好", units.ToString());
        // The laggards of the demo (县住建局, 勐约乡) sign late and leave parts of open items undone.
        units.EnumerateArray().Single(u => u.Str("unit") == "myx").Str("grade").ShouldNotBe("好");
    }

    [Fact]
    public async Task Demo_OnItsFirstDay_ShowsEveryLightAndLevel_AndSomethingWaitsForEveryDemoUser()
    {
        // Issue 13: whatever the day `run` first starts, a newcomer sees a live campaign, and each demo role's 待办 has work.
        var admin = await app.AdminAsync();
        (await admin.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "PT0S" })).EnsureSuccessStatusCode();
        var lgo = await app.ClientAsAsync("lgo", RectifyApp_DemoPassword);
        var items = (await (await lgo.GetAsync("/api/items?pageSize=100")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var open = items.Where(i => i.Str("state") is not ("closed" or "withdrawn")).ToList();
        string.Join(",", open.Select(i => i.Str("light")).Distinct().Order()).ShouldBe("green,red,yellow", $"lights of the open demo items: {string.Join(", ", open.Select(i => i.Str("light")))}");
        var levels = open.Select(i => i.Str("escalationLevel")).ToHashSet();
        foreach (var level in Rectify.Workflows.Definitions.EscalationLevels.Ordered)
            levels.ShouldContain(level, $"levels of the open demo items: {string.Join(", ", levels)}");
        // Some due this week, some already closed.
        var today = LocalToday();
        var deadlines = open.Select(i => i.GetProperty("effectiveDeadline")).Where(d => d.ValueKind == JsonValueKind.String)
            .Select(d => DateOnly.Parse(d.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        deadlines.Count(d => d >= today && d <= today.AddDays(7)).ShouldBeGreaterThan(0, $"deadlines of the open demo items: {string.Join(", ", deadlines)}");
        items.ShouldContain(i => i.Str("state") == "closed");

        foreach (var user in new[] { "lgo", "fpb", "zfz", "dcs" })
        {
            var client = await app.ClientAsAsync(user, RectifyApp_DemoPassword);
            var todo = await (await client.GetAsync("/api/todo")).JsonAsync();
            todo.GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0, $"待办 of demo user {user}: {todo}");
            todo.GetProperty("counts").EnumerateObject().Sum(c => c.Value.GetInt32()).ShouldBeGreaterThan(0, user);
        }
    }

    private const string RectifyApp_DemoPassword = Rectify.TestSupport.RectifyApp.DemoPassword;
}
