using System.Net;
using System.Net.Http.Json;

namespace Rectify.Api.Tests.Runtime;

public sealed class PeriodicAndDeliverablesTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    [Fact]
    public async Task OngoingItem_MonthlyReportReminded_MissedReportEscalates_ProgressClearsIt()
    {
        var org = await Org.CreateAsync(app, "pr");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("长期坚持：压实责任", null, ongoing: true)]);
        var item = items[0];
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();

        // Report due on the 25th; the reminder goes three days before, at 09:00 on Monday 22 June.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 22, 9));
        (await app.QueryAsync<DateTime>("select min((payload->>'dueAt')::timestamptz) from outbox where item_id = @item and kind = 'periodicReport'", new { item }))
            .ShouldBe(new DateTime(2026, 6, 22, 1, 0, 0));

        // Nothing reported: the report escalates like a deadline, urge on the first working day after the 25th.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 26, 9));
        var dto = await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync();
        dto.Str("escalationLevel").ShouldBe("urge");
        (await app.QueryAsync<string>("select note from escalations where item_id = @item and resolved_at is null", new { item })).ShouldContain("2026-06-25");
        (await app.QueryAsync<string>("select step from timers where subject_id = @item and step like '%:reminder'", new { item })).ShouldBe("periodic:2026-07-25:reminder");

        var progressed = await (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "progress", note = "6 月进展：已完成" })).JsonAsync();
        progressed.Str("escalationLevel").ShouldBe("none");
        (await app.QueryAsync<long>("select count(*) from escalations where item_id = @item and resolved_at is null", new { item })).ShouldBe(0);

        // B, the other unit, signs and reports its own part too (each unit reports for itself, issue 12).
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "progress", note = "6 月进展：本镇已完成" })).EnsureSuccessStatusCode();

        // The next letter step of June finds every unit's report received and stops there.
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 1, 9));
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item and type = 'periodicReportReceived'", new { item })).ShouldBe(1);
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and level = 'supervisionLetter'", new { item })).ShouldBe(0);
    }

    [Fact]
    public async Task Deliverables_CreatedAtLaunch_EscalatedWhenLate_SubmissionResolves()
    {
        var org = await Org.CreateAsync(app, "dl");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var phases = new object[]
        {
            new { key = "plan", start = "2026-06-01", end = "2026-06-05" }, new { key = "rectify", start = "2026-06-06", end = "2026-06-19" },
            new { key = "report", start = "2026-06-20", end = "2026-06-30" },
        };
        var (campaign, _) = await org.CampaignAsync([org.Item("问题", "2026-06-19")], phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var list = await (await org.Lgo.GetAsync($"/api/deliverables?campaignId={campaign}")).JsonAsync();
        list.GetProperty("total").GetInt64().ShouldBe(4);
        var mine = await (await org.UnitA.GetAsync($"/api/deliverables?campaignId={campaign}")).JsonAsync();
        var plan = mine.GetProperty("items").EnumerateArray().Single(d => d.Str("kind") == "unitPlan");
        plan.Str("dueDate").ShouldBe("2026-06-05");
        var planId = plan.GetProperty("id").GetGuid();

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 8, 9));
        var escalations = await (await org.UnitA.GetAsync("/api/escalations?open=true")).JsonAsync();
        escalations.GetProperty("items").EnumerateArray().ShouldContain(e => e.Str("deliverableId") == planId.ToString() && e.Str("level") == "urge");
        (await (await org.UnitA.GetAsync($"/api/deliverables/{planId}")).JsonAsync()).GetProperty("overdueDays").GetInt32().ShouldBe(3);

        (await org.UnitA.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "submit" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4 plan"u8.ToArray()), "file", "单位整改方案.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/deliverables/{planId}/attachments", file)).JsonAsync()).GetProperty("id").GetGuid();
        var submitted = await (await org.UnitA.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "submit", attachmentIds = new[] { attachment } })).JsonAsync();
        submitted.Str("state").ShouldBe("submitted");
        (await app.QueryAsync<long>("select count(*) from escalations where deliverable_id = @planId and resolved_at is null", new { planId })).ShouldBe(0);
        (await org.UnitB.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "accept" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await org.Lgo.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "accept" })).JsonAsync()).Str("state").ShouldBe("accepted");
    }

    [Fact]
    public async Task MonthlySupervision_ItemsStartUnderASupervisionLetter()
    {
        var org = await Org.CreateAsync(app, "ms");
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("暗访发现：帮扶台账不全", "2026-07-31")], workflow: new { id = "monthly-supervision" });
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var dto = await (await org.UnitA.GetAsync($"/api/items/{items[0]}")).JsonAsync();
        dto.Str("escalationLevel").ShouldBe("supervisionLetter");
        var open = await (await org.Dcs.GetAsync("/api/escalations?open=true&level=supervisionLetter")).JsonAsync();
        open.GetProperty("items").EnumerateArray().ShouldContain(e => e.Str("itemId") == items[0].ToString() && e.Str("office") == org.DcsCode);
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and kind = 'escalation' and level = 'supervisionLetter'", new { item = items[0] }))
            .ShouldBeGreaterThan(0);
    }
}
