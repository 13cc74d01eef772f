using System.Net.Http.Json;
using Rectify.Workflows.Notifications;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// The seam between the runtime and the templates is a type (issue 14, STYLE.md "A seam is a type"): every outbox row
/// the runtime writes — from launch SQL, timers and events — reads back as its typed message, and the row's columns
/// agree with the message.
/// </summary>
public sealed class OutboxContractTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record Row(string Kind, string? Level, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId, string Payload);

    [Fact]
    public async Task CampaignRun_EveryOutboxRow_ReadsBackAsItsTypedMessage()
    {
        var org = await Org.CreateAsync(app, "oc");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var phases = new object[]
        {
            new { key = "plan", start = "2026-06-01", end = "2026-06-05" }, new { key = "rectify", start = "2026-06-06", end = "2026-06-19" },
            new { key = "report", start = "2026-06-20", end = "2026-06-30" },
        };
        var (campaign, items) = await org.CampaignAsync(
            [org.Item("逾期问题", "2026-06-10"), org.Item("销号问题", "2026-06-30"), org.Item("长期坚持", null, ongoing: true)], phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var (late, closing, ongoing) = (items[0], items[1], items[2]);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{closing}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{ongoing}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{closing}/events", new { type = "requestExtension", note = "需招标", newDeadline = "2026-07-15" })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{closing}/events", new { type = "approveExtension", note = "同意" })).EnsureSuccessStatusCode();

        for (var day = new DateOnly(2026, 6, 2); day <= new DateOnly(2026, 7, 10); day = day.AddDays(1))
            await org.SetClockAsync(RuntimeApp.Local(day.Year, day.Month, day.Day, 10));

        var rows = await app.RowsAsync<Row>("""
            select kind, level, campaign_id as CampaignId, item_id as ItemId, deliverable_id as DeliverableId, payload::text as Payload
            from outbox where campaign_id = @campaign
            """, new { campaign });
        rows.ShouldNotBeEmpty();
        var messages = rows.Select(r => (Row: r, Message: OutboxJson.TryDeserialize(r.Payload))).ToList();
        messages.Where(m => m.Message is null).Select(m => m.Row.Payload).ShouldBeEmpty();
        foreach (var (row, message) in messages)
        {
            message!.Kind.ShouldBe(row.Kind);
            message.Level.ShouldBe(row.Level);
            message.Subject.Campaign().ShouldBe(row.CampaignId);
            message.Subject.Item().ShouldBe(row.ItemId);
            message.Subject.Deliverable().ShouldBe(row.DeliverableId);
        }
        var shapes = messages.Select(m => $"{m.Message!.GetType().Name}/{m.Message.Subject.GetType().Name}").ToHashSet();
        shapes.IsSupersetOf([
            "AssignedMessage/AssignmentRef", "ReminderMessage/ItemRef", "ReminderMessage/DeliverableRef", "EscalationMessage/ItemRef",
            "EscalationMessage/DeliverableRef", "EscalationMessage/PeriodicReportRef", "PeriodicReportMessage/PeriodicReportRef",
            "DecisionMessage/ItemRef", "PhaseMessage/CampaignRef",
        ]).ShouldBeTrue(string.Join(", ", shapes));
        // The decision names the event (the old seam wrote `event` and the templates read `decision`).
        messages.Select(m => m.Message).OfType<DecisionMessage>().Select(d => d.Event).ShouldContain("approveExtension");
        messages.Select(m => m.Message).OfType<DecisionMessage>().Where(d => d.Event == "approveExtension").ShouldAllBe(d => d.Deadline == new DateOnly(2026, 7, 15));
        messages.Select(m => m.Message).OfType<PeriodicReportMessage>().ShouldAllBe(p => p.Subject is PeriodicReportRef && p.DueAt != null);
        messages.Select(m => m.Message).OfType<EscalationMessage>().Where(e => e.Subject is ItemRef).ShouldAllBe(e => e.Deadline == new DateOnly(2026, 6, 10));

        // The notification log names what each message is about and carries the deliverable (API.md).
        var plan = messages.Select(m => m.Message!.Subject).OfType<DeliverableRef>().First(d => d.Kind == "unitPlan" && d.UnitCode == org.UnitACode);
        var log = await (await org.Lgo.GetAsync($"/api/notifications?deliverableId={plan.DeliverableId}&pageSize=500")).JsonAsync();
        log.GetProperty("total").GetInt64().ShouldBeGreaterThan(0);
        foreach (var entry in log.GetProperty("items").EnumerateArray())
        {
            entry.Str("deliverableId").ShouldBe(plan.DeliverableId.ToString());
            entry.GetProperty("about").Str("type").ShouldBe("deliverable");
            entry.GetProperty("about").Str("name").ShouldBe("县测试局“单位整改方案”");
        }
        var itemLog = await (await org.Lgo.GetAsync($"/api/notifications?itemId={late}&pageSize=5")).JsonAsync();
        itemLog.GetProperty("items")[0].GetProperty("about").Str("name").ShouldBe("第1项 逾期问题");
    }
}
