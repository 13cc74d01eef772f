using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// A campaign changes after launch (issue 13): supplementary items (补充交办), edits and reassignment (改派), withdrawal
/// (撤销) and the manual urge (催办). Launched Monday 1 June 2026 10:00; items due Monday 22 June 2026.
/// </summary>
[RunsLong]
public sealed class ChangesAfterLaunchTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private sealed record World(Org Org, Guid Campaign, Guid Item, string C, Guid ContactC);

    private async Task<World> LaunchedAsync(string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        (await org.Admin.PostAsJsonAsync("/api/units", new { code = prefix + "uc", name = "章凤镇", kind = "township" })).EnsureSuccessStatusCode();
        var contactC = (await (await org.Admin.PostAsJsonAsync("/api/people", new { name = "孙联络", unitCode = prefix + "uc", isUnitContact = true, email = $"{prefix}uc@example.cn" }))
            .EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("农村危房改造不到位", "2026-06-22")]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        return new World(org, campaign, items[0], prefix + "uc", contactC);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    private static JsonElement Part(JsonElement item, string unit) =>
        item.GetProperty("assignments").EnumerateArray().Single(a => a.Str("unit") == unit);

    private static object Edit(Org org, string title, string lead, string[] units, string? note, string deadline = "2026-06-22") => new
    {
        title, leadUnit = lead, units, deadline, ongoing = false, responsibleLeaderId = org.Leader, note,
    };

    private async Task<List<Guid>> PeopleAsync(Guid item, string kind, DateTimeOffset? after = null) =>
        await app.RowsAsync<Guid>("""
            select distinct recipient_person_id from outbox where item_id = @item and kind = @kind and created_at >= coalesce(@after, '-infinity'::timestamptz)
            """, new { item, kind, after });

    [Fact]
    public async Task SupplementaryItem_OnAnActiveCampaign_IsAssignedAtOnce_WithNoticesAndTimers()
    {
        var w = await LaunchedAsync("sup");
        var org = w.Org;
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 3, 15));
        var response = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{w.Campaign}/items", org.Item("补充：饮水安全台账不实", "2026-06-30"));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var added = await response.JsonAsync();
        var id = added.GetProperty("id").GetGuid();
        added.Str("state").ShouldBe("assigned");
        added.GetProperty("assignments").EnumerateArray().Select(a => a.Str("state")).ShouldAllBe(s => s == "assigned");
        (await PeopleAsync(id, "assigned")).ShouldBe([org.ContactA, org.ContactB], ignoreOrder: true);
        var steps = await app.RowsAsync<string>("select step from timers where subject_id = @id order by due_at", new { id });
        steps.ShouldBe(["reminder:unacknowledged", "reminder:T-7"]);
        var timeline = await (await org.Lgo.GetAsync($"/api/items/{id}/timeline")).JsonAsync();
        var launch = timeline.EnumerateArray().Single(e => e.Str("type") == "launch");
        launch.Str("note").ShouldContain("补充交办");

        // One working day later the units that have not signed are reminded, as for any launched item.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 4, 15, 1));
        (await app.RowsAsync<Guid>("select distinct recipient_person_id from outbox where item_id = @id and kind = 'reminder' and payload->>'type' = 'unacknowledged'",
            new { id })).ShouldBe([org.ContactA, org.ContactB], ignoreOrder: true);

        // The campaign's figures count it.
        var campaign = await (await org.Lgo.GetAsync($"/api/campaigns/{w.Campaign}")).JsonAsync();
        campaign.GetProperty("stats").GetProperty("total").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Reassignment_AddedUnitIsAssigned_RemovedUnitIsWithdrawnAndNeverRemindedAgain()
    {
        var w = await LaunchedAsync("rea");
        var (org, item) = (w.Org, w.Item);
        (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var version = (await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32();

        // Bad input changes nothing: an unknown unit (named), no reason, a moved deadline, a unit user.
        var unknown = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Edit(org, "农村危房改造不到位", org.UnitACode, [org.UnitACode, "nosuchunit"], "调整"));
        unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await unknown.JsonAsync()).Str("detail").ShouldContain("nosuchunit");
        var noReason = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Edit(org, "农村危房改造不到位", org.UnitACode, [org.UnitACode, w.C], null));
        noReason.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("note", out _).ShouldBeTrue();
        var moved = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Edit(org, "农村危房改造不到位", org.UnitACode, [org.UnitACode, w.C], "调整", "2026-07-31"));
        moved.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await moved.JsonAsync()).Str("detail").ShouldContain("延期");
        (await org.UnitA.PutAsJsonAsync($"/api/items/{item}", Edit(org, "改了", org.UnitACode, [org.UnitACode], "调整"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32().ShouldBe(version);

        // 改派: B off, C on, a new title.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 5, 11));
        var changedAt = RuntimeApp.Local(2026, 6, 5, 11).ToUniversalTime();
        var changed = await org.Lgo.PutAsJsonAsync($"/api/items/{item}",
            Edit(org, "农村危房改造不到位（含章凤镇）", org.UnitACode, [org.UnitACode, w.C], "测试镇无此类问题，改由章凤镇承担"));
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await changed.JsonAsync();
        after.Str("title").ShouldBe("农村危房改造不到位（含章凤镇）");
        after.Str("state").ShouldBe("inProgress");
        Part(after, org.UnitBCode).Str("state").ShouldBe("withdrawn");
        Part(after, w.C).Str("state").ShouldBe("assigned");
        Part(after, org.UnitACode).Str("state").ShouldBe("inProgress");

        (await PeopleAsync(item, "assigned", changedAt)).ShouldBe([w.ContactC]);
        var told = await app.RowsAsync<(Guid Person, string Payload)>(
            "select recipient_person_id, payload::text from outbox where item_id = @item and kind = 'changed'", new { item });
        told.Where(t => t.Person == org.ContactB).ShouldAllBe(t => t.Payload.Contains("\"removed\": true"));
        told.Select(t => t.Person).Distinct().ShouldBe([org.ContactA, org.ContactB], ignoreOrder: true);

        var timeline = await (await org.Lgo.GetAsync($"/api/items/{item}/timeline")).JsonAsync();
        var entry = timeline.EnumerateArray().Single(e => e.Str("type") == "changed");
        entry.Str("actor").ShouldBe(org.Prefix + "lg");
        entry.Str("note").ShouldBe("测试镇无此类问题，改由章凤镇承担");
        var data = entry.GetProperty("data");
        data.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["title", "units"], ignoreOrder: true);
        data.GetProperty("addedUnits").EnumerateArray().Select(f => f.GetString()).ShouldBe([w.C]);
        data.GetProperty("removedUnits").EnumerateArray().Select(f => f.GetString()).ShouldBe([org.UnitBCode]);

        // From now on the timers press A and C, never B: C's unsigned reminder, the deadline reminders, the ladder.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 8, 11, 1));
        (await app.RowsAsync<Guid>("select distinct recipient_person_id from outbox where item_id = @item and payload->>'type' = 'unacknowledged'",
            new { item })).ShouldBe([w.ContactC]);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 26, 9, 30));
        (await PeopleAsync(item, "escalation", changedAt)).ShouldContain(w.ContactC);
        (await app.QueryAsync<long>("""
            select count(*) from outbox where item_id = @item and recipient_person_id = @b and created_at > @changedAt and kind in ('reminder', 'escalation')
            """, new { item, b = org.ContactB, changedAt })).ShouldBe(0);
        (await (await org.Lgo.GetAsync($"/api/items?campaignId={w.Campaign}&unit={w.C}")).JsonAsync()).GetProperty("total").GetInt64().ShouldBe(1);

        // A new lead unit that has not signed: the item waits for its signature again.
        var relead = await (await org.Lgo.PutAsJsonAsync($"/api/items/{item}",
            Edit(org, "农村危房改造不到位（含章凤镇）", w.C, [org.UnitACode, w.C], "改由章凤镇牵头"))).EnsureSuccessStatusCode().JsonAsync();
        relead.Str("leadUnit").ShouldBe(w.C);
        relead.Str("state").ShouldBe("assigned");
        Part(relead, w.C).Str("role").ShouldBe("lead");
        Part(relead, org.UnitACode).Str("role").ShouldBe("responsible");
        var signed = await (await Send(org.Admin, item, new { type = "acknowledge", unit = w.C })).EnsureSuccessStatusCode().JsonAsync();
        signed.Str("state").ShouldBe("inProgress");
    }

    [Fact]
    public async Task Withdraw_NeedsAReason_EndsTimers_AndLeavesTheItemReadOnly()
    {
        var w = await LaunchedAsync("wdr");
        var (org, item) = (w.Org, w.Item);
        var noReason = await Send(org.Lgo, item, new { type = "withdraw" });
        noReason.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await noReason.JsonAsync()).Str("detail").ShouldContain("说明");
        (await Send(org.UnitA, item, new { type = "withdraw", note = "我们不想做" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item", new { item })).ShouldBeGreaterThan(0);

        var withdrawn = await (await Send(org.Lgo, item, new { type = "withdraw", note = "与第5项重复，并入第5项整改" })).EnsureSuccessStatusCode().JsonAsync();
        withdrawn.Str("state").ShouldBe("withdrawn");
        withdrawn.GetProperty("assignments").EnumerateArray().ShouldAllBe(a => a.Str("state") == "withdrawn");
        withdrawn.GetProperty("allowedEvents").GetArrayLength().ShouldBe(0);
        (await app.QueryAsync<long>("select count(*) from timers where subject_id = @item", new { item })).ShouldBe(0);
        (await PeopleAsync(item, "decision")).ShouldContain(org.ContactB);
        var stats = (await (await org.Lgo.GetAsync($"/api/campaigns/{w.Campaign}")).JsonAsync()).GetProperty("stats");
        stats.GetProperty("byState").GetProperty("withdrawn").GetInt64().ShouldBe(1);

        // Nothing happens to a withdrawn item any more; the deadline passes without a message.
        (await Send(org.UnitA, item, new { type = "acknowledge" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Send(org.Lgo, item, new { type = "urge", note = "请抓紧" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Edit(org, "改标题", org.UnitACode, [org.UnitACode], "调整"))).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 30, 10));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and kind in ('reminder', 'escalation')", new { item })).ShouldBe(0);
        var overdue = await (await org.Lgo.GetAsync($"/api/items?campaignId={w.Campaign}&overdue=true")).JsonAsync();
        overdue.GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Urge_GoesToTheUnitsThatHaveNotCompleted_IsRecorded_AndLeavesTheLevel()
    {
        var w = await LaunchedAsync("urg");
        var (org, item) = (w.Org, w.Item);
        (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, item, new { type = "complete", note = "本镇已完成" })).EnsureSuccessStatusCode();

        (await Send(org.UnitB, item, new { type = "urge", note = "催" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var urged = await (await Send(org.Lgo, item, new { type = "urge", note = "请本周内报送整改进展" })).EnsureSuccessStatusCode().JsonAsync();
        urged.Str("escalationLevel").ShouldBe("none");
        urged.Str("state").ShouldBe("inProgress");
        (await PeopleAsync(item, "urge")).ShouldBe([org.ContactA]);
        var entry = (await (await org.Lgo.GetAsync($"/api/items/{item}/timeline")).JsonAsync()).EnumerateArray().Single(e => e.Str("type") == "urge");
        entry.Str("actor").ShouldBe(org.Prefix + "lg");
        entry.GetProperty("data").GetProperty("urgedUnits").EnumerateArray().Select(u => u.GetString()).ShouldBe([org.UnitACode]);
        entry.GetProperty("data").GetProperty("recipients").EnumerateArray().Select(u => u.GetGuid()).ShouldBe([org.ContactA]);

        // The supervision office urges one unit's part; a unit that has completed is not urged.
        var done = await Send(org.Dcs, item, new { type = "urge", unit = org.UnitBCode, note = "请补充" });
        done.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await done.JsonAsync()).Str("detail").ShouldContain("测试镇");
        (await Send(org.Dcs, item, new { type = "urge", unit = org.UnitACode, note = "督查室催办" })).EnsureSuccessStatusCode();
        (await (await org.Lgo.GetAsync($"/api/items/{item}/timeline")).JsonAsync()).EnumerateArray().Count(e => e.Str("type") == "urge").ShouldBe(2);
        (await PeopleAsync(item, "urge")).ShouldBe([org.ContactA]);
        (await app.QueryAsync<string>("select escalation_level from assignments where item_id = @item and unit_code = @a", new { item, a = org.UnitACode })).ShouldBe("none");

        // Closed: 422.
        var evidence = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        var file = (await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", evidence)).JsonAsync()).GetProperty("id").GetGuid();
        (await Send(org.UnitA, item, new { type = "requestClosure", note = "完成", attachmentIds = new[] { file } })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, item, new { type = "approveClosure" })).EnsureSuccessStatusCode();
        var closed = await Send(org.Lgo, item, new { type = "urge", note = "再催" });
        closed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task SupervisionLetterByHand_CarriesItsReplyDate_ReachesTheUnitsBehind_AndOnlyTheSupervisionOfficeMayIssueIt()
    {
        var w = await LaunchedAsync("ltr");
        var (org, item) = (w.Org, w.Item);
        (await Send(org.UnitB, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, item, new { type = "complete", note = "本镇已完成" })).EnsureSuccessStatusCode();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 10, 10));

        (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/letters", new { note = "缺回复期限" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var past = await org.Dcs.PostAsJsonAsync($"/api/items/{item}/letters", new { replyBy = "2026-06-01" });
        past.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await past.JsonAsync()).Str("detail").ShouldContain("回复期限");
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/letters", new { replyBy = "2026-06-15" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/letters", new { replyBy = "2026-06-15" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.QueryAsync<long>("select count(*) from escalations where item_id = @item", new { item })).ShouldBe(0);

        var issued = await org.Dcs.PostAsJsonAsync($"/api/items/{item}/letters", new { replyBy = "2026-06-15", note = "暗访发现进度滞后，请限期回复" });
        issued.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await issued.JsonAsync();
        body.GetProperty("units").EnumerateArray().Select(u => u.GetString()).ShouldBe([org.UnitACode]);
        var escalation = body.GetProperty("escalationId").GetGuid();
        (await PeopleAsync(item, "escalation")).ShouldBe([org.ContactA]);
        var letter = await org.UnitA.GetAsync(body.Str("letterUrl"));
        letter.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.QueryAsync<DateTime>("select response_due from supervision_letters where escalation_id = @escalation", new { escalation })).ShouldBe(new DateTime(2026, 6, 15));
        var now = await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync();
        now.Str("escalationLevel").ShouldBe("none");
        var entry = (await (await org.Lgo.GetAsync($"/api/items/{item}/timeline")).JsonAsync()).EnumerateArray().Single(e => e.Str("type") == "supervisionLetter");
        entry.Str("actor").ShouldBe(org.Prefix + "sup");
        entry.GetProperty("data").Str("replyBy").ShouldBe("2026-06-15");
    }
}
