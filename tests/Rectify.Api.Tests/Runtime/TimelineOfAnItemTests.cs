using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// One item through its life on the controllable clock, 2026 calendar: deadline Monday 22 June 2026. The Dragon Boat
/// holiday (Friday 19 June) moves T-3 to Thursday 18 June, and T-1 (Sunday 21) lands on the same Thursday, so one
/// reminder (T-1) goes out that day. Escalations: urge Tue 23 June 09:00, supervision letter Fri 26 June 09:00.
/// </summary>
public sealed class TimelineOfAnItemTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record OutboxRow(string Kind, string? Level, DateTime NotBefore, Guid RecipientPersonId, string Channel, string IdempotencyKey);

    // The moment each message is about is the runtime's fact (payload.dueAt); not_before belongs to the dispatcher,
    // which leases and reschedules rows once it runs.
    private Task<List<OutboxRow>> OutboxAsync(Guid item) => app.RowsAsync<OutboxRow>(
        """
        select kind, level, coalesce((payload->>'dueAt')::timestamptz, created_at) as NotBefore, recipient_person_id as RecipientPersonId,
               channel, idempotency_key as IdempotencyKey
        from outbox where item_id = @item order by id
        """, new { item });

    [Fact]
    public async Task Launch_MoveClock_RemindersAndEscalationsAtExactLocalTimes()
    {
        var org = await Org.CreateAsync(app, "tl");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("扶贫资金拨付不及时", "2026-06-22")]);
        var item = items[0];

        var launched = await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null);
        launched.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        var assigned = await OutboxAsync(item);
        assigned.Where(r => r.Kind == "assigned").Select(r => (r.RecipientPersonId, r.Channel)).OrderBy(x => x.Channel)
            .ShouldBe(new[] { (org.ContactA, "email"), (org.ContactA, "inbox"), (org.ContactB, "inbox") }.OrderBy(x => x.Item2), ignoreOrder: true);

        var dto = await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync();
        dto.Str("state").ShouldBe("assigned");
        dto.Str("light").ShouldBe("green");
        dto.GetProperty("allowedEvents").EnumerateArray().Select(e => e.GetString()).ShouldBe(["acknowledge", "requestExtension"]);

        // One working day after assignment (Tue 2 June 10:00) without acknowledgement: reminder, and the light turns yellow.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 2, 9, 59));
        (await OutboxAsync(item)).ShouldNotContain(r => r.Kind == "reminder");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 2, 10));
        var unack = (await OutboxAsync(item)).Where(r => r.Kind == "reminder").ToList();
        unack.Count.ShouldBe(3, string.Join("; ", await OutboxAsync(item)));
        unack.ShouldAllBe(r => r.NotBefore == new DateTime(2026, 6, 2, 2, 0, 0) && r.IdempotencyKey.Contains(":reminder:unacknowledged:c1:"));
        (await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync()).Str("light").ShouldBe("yellow");

        // The lead unit signs: the item is in progress; B, a responsible unit, signs only later (issue 12).
        var ack = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" });
        ack.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ack.JsonAsync()).Str("state").ShouldBe("inProgress");

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 15, 8, 59));
        (await OutboxAsync(item)).Count(r => r.Kind == "reminder").ShouldBe(3);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 15, 9));
        var t7 = (await OutboxAsync(item)).Where(r => r.IdempotencyKey.Contains(":reminder:T-7:")).ToList();
        t7.Count.ShouldBe(3);
        t7.ShouldAllBe(r => r.NotBefore == new DateTime(2026, 6, 15, 1, 0, 0));

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 18, 9));
        var t1 = (await OutboxAsync(item)).Where(r => r.IdempotencyKey.Contains(":reminder:T-1:")).ToList();
        t1.Count.ShouldBe(3);
        t1.ShouldAllBe(r => r.NotBefore == new DateTime(2026, 6, 18, 1, 0, 0));
        (await OutboxAsync(item)).ShouldNotContain(r => r.IdempotencyKey.Contains(":reminder:T-3:"));

        // Deadline passed: urge at 09:00 on the first working day after it, to the lead unit's contact, the leader and B,
        // whose part is not completed either.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 23, 8, 59));
        (await OutboxAsync(item)).ShouldNotContain(r => r.Kind == "escalation");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 23, 9));
        var urge = (await OutboxAsync(item)).Where(r => r.Kind == "escalation").ToList();
        urge.ShouldAllBe(r => r.Level == "urge" && r.NotBefore == new DateTime(2026, 6, 23, 1, 0, 0));
        urge.Select(r => r.RecipientPersonId).Distinct().ShouldBe([org.ContactA, org.ContactB, org.Leader], ignoreOrder: true);
        dto = await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync();
        dto.Str("escalationLevel").ShouldBe("urge");
        dto.Str("light").ShouldBe("red");
        dto.GetProperty("overdueDays").GetInt32().ShouldBe(1);

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 26, 9));
        var letter = (await OutboxAsync(item)).Where(r => r.Level == "supervisionLetter").ToList();
        letter.Select(r => r.RecipientPersonId).Distinct().ShouldBe([org.ContactDcs, org.ContactA, org.ContactB], ignoreOrder: true);
        letter.ShouldAllBe(r => r.NotBefore == new DateTime(2026, 6, 26, 1, 0, 0));
        var escalations = await (await org.Dcs.GetAsync($"/api/escalations?open=true&unit={org.UnitACode}")).JsonAsync();
        escalations.GetProperty("items").EnumerateArray().Select(e => e.Str("level")).ShouldBe(["supervisionLetter", "urge"]);
        escalations.GetProperty("items")[0].Str("office").ShouldBe(org.DcsCode);

        // Closure with evidence stops the ladder and resolves the open escalations.
        var form = new MultipartFormDataContent();
        var pdf = new ByteArrayContent("%PDF-1.4\n%evidence\n"u8.ToArray());
        pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(pdf, "file", "整改台账.pdf");
        var upload = await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", form)).JsonAsync();
        upload.Str("fileName").ShouldBe("整改台账.pdf");
        var attachment = upload.GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", note = "已整改" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // B's part: signed and completed before the lead unit asks for closure.
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "complete", note = "本镇部分已拨付" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", note = "已全部拨付", attachmentIds = new[] { attachment } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var closed = await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" });
        closed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await closed.JsonAsync()).Str("state").ShouldBe("closed");
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item", new { item })).ShouldBe(0);
        var open = await (await org.Lgo.GetAsync($"/api/escalations?open=true&unit={org.UnitACode}")).JsonAsync();
        open.GetProperty("total").GetInt64().ShouldBe(0);

        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 15, 9));
        (await OutboxAsync(item)).ShouldNotContain(r => r.Level == "listedSupervision" || r.Level == "admonitoryTalk");

        var timeline = await (await org.UnitA.GetAsync($"/api/items/{item}/timeline")).JsonAsync();
        var types = timeline.EnumerateArray().Select(e => e.Str("type")).ToList();
        types.ShouldBe(["launch", "unacknowledgedReminder", "acknowledge", "reminder", "reminder", "escalation", "escalation", "acknowledge", "complete", "requestClosure", "approveClosure"]);
        var urgeEntry = timeline.EnumerateArray().First(e => e.Str("type") == "escalation");
        // Fired at 09:00 local: by the clock move's own sweep at exactly 09:00, or by the node's timer loop, woken by the
        // same move, a few milliseconds after it (the journal records when the firing happened).
        urgeEntry.GetProperty("at").GetDateTimeOffset().ShouldBe(RuntimeApp.Local(2026, 6, 23, 9), TimeSpan.FromSeconds(1));
        urgeEntry.GetProperty("at").GetString()!.ShouldEndWith("+08:00");
        urgeEntry.GetProperty("notifications").GetArrayLength().ShouldBe(5); // contact A (e-mail + inbox), leader (e-mail + inbox), contact B (inbox)
        timeline.EnumerateArray().First(e => e.Str("type") == "acknowledge").Str("actor").ShouldBe("tlua");
    }
}
