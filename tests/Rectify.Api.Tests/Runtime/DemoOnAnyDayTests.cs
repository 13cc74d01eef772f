using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rectify.TestSupport;
using Xunit;

namespace Rectify.Api.Tests.Runtime;

/// <summary>A node on which the demo is loaded by hand, after the test has set the day of its "first start".</summary>
public sealed class FirstStartApp : RuntimeApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Clock:Controllable"] = "true",
        ["Rectify:Notifications:Enabled"] = "false",
        // The demo's history is replayed by the loader alone; no sweep of this node fires its timers meanwhile.
        ["Rectify:Timers:Enabled"] = "false",
    };
}

/// <summary>
/// Issue 13.8: the demo is alive on any day. On two first-start days far apart — one after the Spring Festival, one
/// the Friday after National Day — it is launched some weeks before, with items in every light, open items at every
/// level of the ladder (whose escalations are in the journal as of their own due time), items due this week, closures
/// on time and late, a closure waiting for its decision, parts signed and parts not; and each role sees the mix.
/// </summary>
[RunsLong]
public sealed class DemoOnAnyDayTests
{
    [Theory]
    [InlineData("2026-03-16T10:00:00+08:00")]
    [InlineData("2026-10-09T15:30:00+08:00")]
    public async Task Demo_FirstStartedOnAnyDay_ShowsALiveMix(string firstStart)
    {
        var start = DateTimeOffset.Parse(firstStart, System.Globalization.CultureInfo.InvariantCulture);
        var today = DateOnly.FromDateTime(start.DateTime);
        var app = new FirstStartApp();
        await app.InitializeAsync();
        try
        {
            var admin = await app.AdminAsync();
            (await admin.PostAsJsonAsync("/api/admin/clock", new { now = start })).EnsureSuccessStatusCode();
            var loaded = await app.Services.GetRequiredService<Rectify.Api.Demo.DemoLoader>().LoadOnceAsync(RectifyApp.DemoPassword, CancellationToken.None);
            loaded.ShouldNotBeNull();

            var calendar = await (await admin.GetAsync($"/api/calendar/{today.Year}")).JsonAsync();
            var exceptions = calendar.GetProperty("days").EnumerateArray().ToDictionary(d => DateOnly.Parse(d.Str("date")), d => d.Str("kind"));
            bool Working(DateOnly d) => exceptions.TryGetValue(d, out var kind) ? kind == "workday" : d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

            var lgo = await app.ClientAsAsync("lgo", RectifyApp.DemoPassword);
            var campaign = (await (await lgo.GetAsync("/api/campaigns")).JsonAsync()).GetProperty("items")[0];
            campaign.Str("state").ShouldBe("active");
            var launched = DateOnly.FromDateTime(campaign.GetProperty("launchedAt").GetDateTimeOffset().ToOffset(TimeSpan.FromHours(8)).DateTime);
            Working(launched).ShouldBeTrue($"launched on {launched}, a rest day");
            var workingDaysSinceLaunch = Enumerable.Range(1, today.DayNumber - launched.DayNumber).Count(n => Working(launched.AddDays(n)));
            workingDaysSinceLaunch.ShouldBe(25, $"launched {launched}, first start {today}");
            var stats = campaign.GetProperty("stats");
            stats.GetProperty("closedOnTime").GetInt64().ShouldBeGreaterThanOrEqualTo(2, stats.ToString());
            stats.GetProperty("closedLate").GetInt64().ShouldBeGreaterThanOrEqualTo(1, stats.ToString());
            stats.GetProperty("overdue").GetInt64().ShouldBeGreaterThanOrEqualTo(4, stats.ToString());
            stats.GetProperty("byState").GetProperty("closureRequested").GetInt64().ShouldBe(1, stats.ToString());

            var items = (await (await lgo.GetAsync("/api/items?pageSize=50")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
            var open = items.Where(i => i.Str("state") is not ("closed" or "withdrawn")).ToList();
            open.Select(i => i.Str("escalationLevel")).Distinct().ShouldBe(["none", "urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"], ignoreOrder: true);
            open.ShouldContain(i => !i.GetProperty("ongoing").GetBoolean() && DateOnly.Parse(i.Str("effectiveDeadline")) >= today
                && DateOnly.Parse(i.Str("effectiveDeadline")) <= today.AddDays(7), "an item due this week");
            var parts = items.SelectMany(i => i.GetProperty("assignments").EnumerateArray()).Select(a => a.Str("state")).ToList();
            parts.ShouldContain("assigned");
            parts.ShouldContain("inProgress");
            parts.ShouldContain("completed");

            // The escalations that "already happened" are records and journal rows of their own due time, not just dates.
            var talk = items.Single(i => i.Str("escalationLevel") == "admonitoryTalk");
            var levels = await app.RowsAsync<string>("""
                select j.data->>'level' from journal j
                join escalations e on e.id = (j.data->>'escalationId')::uuid and e.opened_at = j.at
                where j.item_id = @id and j.type = 'escalation' and j.at = (j.data->>'dueAt')::timestamptz order by j.at
                """, new { id = talk.GetProperty("id").GetGuid() });
            levels.ShouldBe(["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"]);
            (await app.QueryAsync<long>("select count(*) from journal where at > @start", new { start = start.ToUniversalTime() })).ShouldBe(0);

            // Every role sees items in every light: the offices, and 扶贫办 (the demo's unit user), whose own parts are behind on
            // some items (章凤镇, the model unit, finished every part it owes on time: it sees no red of its own).
            foreach (var user in new[] { "lgo", "dcs", "fpb" })
            {
                var client = await app.ClientAsAsync(user, RectifyApp.DemoPassword);
                var seen = (await (await client.GetAsync("/api/items?pageSize=50")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
                seen.Select(i => i.Str("light")).Distinct().ShouldBe(["green", "yellow", "red"], ignoreOrder: true, user);
                seen.Select(i => i.Str("escalationLevel")).Distinct().Count().ShouldBeGreaterThanOrEqualTo(4, user);
            }
            // Unit plans were due weeks ago (most handed in, a few late and escalated); unit reports are still ahead.
            var deliverables = (await (await lgo.GetAsync($"/api/deliverables?campaignId={loaded}&pageSize=500")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
            deliverables.Where(d => d.Str("kind") == "unitPlan").Select(d => d.Str("state")).Distinct().ShouldBe(["accepted", "pending"], ignoreOrder: true);
            deliverables.Where(d => d.Str("kind") == "unitReport").ShouldAllBe(d => d.Str("state") == "pending");
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }
}
