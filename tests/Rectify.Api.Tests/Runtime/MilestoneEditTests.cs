using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 15: an item's source and milestones change on the edit page and through PUT /api/items/{id}, after launch
/// too, journaled; the reminders follow (a removed milestone's ends, a moved or new one gets its own, once), and bad
/// input is a Chinese problem with nothing changed.
/// </summary>
public sealed partial class MilestoneEditTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static object Item(Org org, object[]? milestones = null, string? source = null) => new
    {
        title = "危房改造不到位", leadUnit = org.UnitACode, units = new[] { org.UnitACode, org.UnitBCode }, deadline = "2026-06-30", ongoing = false,
        responsibleLeaderId = org.Leader, source,
        milestones = milestones ?? [new { date = "2026-06-10", text = "排查出来" }, new { date = "2026-06-20", text = "完成拆旧" }],
    };

    private static object Put(Org org, object[] milestones, string? source = null, string note = "调整阶段性节点") => new
    {
        title = "危房改造不到位", leadUnit = org.UnitACode, units = new[] { org.UnitACode, org.UnitBCode }, deadline = "2026-06-30", ongoing = false,
        responsibleLeaderId = org.Leader, source, milestones, note,
    };

    private Task<List<(string Step, int Cycle, DateTime Due)>> TimersAsync(Guid item) => app.RowsAsync<(string Step, int Cycle, DateTime Due)>(
        "select step, cycle, due_at from timers where subject_id = @item and step like 'milestone:%' order by step", new { item });

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static async Task<List<(int Seq, string Date, string Text, bool Done)>> MilestonesAsync(HttpClient client, Guid item) =>
        [.. (await (await client.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("milestones").EnumerateArray()
            .Select(m => (m.GetProperty("seq").GetInt32(), m.Str("date"), m.Str("text"), m.GetProperty("doneAt").ValueKind != JsonValueKind.Null))];

    [Fact]
    public async Task AfterLaunch_MilestonesChangeAddAndGo_TheRemindersFollow_Journaled_AndTheUnitsAreTold()
    {
        var org = await Org.CreateAsync(app, "me");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, ids) = await org.CampaignAsync([Item(org)], title: "节点修改");
        var item = ids[0];
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        // Step 1's reminder (Friday 6/5) goes out; step 2's (Wednesday 6/17) is still ahead.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 6, 10));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and payload->>'type' = 'milestoneReminder'", new { item })).ShouldBeGreaterThan(0);

        // Step 1 gets new words (its date is past: that is allowed, its date stays), step 2 moves to Friday 6/26, a third is added.
        var response = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Put(org,
            [new { seq = 1, date = "2026-06-10", text = "排查出来（全县）" }, new { seq = 2, date = "2026-06-26", text = "完成拆旧" }, new { date = "2026-06-29", text = "组织验收" }]));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await MilestonesAsync(org.Lgo, item)).ShouldBe([(1, "2026-06-10", "排查出来（全县）", false), (2, "2026-06-26", "完成拆旧", false), (3, "2026-06-29", "组织验收", false)]);
        var version = await app.QueryAsync<int>("select version from items where id = @item", new { item });
        var timers = await TimersAsync(item);
        // 6/26 − 3 days = Tuesday 6/23, 6/29 − 3 = Friday 6/26, both at 09:00; each of this edit's revision (the item's version).
        timers.Select(t => (t.Step, t.Cycle, Utc(t.Due).ToOffset(RuntimeApp.China))).ShouldBe(
            [("milestone:2", version, RuntimeApp.Local(2026, 6, 23, 9)), ("milestone:3", version, RuntimeApp.Local(2026, 6, 26, 9))]);
        var journal = await app.RowsAsync<(string Fields, string Before, string After, string Note)>(
            "select data->>'fields', data->'before'->>'milestones', data->'after'->>'milestones', note from journal where item_id = @item and type = 'changed'", new { item });
        journal.Count.ShouldBe(1);
        journal[0].Fields.ShouldBe("[\"milestones\"]");
        journal[0].Before.ShouldContain("2026-06-20");
        journal[0].After.ShouldContain("组织验收");
        journal[0].Note.ShouldBe("调整阶段性节点");
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and payload->>'type' = 'changed'", new { item }))
            .ShouldBeGreaterThan(0, "the units hear that the milestones changed");
        (await app.QueryAsync<string>("select payload::text from outbox where item_id = @item and payload->>'type' = 'changed' limit 1", new { item }))
            .ShouldContain("milestones");

        // Step 3 goes again: its reminder ends. The same list sent once more changes nothing (no second journal entry).
        (await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Put(org,
            [new { seq = 1, date = "2026-06-10", text = "排查出来（全县）" }, new { seq = 2, date = "2026-06-26", text = "完成拆旧" }]))).EnsureSuccessStatusCode();
        (await TimersAsync(item)).Select(t => t.Step).ShouldBe(["milestone:2"]);
        (await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Put(org,
            [new { date = "2026-06-10", text = "排查出来（全县）" }, new { date = "2026-06-26", text = "完成拆旧" }]))).EnsureSuccessStatusCode();
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item and type = 'changed'", new { item })).ShouldBe(2,
            "entries without seq that match existing milestones are those milestones: nothing changed");
        (await MilestonesAsync(org.Lgo, item)).Select(m => m.Seq).ShouldBe([1, 2]);

        // At 6/23 step 2 reminds of its new date, once per person; the old date's reminder (6/17) never went; step 3 says nothing.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 23, 10));
        var reminders = await app.RowsAsync<(string Key, string Date, string Text)>("""
            select idempotency_key, payload->>'date', payload->>'text' from outbox
            where item_id = @item and payload->>'type' = 'milestoneReminder' and payload->>'seq' <> '1' order by idempotency_key
            """, new { item });
        reminders.ShouldNotBeEmpty();
        reminders.ShouldAllBe(r => r.Key.Contains($":milestone:2:c{version}:", StringComparison.Ordinal) && r.Date == "2026-06-26" && r.Text == "完成拆旧");
        reminders.Select(r => r.Key).Distinct().Count().ShouldBe(reminders.Count);
        (await TimersAsync(item)).ShouldBeEmpty();
    }

    [Fact]
    public async Task BadMilestonesAndSources_AreChineseProblems_AndNothingChanges()
    {
        var org = await Org.CreateAsync(app, "mb");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        // Before launch: a milestone after the item's deadline is refused, like an unknown source.
        var (campaign, _) = await org.CampaignAsync([], title: "节点坏输入");
        var late = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item(org, [new { date = "2026-07-10", text = "晚于时限" }]));
        (await late.ShouldAnswerAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("errors").GetProperty("milestones[0].date")[0].GetString()!
            .ShouldContain("晚于问题的整改时限 2026-06-30");
        var unknownSource = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item(org, source: "小道消息"));
        (await unknownSource.ShouldAnswerAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString()!.ShouldContain("不在来源列表中");
        (await app.QueryAsync<long>("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(0);

        var item = (await (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item(org, source: "督查"))).JsonAsync()).GetProperty("id").GetGuid();
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/milestones/1/done", new { note = "已排查" })).EnsureSuccessStatusCode();
        // Added to the running campaign (补充交办), an item cannot bring a milestone already past.
        var past = await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item(org, [new { date = "2026-05-20", text = "已过的节点" }]));
        (await past.ShouldAnswerAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("errors").GetProperty("milestones[0].date")[0].GetString()!.ShouldContain("已过");
        (await app.QueryAsync<long>("select count(*) from items where campaign_id = @campaign", new { campaign })).ShouldBe(1);
        var before = await MilestonesAsync(org.Lgo, item);
        var timers = await TimersAsync(item);
        var journal = await app.QueryAsync<long>("select count(*) from journal where item_id = @item", new { item });

        async Task Refused(object body, HttpStatusCode status, string field, string words)
        {
            var answer = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", body);
            var problem = await answer.ShouldAnswerAsync(status);
            var errors = problem.GetProperty("errors");
            errors.TryGetProperty(field, out var messages).ShouldBeTrue(problem.ToString());
            messages[0].GetString()!.ShouldContain(words);
        }
        var done = new { seq = 1, date = "2026-06-10", text = "排查出来" };
        var step2 = new { seq = 2, date = "2026-06-20", text = "完成拆旧" };
        await Refused(Put(org, [done, step2, new { date = "2026-07-01", text = "晚于时限" }]), HttpStatusCode.UnprocessableEntity, "milestones[2].date", "晚于问题的整改时限 2026-06-30");
        await Refused(Put(org, [done, new { seq = 2, date = "2026-05-20", text = "完成拆旧" }]), HttpStatusCode.UnprocessableEntity, "milestones[1].date", "已过");
        await Refused(Put(org, [done, step2, new { date = "2026-06-25", text = "" }]), HttpStatusCode.BadRequest, "milestones[2].text", "必填");
        await Refused(Put(org, [done, step2, new { date = "6月25日", text = "日期写法" }]), HttpStatusCode.BadRequest, "milestones[2].date", "YYYY-MM-DD");
        await Refused(Put(org, [done, new { seq = 9, date = "2026-06-20", text = "完成拆旧" }]), HttpStatusCode.UnprocessableEntity, "milestones[1].seq", "不存在");
        await Refused(Put(org, [done, step2, new { seq = 2, date = "2026-06-21", text = "再一次" }]), HttpStatusCode.BadRequest, "milestones[2].seq", "重复");
        await Refused(Put(org, [step2]), HttpStatusCode.UnprocessableEntity, "milestones", "已标记完成，不能删除");
        await Refused(Put(org, [new { seq = 1, date = "2026-06-12", text = "排查出来" }, step2]), HttpStatusCode.UnprocessableEntity, "milestones[0]", "已标记完成，不能再修改");
        await Refused(Put(org, [done, step2], source: "小道消息"), HttpStatusCode.UnprocessableEntity, "source", "不在来源列表中");
        await Refused(Put(org, [done, step2, new { date = "2026-06-25", text = "新节点" }], note: ""), HttpStatusCode.UnprocessableEntity, "note", "原因");
        (await MilestonesAsync(org.Lgo, item)).ShouldBe(before);
        (await TimersAsync(item)).ShouldBe(timers);
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item", new { item })).ShouldBe(journal);

        // The source changes after launch from the list: journaled, not sent to the units (it is the office's classification).
        var changed = await org.Lgo.PutAsJsonAsync($"/api/items/{item}", Put(org, [done, step2], source: "审计", note: "来源更正"));
        (await changed.ShouldAnswerAsync(HttpStatusCode.OK)).Str("source").ShouldBe("审计");
        var entry = await app.RowsAsync<(string Fields, string Before, string After, string? Key)>(
            "select data->>'fields', data->'before'->>'source', data->'after'->>'source', subject_key from journal where item_id = @item and type = 'changed'", new { item });
        entry.ShouldBe([("[\"source\"]", "督查", "审计", null)]);
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and payload->>'type' = 'changed'", new { item })).ShouldBe(0);
    }

    [Fact]
    public async Task TheEditPage_ShowsSourceAndMilestones_AndSavesThem()
    {
        var org = await Org.CreateAsync(app, "mp");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, ids) = await org.CampaignAsync([Item(org, source: "督查")], title: "节点页面");
        var item = ids[0];
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        var page = await (await org.Lgo.GetAsync($"/items/{item}/edit")).Content.ReadAsStringAsync();
        page.ShouldContain("data-testid=\"milestone-editor\"");
        page.ShouldContain("value=\"排查出来\"");
        Regex.IsMatch(page, "<option selected=\"selected\"[^>]*>督查</option>").ShouldBeTrue("the item's source is the one selected");
        var token = Token().Match(page).Groups[1].Value;
        token.ShouldNotBeEmpty();

        // Row 0 (step 1) is ticked for removal, row 1 (step 2) moves, row 2 (blank) becomes a new step; the source changes.
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Title"] = "危房改造不到位", ["Input.LeadUnit"] = org.UnitACode,
            ["Input.Units"] = org.UnitBCode, ["Input.Deadline"] = "2026-06-30", ["Input.ResponsibleLeaderId"] = org.Leader.ToString(),
            ["Input.Note"] = "页面调整节点", ["Input.Source"] = "审计",
            ["Input.Milestones[0].Seq"] = "1", ["Input.Milestones[0].Date"] = "2026-06-10", ["Input.Milestones[0].Text"] = "排查出来", ["Input.Milestones[0].Remove"] = "true",
            ["Input.Milestones[1].Seq"] = "2", ["Input.Milestones[1].Date"] = "2026-06-26", ["Input.Milestones[1].Text"] = "完成拆旧",
            ["Input.Milestones[2].Date"] = "2026-06-29", ["Input.Milestones[2].Text"] = "组织验收",
            ["Input.Milestones[3].Date"] = "", ["Input.Milestones[3].Text"] = "",
        };
        var units = new List<KeyValuePair<string, string>>(form) { new("Input.Units", org.UnitACode) };
        var saved = await org.Lgo.PostAsync($"/items/{item}/edit", new FormUrlEncodedContent(units));
        saved.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Redirect, HttpStatusCode.Found);
        (await MilestonesAsync(org.Lgo, item)).Select(m => (m.Date, m.Text)).ShouldBe([("2026-06-26", "完成拆旧"), ("2026-06-29", "组织验收")]);
        (await (await org.Lgo.GetAsync($"/api/items/{item}")).JsonAsync()).Str("source").ShouldBe("审计");
        (await TimersAsync(item)).Select(t => t.Step).ShouldBe(["milestone:1", "milestone:2"], "step 1's number is free again: the new step takes it, with its own revision");

        // A bad row comes back beside its field, in Chinese, and nothing is saved.
        var page2 = await (await org.Lgo.GetAsync($"/items/{item}/edit")).Content.ReadAsStringAsync();
        var bad = new Dictionary<string, string>(form)
        {
            ["__RequestVerificationToken"] = Token().Match(page2).Groups[1].Value, ["Input.Milestones[0].Remove"] = "false",
            ["Input.Milestones[0].Seq"] = "", ["Input.Milestones[0].Date"] = "2026-07-15", ["Input.Milestones[0].Text"] = "晚于时限",
            ["Input.Milestones[1].Seq"] = "2", ["Input.Milestones[2].Seq"] = "1",
        };
        var refused = await org.Lgo.PostAsync($"/items/{item}/edit", new FormUrlEncodedContent(bad));
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await refused.Content.ReadAsStringAsync();
        html.ShouldContain("晚于问题的整改时限 2026-06-30");
        (await MilestonesAsync(org.Lgo, item)).Select(m => (m.Date, m.Text)).ShouldBe([("2026-06-26", "完成拆旧"), ("2026-06-29", "组织验收")]);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

internal static class MilestoneEditAssertions
{
    /// <summary>The status, with the body in the failure message; then the body as JSON.</summary>
    public static async Task<JsonElement> ShouldAnswerAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
