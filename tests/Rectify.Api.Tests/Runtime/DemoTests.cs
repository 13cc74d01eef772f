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
        // Let the ordinary sweep (with its catch-up policy) finish whatever the replayed history left due.
        (await admin.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "PT0S" })).EnsureSuccessStatusCode();
        var lgo = await app.ClientAsAsync("lgo", RectifyApp_DemoPassword);
        var campaigns = await (await lgo.GetAsync("/api/campaigns")).JsonAsync();
        var campaign = campaigns.GetProperty("items")[0];
        campaign.Str("state").ShouldBe("active");
        var stats = campaign.GetProperty("stats");
        stats.GetProperty("closedOnTime").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        stats.GetProperty("closedLate").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
        stats.GetProperty("overdue").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        stats.GetProperty("byState").GetProperty("inProgress").GetInt64().ShouldBeGreaterThanOrEqualTo(3);

        var escalated = await (await lgo.GetAsync("/api/escalations?open=true")).JsonAsync();
        escalated.GetProperty("total").GetInt64().ShouldBeGreaterThan(0);
        // Catch-up: no reminder about the past was queued, and each escalated subject notified at most one level.
        (await app.QueryAsync<long>("select count(*) from outbox where kind = 'reminder'")).ShouldBe(0);
        (await app.QueryAsync<long>("select count(*) from (select coalesce(item_id, deliverable_id) from outbox where kind = 'escalation' group by 1 having count(distinct level) > 1) x")).ShouldBe(0);
        (await app.QueryAsync<long>("select count(*) from journal where type = 'timerSkipped'")).ShouldBeGreaterThan(0);

        var items = await (await lgo.GetAsync("/api/items?pageSize=50")).JsonAsync();
        var reopened = items.GetProperty("items").EnumerateArray().Single(i => i.Str("number") == "10");
        reopened.GetProperty("cycle").GetInt32().ShouldBe(2);
        reopened.Str("state").ShouldBe("inProgress");
        var timeline = await (await lgo.GetAsync($"/api/items/{reopened.Str("id")}/timeline")).JsonAsync();
        timeline.EnumerateArray().Select(e => e.Str("type")).ShouldContain("reopen");
    }

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

    private const string RectifyApp_DemoPassword = Rectify.TestSupport.RectifyApp.DemoPassword;
}
