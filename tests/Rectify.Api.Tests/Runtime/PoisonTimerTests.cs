using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 19, defect 1, from the reproduction: an ongoing item whose report cadence is thousands of years
/// (<c>P100000Y</c>, stored before the API refused it) made its periodic step throw in <c>AddMonths</c>; the exception
/// escaped the timer loop and stopped the host, again after every restart. Now the timer is quarantined as an
/// incident, the other items of the same sweep fire, the node stays ready, a restart keeps it quarantined, and an
/// operator's retry after the row is fixed fires it once.
/// </summary>
[RunsLong]
public sealed class PoisonTimerTests
{
    [Fact]
    public async Task PoisonTimer_IsQuarantined_OthersFire_NodeStaysReady_SurvivesRestart_RetryAfterFixFiresOnce()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            Guid poison, normal, deadlined;
            long incidentId;
            await using (var first = new RuntimeApp { ExistingDatabase = database })
            {
                await first.InitializeAsync();
                var org = await Org.CreateAsync(first, "px");
                await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
                var (campaign, items) = await org.CampaignAsync(
                [
                    org.Item("长期坚持：压实责任（毒数据）", null, ongoing: true),
                    org.Item("长期坚持：常态长效", null, ongoing: true),
                    org.Item("按期整改：台账补齐", "2026-06-19"),
                ]);
                (poison, normal, deadlined) = (items[0], items[1], items[2]);
                (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
                foreach (var item in items)
                    (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();

                // The row as the probe left it (the API now refuses such a cadence, rows stored before the fix exist).
                await first.QueryAsync<int>("update items set report_every = 'P100000Y' where id = @poison returning 1", new { poison });

                // 26 June 09:00: both ongoing items' "urge" step of the 25 June report is due in one sweep, the poison
                // one throws there (scheduling its next report ~100 000 years ahead).
                await org.SetClockAsync(RuntimeApp.Local(2026, 6, 26, 9));

                (await first.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
                (await (await org.UnitA.GetAsync($"/api/items/{normal}")).JsonAsync()).Str("escalationLevel").ShouldBe("urge");
                (await first.QueryAsync<string>("select step from timers where subject_id = @normal", new { normal })).ShouldBe("periodic:2026-07-25:reminder");
                (await (await org.UnitA.GetAsync($"/api/items/{deadlined}")).JsonAsync()).Str("escalationLevel").ShouldBe("supervisionLetter");
                (await first.QueryAsync<long>("select count(*) from escalations where item_id = @deadlined", new { deadlined })).ShouldBe(2);
                // The poison item's June reminder fired before; its failing step left nothing behind.
                (await (await org.UnitA.GetAsync($"/api/items/{poison}")).JsonAsync()).Str("escalationLevel").ShouldBe("none");
                (await first.QueryAsync<long>("select count(*) from escalations where item_id = @poison", new { poison })).ShouldBe(0);
                (await first.QueryAsync<bool>("select quarantined from timers where subject_id = @poison", new { poison })).ShouldBeTrue();

                var listed = await (await org.Admin.GetAsync("/api/admin/incidents?open=true")).JsonAsync();
                listed.GetProperty("total").GetInt64().ShouldBe(1);
                var incident = listed.GetProperty("items")[0];
                incident.Str("source").ShouldBe("timer");
                incident.Str("subjectId").ShouldBe(poison.ToString());
                incident.Str("step").ShouldBe("periodic:2026-06-25:escalation:urge");
                incident.Str("error").ShouldContain("ArgumentOutOfRangeException");
                incident.GetProperty("attempts").GetInt32().ShouldBe(1);
                incidentId = incident.GetProperty("id").GetInt64();

                // Only administrators see incidents; the admin page lists it.
                (await org.Lgo.GetAsync("/api/admin/incidents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
                var html = await (await org.Admin.GetAsync("/admin/incidents")).Content.ReadAsStringAsync();
                html.ShouldContain("periodic:2026-06-25:escalation:urge");
                html.ShouldContain("长期坚持：压实责任（毒数据）");

                // Later sweeps leave it alone: it is not claimed again.
                await org.SetClockAsync(RuntimeApp.Local(2026, 6, 29, 9));
                (await (await org.Admin.GetAsync($"/api/admin/incidents/{incidentId}")).JsonAsync()).GetProperty("attempts").GetInt32().ShouldBe(1);
            }

            // A restart: the node comes up ready, the timer stays quarantined, nothing fires it behind the operator's back.
            await using var second = new RuntimeApp { ExistingDatabase = database };
            await second.InitializeAsync();
            (await second.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
            var admin = await second.AdminAsync();
            (await admin.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "P1D" })).EnsureSuccessStatusCode();
            (await second.QueryAsync<bool>("select quarantined from timers where subject_id = @poison", new { poison })).ShouldBeTrue();
            var kept = await (await admin.GetAsync($"/api/admin/incidents/{incidentId}")).JsonAsync();
            kept.GetProperty("resolvedAt").ValueKind.ShouldBe(JsonValueKind.Null);
            kept.GetProperty("attempts").GetInt32().ShouldBe(1);

            // A retry before the fix fails again and says so: 409, one more attempt, still quarantined.
            await (await admin.PostAsync($"/api/admin/incidents/{incidentId}/retry", null)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
            (await (await admin.GetAsync($"/api/admin/incidents/{incidentId}")).JsonAsync()).GetProperty("attempts").GetInt32().ShouldBe(2);
            (await second.QueryAsync<bool>("select quarantined from timers where subject_id = @poison", new { poison })).ShouldBeTrue();

            // The operator fixes the row and retries: the step fires once, the chain goes on, the incident is closed.
            await second.QueryAsync<int>("update items set report_every = 'P1M' where id = @poison returning 1", new { poison });
            var retried = await (await admin.PostAsync($"/api/admin/incidents/{incidentId}/retry", null)).ShouldHaveStatusAsync(HttpStatusCode.OK);
            retried.Str("resolution").ShouldBe("fired");
            retried.GetProperty("resolvedAt").ValueKind.ShouldNotBe(JsonValueKind.Null);
            (await second.QueryAsync<long>("select count(*) from journal where item_id = @poison and data->>'step' = 'periodic:2026-06-25:escalation:urge'", new { poison }))
                .ShouldBe(1);
            (await second.QueryAsync<long>("select count(*) from escalations where item_id = @poison", new { poison })).ShouldBe(1);
            (await second.QueryAsync<string>("select step from timers where subject_id = @poison", new { poison })).ShouldBe("periodic:2026-07-25:reminder");
            (await (await admin.GetAsync("/api/admin/incidents?open=true")).JsonAsync()).GetProperty("total").GetInt64().ShouldBe(0);
            await (await admin.PostAsync($"/api/admin/incidents/{incidentId}/retry", null)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
            (await second.QueryAsync<long>("select count(*) from journal where item_id = @poison and data->>'step' = 'periodic:2026-06-25:escalation:urge'", new { poison }))
                .ShouldBe(1);
            (await second.QueryAsync<long>("select count(*) from admin_journal where action = 'incident.retried'")).ShouldBe(1);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>
    /// A row the database refuses (here a trigger stands in for any constraint one row's effects break) fails the
    /// set-based batch as a whole: the sweep re-fires the batch timer by timer, so the others still fire in that sweep
    /// and only the culprit is quarantined.
    /// </summary>
    [Fact]
    public async Task RowTheDatabaseRefuses_RollsBackTheBatch_ThenOnlyThatTimerIsQuarantined()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            await using var app = new RuntimeApp { ExistingDatabase = database };
            await app.InitializeAsync();
            var org = await Org.CreateAsync(app, "pd");
            await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
            var (campaign, items) = await org.CampaignAsync([org.Item("长期坚持：甲", null, ongoing: true), org.Item("长期坚持：乙", null, ongoing: true)]);
            (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
            // Both units sign (each for itself, issue 12), so no unacknowledged reminder is left to fire for the poison item.
            foreach (var item in items)
            {
                (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
                (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
            }
            var (poison, normal) = (items[0], items[1]);
            await app.QueryAsync<int>($$"""
                create function test_refuse_journal() returns trigger language plpgsql as $f$
                begin
                    if new.item_id = '{{poison}}' and new.type <> 'event' then raise exception 'test: journal row refused for %', new.item_id; end if;
                    return new;
                end $f$;
                create trigger test_refuse_journal before insert on journal for each row execute function test_refuse_journal();
                select 1;
                """);

            await org.SetClockAsync(RuntimeApp.Local(2026, 6, 22, 9));

            (await app.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await app.QueryAsync<long>("select count(*) from journal where item_id = @normal and type = 'periodicReminder'", new { normal })).ShouldBe(1);
            (await app.QueryAsync<bool>("select quarantined from timers where subject_id = @poison", new { poison })).ShouldBeTrue();
            (await app.QueryAsync<bool>("select bool_or(quarantined) from timers where subject_id = @normal", new { normal })).ShouldBeFalse();
            var listed = await (await org.Admin.GetAsync("/api/admin/incidents?open=true")).JsonAsync();
            listed.GetProperty("total").GetInt64().ShouldBe(1);
            listed.GetProperty("items")[0].Str("error").ShouldContain("journal row refused");
            listed.GetProperty("items")[0].Str("step").ShouldBe("periodic:2026-06-25:reminder");
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
