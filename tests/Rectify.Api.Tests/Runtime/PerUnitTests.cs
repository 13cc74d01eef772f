using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Responsibility per unit (分解交办, issue 12): one lead unit (A) and three responsible units (B, C, D) on one item,
/// deadline Monday 22 June 2026 (urge Tue 23 June, supervision letter Fri 26 June, see TimelineOfAnItemTests).
/// </summary>
public sealed class PerUnitTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record World(Org Org, HttpClient UnitC, HttpClient UnitD, Guid ContactC, Guid ContactD, Guid Campaign, Guid Item)
    {
        public string C => Org.Prefix + "uc";
        public string D => Org.Prefix + "ud";
    }

    private async Task<World> LaunchedAsync(string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        async Task<(HttpClient, Guid)> Unit(string code, string name, string contact)
        {
            (await org.Admin.PostAsJsonAsync("/api/units", new { code = prefix + code, name, kind = "township" })).EnsureSuccessStatusCode();
            var person = (await (await org.Admin.PostAsJsonAsync("/api/people", new { name = contact, unitCode = prefix + code, isUnitContact = true, email = $"{prefix}{code}@example.cn" }))
                .EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
            (await org.Admin.PostAsJsonAsync("/api/users", new { userName = prefix + code, password = Org.Password, role = "unit", unitCode = prefix + code })).EnsureSuccessStatusCode();
            return (await app.ClientAsAsync(prefix + code, Org.Password), person);
        }
        var (c, contactC) = await Unit("uc", "章凤镇", "孙联络");
        var (d, contactD) = await Unit("ud", "户撒乡", "周联络");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([new
        {
            title = "农村危房改造不到位", leadUnit = org.UnitACode, units = new[] { org.UnitBCode, prefix + "uc", prefix + "ud" },
            deadline = "2026-06-22", ongoing = false, responsibleLeaderId = org.Leader,
        }]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        return new World(org, c, d, contactC, contactD, campaign, items[0]);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    private async Task<List<Guid>> RecipientsAsync(Guid item, string kind, string? level = null, string? reason = null) =>
        (await app.RowsAsync<Guid>("""
            select distinct recipient_person_id from outbox
            where item_id = @item and kind = @kind and (@level::text is null or level = @level) and (@reason::text is null or payload->>'type' = @reason)
            """, new { item, kind, level, reason })).ToList();

    private static JsonElement Part(JsonElement item, string unit) =>
        item.GetProperty("assignments").EnumerateArray().Single(a => a.Str("unit") == unit);

    private async Task<Guid> EvidenceAsync(HttpClient client, Guid item)
    {
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        return (await (await client.PostAsync($"/api/items/{item}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task OneLeadThreeUnits_PressureGoesToTheUnitsThatHaveNotActed_AndClosureWaitsForEveryUnit()
    {
        var w = await LaunchedAsync("pu");
        var (org, item) = (w.Org, w.Item);
        var launched = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        launched.GetProperty("assignments").GetArrayLength().ShouldBe(4);
        Part(launched, org.UnitACode).Str("role").ShouldBe("lead");
        Part(launched, w.D).Str("role").ShouldBe("responsible");
        Part(launched, w.D).Str("state").ShouldBe("assigned");

        // B signs first: the item waits for its lead unit; A signs: the item is in progress. C signs, D does not.
        var b = await (await Send(org.UnitB, item, new { type = "acknowledge" })).EnsureSuccessStatusCode().JsonAsync();
        b.Str("state").ShouldBe("assigned");
        Part(b, org.UnitBCode).Str("state").ShouldBe("inProgress");
        (await (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode().JsonAsync()).Str("state").ShouldBe("inProgress");
        (await Send(w.UnitC, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        // One working day later only D, which has not signed, is reminded.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 2, 10, 1));
        (await RecipientsAsync(item, "reminder", reason: "unacknowledged")).ShouldBe([w.ContactD]);
        var afterReminder = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        Part(afterReminder, w.D).Str("light").ShouldBe("yellow");
        Part(afterReminder, w.C).Str("light").ShouldBe("green");
        var unsigned = await (await org.Lgo.GetAsync($"/api/items?campaignId={w.Campaign}&unit={w.D}&assignmentState=assigned")).JsonAsync();
        unsigned.GetProperty("total").GetInt64().ShouldBe(1);
        (await (await org.Lgo.GetAsync($"/api/items?campaignId={w.Campaign}&unit={w.C}&assignmentState=assigned")).JsonAsync())
            .GetProperty("total").GetInt64().ShouldBe(0);

        // D signs late; B finishes its part before the deadline; C and D do not.
        (await Send(w.UnitD, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, item, new { type = "complete", note = "本镇危房已全部改造" })).EnsureSuccessStatusCode();

        // A responsible unit cannot ask for closure.
        var byB = await Send(org.UnitB, item, new { type = "requestClosure", note = "已完成", attachmentIds = new[] { await EvidenceAsync(org.UnitB, item) } });
        byB.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await byB.JsonAsync()).Str("detail").ShouldContain("牵头单位");

        // After the deadline the urge and the supervision letter press A, C and D (and the leader), never B.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 23, 9, 30));
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 26, 9, 30));
        var urged = await RecipientsAsync(item, "escalation", "urge");
        urged.ShouldContain(org.ContactA);
        urged.ShouldContain(w.ContactC);
        urged.ShouldContain(w.ContactD);
        urged.ShouldContain(org.Leader);
        urged.ShouldNotContain(org.ContactB);
        (await RecipientsAsync(item, "escalation", "supervisionLetter")).ShouldNotContain(org.ContactB);
        (await RecipientsAsync(item, "reminder")).Where(p => p == org.ContactB).ShouldBeEmpty();
        var late = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        Part(late, org.UnitBCode).Str("escalationLevel").ShouldBe("none");
        Part(late, org.UnitBCode).GetProperty("overdueDays").GetInt32().ShouldBe(0);
        Part(late, org.UnitBCode).Str("light").ShouldBe("green");
        Part(late, w.C).Str("escalationLevel").ShouldBe("supervisionLetter");
        Part(late, w.C).GetProperty("overdueDays").GetInt32().ShouldBe(4);
        Part(late, w.C).Str("light").ShouldBe("red");

        // The lead unit's request is refused while C and D have not completed, naming them.
        var evidence = await EvidenceAsync(org.UnitA, item);
        var version = late.GetProperty("version").GetInt32();
        var early = await Send(org.UnitA, item, new { type = "requestClosure", note = "牵头汇总完成", attachmentIds = new[] { evidence } });
        early.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var detail = (await early.JsonAsync()).Str("detail");
        detail.ShouldContain("章凤镇");
        detail.ShouldContain("户撒乡");
        detail.ShouldNotContain("测试镇");
        (await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32().ShouldBe(version);

        // C completes; the office reports D's completion on its behalf; then the lead unit's request is accepted.
        (await Send(w.UnitC, item, new { type = "complete", note = "本镇已完成" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, item, new { type = "complete", unit = w.D, note = "户撒乡电话报告已完成，代为登记" })).EnsureSuccessStatusCode();
        var requested = await (await Send(org.UnitA, item, new { type = "requestClosure", note = "牵头汇总完成", attachmentIds = new[] { evidence } }))
            .EnsureSuccessStatusCode().JsonAsync();
        requested.Str("state").ShouldBe("closureRequested");
        requested.GetProperty("assignments").EnumerateArray().ShouldAllBe(a => a.Str("state") == "completed");
        Part(requested, w.C).GetProperty("overdueDays").GetInt32().ShouldBe(4);
        Part(requested, org.UnitBCode).GetProperty("overdueDays").GetInt32().ShouldBe(0);

        // The office sends C's part back with the lead's; B and D stay completed.
        var returned = await (await Send(org.Lgo, item, new { type = "returnClosure", note = "章凤镇佐证不足", units = new[] { w.C } })).EnsureSuccessStatusCode().JsonAsync();
        returned.Str("state").ShouldBe("inProgress");
        Part(returned, w.C).Str("state").ShouldBe("inProgress");
        Part(returned, org.UnitACode).Str("state").ShouldBe("inProgress");
        Part(returned, w.D).Str("state").ShouldBe("completed");
        (await Send(org.UnitA, item, new { type = "requestClosure", note = "再次申请", attachmentIds = new[] { evidence } }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task BadInput_ChineseProblem_NothingChanged()
    {
        var w = await LaunchedAsync("pb");
        var (org, item) = (w.Org, w.Item);
        async Task<int> VersionAsync() => (await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32();
        var version = await VersionAsync();

        // An office acting for a unit that is not on the item: 422 naming the unit.
        var notOnItem = await Send(org.Lgo, item, new { type = "acknowledge", unit = org.DcsCode });
        notOnItem.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await notOnItem.JsonAsync();
        problem.Str("detail").ShouldContain("县委督查室");
        problem.GetProperty("errors").GetProperty("unit").GetArrayLength().ShouldBe(1);
        // A unit acting for another unit: 403 naming it.
        var forOther = await Send(org.UnitB, item, new { type = "acknowledge", unit = w.C });
        forOther.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forOther.JsonAsync()).Str("detail").ShouldContain("章凤镇");
        // Completing before acknowledging.
        var unsignedComplete = await Send(w.UnitC, item, new { type = "complete", note = "完成" });
        unsignedComplete.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await unsignedComplete.JsonAsync()).Str("detail").ShouldContain("尚未签收");
        (await VersionAsync()).ShouldBe(version);

        // Completing twice, acknowledging twice.
        (await Send(w.UnitC, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(w.UnitC, item, new { type = "acknowledge" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Send(w.UnitC, item, new { type = "complete", note = "完成" })).EnsureSuccessStatusCode();
        version = await VersionAsync();
        var twice = await Send(w.UnitC, item, new { type = "complete", note = "再报一次" });
        twice.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await twice.JsonAsync()).Str("detail").ShouldContain("不能重复完成");
        // The lead unit completes its part by requesting closure, not by `complete`.
        (await Send(org.UnitA, item, new { type = "complete", note = "完成" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // An office completing without naming the unit.
        var unnamed = await Send(org.Lgo, item, new { type = "complete", note = "完成" });
        unnamed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await unnamed.JsonAsync()).GetProperty("errors").GetProperty("unit").GetArrayLength().ShouldBe(1);
        (await VersionAsync()).ShouldBe(version);
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item and type = 'complete'", new { item })).ShouldBe(1);

        // A responsible unit sees its own part and the lead unit's, not its siblings'.
        var seenByC = await (await w.UnitC.GetAsync($"/api/items/{item}")).JsonAsync();
        seenByC.GetProperty("assignments").EnumerateArray().Select(a => a.Str("unit")).ShouldBe([org.UnitACode, w.C], ignoreOrder: true);
        seenByC.GetProperty("allowedEvents").EnumerateArray().Select(e => e.GetString()).ShouldNotContain("requestClosure");
        var seenByA = await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync();
        seenByA.GetProperty("assignments").GetArrayLength().ShouldBe(4);
    }
}
