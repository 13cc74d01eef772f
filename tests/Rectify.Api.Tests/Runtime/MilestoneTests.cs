using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 15.4: dated steps inside an item (milestones) each have their own reminder through the timers and the typed
/// outbox, exactly once per unit and person, to the units still working; a unit marks a step done and its reminder then
/// sends nothing; the item's deadline and its own reminders stay the item's.
/// </summary>
public sealed class MilestoneTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static object Item(Org org) => new
    {
        title = "危房改造不到位", leadUnit = org.UnitACode, units = new[] { org.UnitACode, org.UnitBCode }, deadline = "2026-06-30", ongoing = false,
        milestones = new[] { new { date = "2026-06-20", text = "6月20日前完成拆旧" }, new { date = "2026-06-10", text = "于6月10日前将危房全部排查出来" } },
    };

    [Fact]
    public async Task EachMilestone_RemindsOnce_PerUnitStillWorking_ADoneOneSendsNothing_TheDeadlineStays()
    {
        var org = await Org.CreateAsync(app, "ms");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, ids) = await org.CampaignAsync([Item(org)], title: "节点整改");
        var item = ids[0];
        var created = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        created.GetProperty("milestones").EnumerateArray().Select(m => (m.Str("seq"), m.Str("date"), m.Str("text"))).ShouldBe(
            [("1", "2026-06-10", "于6月10日前将危房全部排查出来"), ("2", "2026-06-20", "6月20日前完成拆旧")]);
        // Before launch a step cannot be marked done.
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/1/done", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound, "a draft is invisible to units");
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/milestones/1/done", new { })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var timers = await app.RowsAsync<(string Step, DateTime Due)>(
            "select step, due_at from timers where subject_id = @item and step like 'milestone:%' order by step", new { item });
        // 3 days before, moved to the working day on or before, at 09:00 local: 6/10 → Sunday 6/7 → Friday 6/5; 6/20 → Wednesday 6/17.
        timers.Select(t => (t.Step, new DateTimeOffset(DateTime.SpecifyKind(t.Due, DateTimeKind.Utc)).ToOffset(RuntimeApp.China))).ShouldBe(
            [("milestone:1", RuntimeApp.Local(2026, 6, 5, 9)), ("milestone:2", RuntimeApp.Local(2026, 6, 17, 9))]);

        // Unit B has finished its part: it gets no reminder; unit A marks step 2 done before its reminder is due.
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "complete", note = "本单位部分已完成" })).EnsureSuccessStatusCode();
        var marked = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/2/done", new { note = "拆旧已完成" });
        marked.StatusCode.ShouldBe(HttpStatusCode.OK, await marked.Content.ReadAsStringAsync());
        var step2 = (await marked.JsonAsync()).GetProperty("milestones")[1];
        step2.Str("doneUnit").ShouldBe(org.UnitACode);
        step2.GetProperty("doneAt").ValueKind.ShouldBe(JsonValueKind.String);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/2/done", new { })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/9/done", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/milestones/1/done", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 18, 10));
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 19, 10));
        var rows = await app.RowsAsync<(string Key, string Kind, string Type, string Unit, DateTime NotBefore)>("""
            select idempotency_key, kind, payload->>'type', payload->'subject'->>'unitCode', not_before from outbox
            where item_id = @item and payload->>'type' = 'milestoneReminder' order by idempotency_key
            """, new { item });
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(r => r.Kind == "reminder" && r.Key.Contains(":milestone:1:", StringComparison.Ordinal));
        rows.Select(r => r.Unit).Distinct().ShouldBe([org.UnitACode], "unit B completed its part; step 2 was done");
        rows.Select(r => r.Key).Distinct().Count().ShouldBe(rows.Count, "exactly once per unit, person and channel");
        rows.ShouldAllBe(r => new DateTimeOffset(DateTime.SpecifyKind(r.NotBefore, DateTimeKind.Utc)) == RuntimeApp.Local(2026, 6, 5, 9));
        var payload = await app.QueryAsync<string>(
            "select payload::text from outbox where item_id = @item and payload->>'type' = 'milestoneReminder' limit 1", new { item });
        using (var doc = JsonDocument.Parse(payload))
        {
            doc.RootElement.GetProperty("date").GetString().ShouldBe("2026-06-10");
            doc.RootElement.GetProperty("text").GetString().ShouldBe("于6月10日前将危房全部排查出来");
        }
        var journal = await app.RowsAsync<(string Type, string? Outcome)>(
            "select type, data->>'outcome' from journal where item_id = @item and data->>'step' like 'milestone:%' order by id", new { item });
        journal.ShouldBe([("milestoneReminder", "fired"), ("timerSkipped", "done")]);
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item and step like 'milestone:%'", new { item })).ShouldBe(0);

        // The item's deadline is untouched, its own reminders are still chained on it.
        var after = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        after.Str("deadline").ShouldBe("2026-06-30");
        after.Str("effectiveDeadline").ShouldBe("2026-06-30");
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item and step like 'reminder:T-%'", new { item })).ShouldBe(1);
        var timeline = await (await org.Lgo.GetAsync($"/api/items/{item}/timeline")).JsonAsync();
        timeline.EnumerateArray().Count(e => e.Str("type") == "milestoneDone").ShouldBe(1);

        // Moving on fires nothing twice.
        var count = rows.Count;
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 25, 10));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and payload->>'type' = 'milestoneReminder'", new { item })).ShouldBe(count);
    }

    [Fact]
    public async Task AnExtension_KeepsTheMilestoneReminders_AClosureEndsThem()
    {
        var org = await Org.CreateAsync(app, "mx");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, ids) = await org.CampaignAsync([Item(org)], title: "节点延期");
        var item = ids[0];
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestExtension", newDeadline = "2026-07-31", note = "需要更多时间" })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveExtension" })).EnsureSuccessStatusCode();
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item and step like 'milestone:%'", new { item })).ShouldBe(2);

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 6, 10));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and payload->>'type' = 'milestoneReminder'", new { item }))
            .ShouldBeGreaterThan(0, "the first step's reminder fired after the extension (its timer is not tied to the deadline's cycle)");

        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "complete", note = "完成" })).EnsureSuccessStatusCode();
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        var evidence = (await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", attachmentIds = new[] { evidence }, note = "全部完成" })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" })).EnsureSuccessStatusCode();
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item", new { item })).ShouldBe(0);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/2/done", new { })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }
}
