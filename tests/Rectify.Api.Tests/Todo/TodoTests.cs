using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Api.Features.Todo;
using Rectify.Api.Tests.Runtime;

namespace Rectify.Api.Tests.Todo;

/// <summary>
/// 待办 (issue 13 §1): what waits for each role appears in its list and goes once it is done. Campaigns launched Monday
/// 1 June 2026 10:00; items due Monday 22 June unless said otherwise.
/// </summary>
[Rectify.TestSupport.RunsLong]
public sealed class TodoTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static async Task<JsonElement> TodoAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync("/api/todo" + query);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private static List<JsonElement> Rows(JsonElement todo, string kind) =>
        todo.GetProperty("items").EnumerateArray().Where(i => i.Str("kind") == kind).ToList();

    private static long Count(JsonElement todo, string kind) => todo.GetProperty("counts").GetProperty(kind).GetInt64();

    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    private static async Task<Guid> EvidenceAsync(HttpClient client, Guid item)
    {
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4 销号佐证"u8.ToArray()), "file", "销号佐证.pdf" } };
        return (await (await client.PostAsync($"/api/items/{item}/attachments", file)).EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
    }

    private object ItemOf(Org org, string title, string lead, string[] units, string deadline = "2026-06-22") => new
    {
        title, leadUnit = lead, units, deadline, ongoing = false, responsibleLeaderId = org.Leader,
    };

    [Fact]
    public async Task Scenario_EachRoleFindsItsOwn_AndEachGoesWhenDone()
    {
        var org = await Org.CreateAsync(app, "tda");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (a, b) = (org.UnitACode, org.UnitBCode);
        var (campaign, items) = await org.CampaignAsync([
            ItemOf(org, "两个单位办理：乙未签收", a, [a, b]),
            ItemOf(org, "甲单独办理：申请销号", a, [a]),
            ItemOf(org, "乙单独办理：申请延期", b, [b]),
        ]);
        var (shared, closing, extending) = (items[0], items[1], items[2]);
        // A draft of the same office naming unit A: its items wait for nobody until launch (drafts are invisible to units).
        await org.CampaignAsync([ItemOf(org, "草稿中的问题", a, [a])], title: "尚未启动的整改");

        // Before launch nothing waits for anyone.
        Count(await TodoAsync(org.UnitA), "acknowledge").ShouldBe(0);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        var todoA = await TodoAsync(org.UnitA);
        todoA.GetProperty("counts").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["returned", "acknowledge", "report", "complete", "milestone", "submitDeliverable"], ignoreOrder: true);
        Rows(todoA, "acknowledge").Select(r => r.GetProperty("itemId").GetGuid()).ShouldBe([shared, closing], ignoreOrder: true);
        var sign = Rows(todoA, "acknowledge").First();
        sign.Str("campaignTitle").ShouldBe("测试整改");
        sign.Str("url").ShouldBe($"/items/{sign.GetProperty("itemId").GetGuid()}#act-h");
        sign.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(RuntimeApp.Local(2026, 6, 2, 10));
        Rows(await TodoAsync(org.UnitB), "acknowledge").Select(r => r.GetProperty("itemId").GetGuid()).ShouldBe([shared, extending], ignoreOrder: true);
        (await TodoAsync(org.Dcs)).GetProperty("total").GetInt64().ShouldBe(0);
        (await TodoAsync(org.Lgo)).GetProperty("total").GetInt64().ShouldBe(0);

        // One unit signs the shared item, the other does not: it stays only in the other's list.
        (await Send(org.UnitA, shared, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        Rows(await TodoAsync(org.UnitA), "acknowledge").Select(r => r.GetProperty("itemId").GetGuid()).ShouldBe([closing]);
        Rows(await TodoAsync(org.UnitB), "acknowledge").Select(r => r.GetProperty("itemId").GetGuid()).ShouldContain(shared);

        // A closure is requested: it waits for the leading-group office with the lead unit's note.
        (await Send(org.UnitA, closing, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var evidence = await EvidenceAsync(org.UnitA, closing);
        (await Send(org.UnitA, closing, new { type = "requestClosure", note = "已全部整改到位", attachmentIds = new[] { evidence } })).EnsureSuccessStatusCode();
        // An extension is requested by unit B.
        (await Send(org.UnitB, extending, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, extending, new { type = "requestExtension", note = "需等待省级资金下达", newDeadline = "2026-07-31" })).EnsureSuccessStatusCode();

        var office = await TodoAsync(org.Lgo);
        office.GetProperty("counts").EnumerateObject().Select(p => p.Name).ShouldBe(["decideClosure", "decideExtension", "reviewDeliverable"], ignoreOrder: true);
        var closure = Rows(office, "decideClosure").ShouldHaveSingleItem();
        closure.GetProperty("itemId").GetGuid().ShouldBe(closing);
        closure.Str("unit").ShouldBe(a);
        closure.Str("note").ShouldBe("已全部整改到位");
        closure.Str("url").ShouldBe($"/items/{closing}/closure");
        var extension = Rows(office, "decideExtension").ShouldHaveSingleItem();
        extension.Str("requestedDeadline").ShouldBe("2026-07-31");
        extension.Str("deadline").ShouldBe("2026-06-22");
        extension.Str("note").ShouldBe("需等待省级资金下达");
        extension.Str("url").ShouldBe($"/items/{extending}/extension");
        office.GetProperty("total").GetInt64().ShouldBe(2);
        // The units never see decisions, the supervision office neither; unit A's part of the closure is done.
        (await TodoAsync(org.UnitA)).GetProperty("counts").TryGetProperty("decideClosure", out _).ShouldBeFalse();
        (await TodoAsync(org.Dcs)).GetProperty("total").GetInt64().ShouldBe(0);
        Count(await TodoAsync(org.UnitA), "complete").ShouldBe(0);

        // Decided: both go. A returned closure waits for the lead unit as `returned`, with the reason.
        (await Send(org.Lgo, closing, new { type = "returnClosure", note = "佐证材料不全，请补充照片" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, extending, new { type = "approveExtension", note = "同意" })).EnsureSuccessStatusCode();
        var decided = await TodoAsync(org.Lgo);
        Count(decided, "decideClosure").ShouldBe(0);
        Count(decided, "decideExtension").ShouldBe(0);
        var returned = Rows(await TodoAsync(org.UnitA), "returned").ShouldHaveSingleItem();
        returned.GetProperty("itemId").GetGuid().ShouldBe(closing);
        returned.Str("note").ShouldBe("佐证材料不全，请补充照片");
        Count(await TodoAsync(org.UnitB), "returned").ShouldBe(0);

        // The unit reports again: no longer returned.
        (await Send(org.UnitA, closing, new { type = "progress", note = "已补充照片" })).EnsureSuccessStatusCode();
        Count(await TodoAsync(org.UnitA), "returned").ShouldBe(0);

        // A week before the deadline the parts in progress are due: A's two, B's part of the shared item once it signs.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 15, 10));
        var due = await TodoAsync(org.UnitA);
        Rows(due, "complete").Select(r => r.GetProperty("itemId").GetGuid()).ShouldBe([shared, closing], ignoreOrder: true);
        Rows(due, "complete").ShouldAllBe(r => r.Str("dueDate") == "2026-06-22" && !r.GetProperty("overdue").GetBoolean());
        // The extended item is no longer due this week.
        Count(await TodoAsync(org.UnitB), "complete").ShouldBe(0);
        (await Send(org.UnitB, shared, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        Rows(await TodoAsync(org.UnitB), "complete").Select(r => r.GetProperty("itemId").GetGuid()).ShouldBe([shared]);
        (await Send(org.UnitB, shared, new { type = "complete", note = "本镇部分已完成" })).EnsureSuccessStatusCode();
        Count(await TodoAsync(org.UnitB), "complete").ShouldBe(0);
    }

    [Fact]
    public async Task Escalation_WaitsForTheSupervisionOffice_TheTalkIsArrangedThenRecorded_ClosureEndsIt()
    {
        var org = await Org.CreateAsync(app, "tdb");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([ItemOf(org, "逾期未改：村道硬化", org.UnitACode, [org.UnitACode], "2026-06-05")]);
        var item = items[0];
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        // The first step (催办) is the leading-group office's: nothing for the supervision office yet.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 8, 10));
        Count(await TodoAsync(org.Dcs), "escalation").ShouldBe(0);

        // Four working days late: a supervision letter, the supervision office's.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 11, 10));
        var letter = Rows(await TodoAsync(org.Dcs), "escalation").ShouldHaveSingleItem();
        letter.GetProperty("itemId").GetGuid().ShouldBe(item);
        letter.Str("level").ShouldBe("supervisionLetter");
        letter.Str("unit").ShouldBe(org.UnitACode);
        // The unit's own list shows it late.
        var late = Rows(await TodoAsync(org.UnitA), "complete").ShouldHaveSingleItem();
        late.GetProperty("overdue").GetBoolean().ShouldBeTrue();

        // At 约谈 the one row becomes a talk to arrange (one row per item, at its highest level).
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 6, 10));
        var todo = await TodoAsync(org.Dcs);
        Count(todo, "escalation").ShouldBe(0);
        var arrange = Rows(todo, "arrangeTalk").ShouldHaveSingleItem();
        arrange.GetProperty("itemId").GetGuid().ShouldBe(item);
        var escalation = arrange.GetProperty("escalationId").GetGuid();
        arrange.Str("url").ShouldBe($"/supervision?level=admonitoryTalk&campaignId={campaign}#esc-{escalation}");

        (await org.Dcs.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "2026-07-08T09:30", place = "县委第一会议室", attendees = "县测试局局长" }))
            .EnsureSuccessStatusCode();
        todo = await TodoAsync(org.Dcs);
        Count(todo, "arrangeTalk").ShouldBe(0);
        var record = Rows(todo, "recordTalk").ShouldHaveSingleItem();
        record.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(RuntimeApp.Local(2026, 7, 8, 9, 30));
        record.Str("note").ShouldBe("县委第一会议室");
        record.Str("url").ShouldBe($"/items/{item}#talks-h");

        (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/talks", new { heldOn = "2026-07-06", people = "县测试局局长", note = "限期一周" })).EnsureSuccessStatusCode();
        (await TodoAsync(org.Dcs)).GetProperty("total").GetInt64().ShouldBe(0);
        // The leading-group office never gets the supervision office's rows.
        Count(await TodoAsync(org.Lgo), "decideClosure").ShouldBe(0);

        // Closed at last: nothing waits for anyone.
        var evidence = await EvidenceAsync(org.UnitA, item);
        (await Send(org.UnitA, item, new { type = "requestClosure", note = "已硬化", attachmentIds = new[] { evidence } })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, item, new { type = "approveClosure" })).EnsureSuccessStatusCode();
        (await TodoAsync(org.UnitA)).GetProperty("total").GetInt64().ShouldBe(0);
        (await TodoAsync(org.Lgo)).GetProperty("total").GetInt64().ShouldBe(0);
        (await TodoAsync(org.Dcs)).GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Deliverables_MilestonesAndReports_WaitForTheUnit_SubmittedPlanForTheOffice()
    {
        var org = await Org.CreateAsync(app, "tdc");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var phases = new object[]
        {
            new { key = "plan", start = "2026-06-01", end = "2026-06-05" }, new { key = "rectify", start = "2026-06-06", end = "2026-07-19" },
            new { key = "report", start = "2026-07-20", end = "2026-07-31" },
        };
        var withMilestone = new
        {
            title = "分步整改：排查建档", leadUnit = org.UnitACode, units = new[] { org.UnitACode }, deadline = "2026-07-15", ongoing = false,
            milestones = new[] { new { date = "2026-06-10", text = "6月10日前排查出来" } },
        };
        var (campaign, items) = await org.CampaignAsync([withMilestone, org.Item("长期坚持：压实责任", null, ongoing: true, withB: false)], phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        foreach (var item in items) (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        var todo = await TodoAsync(org.UnitA);
        var plans = Rows(todo, "submitDeliverable");
        plans.Select(p => p.Str("title")).ShouldBe(["单位整改方案", "单位整改情况报告"], ignoreOrder: true);
        var plan = plans.Single(p => p.Str("title") == "单位整改方案");
        plan.Str("dueDate").ShouldBe("2026-06-05");
        var planId = plan.GetProperty("deliverableId").GetGuid();
        plan.Str("url").ShouldBe($"/deliverables/{planId}");
        Count(todo, "milestone").ShouldBe(0);

        // Submitted: the plan leaves the unit's list and waits for the office's review.
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4 plan"u8.ToArray()), "file", "单位整改方案.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/deliverables/{planId}/attachments", file)).EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "submit", note = "请审阅", attachmentIds = new[] { attachment } })).EnsureSuccessStatusCode();
        Rows(await TodoAsync(org.UnitA), "submitDeliverable").Select(p => p.Str("title")).ShouldBe(["单位整改情况报告"]);
        var review = Rows(await TodoAsync(org.Lgo), "reviewDeliverable").ShouldHaveSingleItem();
        review.GetProperty("deliverableId").GetGuid().ShouldBe(planId);
        review.Str("unit").ShouldBe(org.UnitACode);
        review.Str("note").ShouldBe("请审阅");
        (await org.Lgo.PostAsJsonAsync($"/api/deliverables/{planId}/events", new { type = "return", note = "措施不具体" })).EnsureSuccessStatusCode();
        Count(await TodoAsync(org.Lgo), "reviewDeliverable").ShouldBe(0);
        var back = Rows(await TodoAsync(org.UnitA), "submitDeliverable").Single(p => p.GetProperty("deliverableId").GetGuid() == planId);
        back.Str("state").ShouldBe("returned");
        back.Str("note").ShouldBe("措施不具体");

        // The milestone is due within the week.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 4, 10));
        var milestone = Rows(await TodoAsync(org.UnitA), "milestone").ShouldHaveSingleItem();
        milestone.Str("note").ShouldBe("6月10日前排查出来");
        milestone.Str("dueDate").ShouldBe("2026-06-10");
        milestone.Str("url").ShouldBe($"/items/{items[0]}#ms-h");
        (await org.UnitA.PostAsJsonAsync($"/api/items/{items[0]}/milestones/1/done", new { })).EnsureSuccessStatusCode();
        Count(await TodoAsync(org.UnitA), "milestone").ShouldBe(0);

        // The ongoing item's monthly report (due the 25th) is due from the 18th, until the unit reports.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 17, 10));
        Count(await TodoAsync(org.UnitA), "report").ShouldBe(0);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 18, 10));
        var report = Rows(await TodoAsync(org.UnitA), "report").ShouldHaveSingleItem();
        report.GetProperty("itemId").GetGuid().ShouldBe(items[1]);
        report.Str("dueDate").ShouldBe("2026-06-25");
        (await Send(org.UnitA, items[1], new { type = "progress", note = "6 月进展" })).EnsureSuccessStatusCode();
        Count(await TodoAsync(org.UnitA), "report").ShouldBe(0);
    }

    [Fact]
    public async Task PartsToSign_AcrossCampaignsAndSupplementaryItems_InTheListsOrder_ByPageAndCounted()
    {
        // Two campaigns launched a day apart, deadlines out of order and an ongoing item (no deadline), then a supplementary
        // item on each (a later acknowledgement due time of its own): the parts to sign are read one due time after the
        // other (migration 0997); the list must still be (due time, deadline, campaign, number) over every part to sign.
        var org = await Org.CreateAsync(app, "tds");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var a = org.UnitACode;
        string[] deadlines = ["2026-07-10", "2026-06-20", "2026-06-30", "2026-06-20"];
        var (first, _) = await org.CampaignAsync(deadlines.Select((d, n) => ItemOf(org, $"一批{n}", a, [a], d))
            .Append(org.Item("一批长期", null, ongoing: true, withB: false)));
        (await org.Lgo.PostAsync($"/api/campaigns/{first}/launch", null)).EnsureSuccessStatusCode();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 2, 9));
        var (second, _) = await org.CampaignAsync(
            deadlines.Reverse().Select((d, n) => ItemOf(org, $"二批{n}", a, [a, org.UnitBCode], d)));
        (await org.Lgo.PostAsync($"/api/campaigns/{second}/launch", null)).EnsureSuccessStatusCode();
        foreach (var (campaign, title, day) in new[] { (second, "二批补充", 3), (first, "一批补充", 4) })
        {
            await org.SetClockAsync(RuntimeApp.Local(2026, 6, day, 15));
            (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", ItemOf(org, title, a, [a], "2026-06-15")))
                .StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        // One part signed: it is no longer to sign.
        var signed = (await app.RowsAsync<Guid>(
            "select id from items where campaign_id = @first and title = '一批1'", new { first })).Single();
        (await Send(org.UnitA, signed, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        var expected = await app.RowsAsync<Guid>("""
            select i.id from assignments a join items i on i.id = a.item_id
            where a.unit_code = @a and a.state = 'assigned' and i.campaign_id = any(@campaigns)
            order by i.ack_due_at, i.effective_deadline nulls last, i.campaign_id, i.seq
            """, new { a, campaigns = new[] { first, second } });
        expected.Count.ShouldBe(10);
        var dueTimes = await app.RowsAsync<int>(
            "select count(distinct ack_due_at)::int from items where campaign_id = any(@c)", new { c = new[] { first, second } });
        dueTimes.Single().ShouldBe(4, "two launches and two supplementary items");
        var walked = new List<Guid>();
        for (var page = 1; page <= 4; page++)
        {
            var slice = await TodoAsync(org.UnitA, $"?kind=acknowledge&pageSize=3&page={page}");
            slice.GetProperty("total").GetInt64().ShouldBe(10);
            Count(slice, "acknowledge").ShouldBe(10);
            walked.AddRange(slice.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetGuid()));
        }
        walked.ShouldBe(expected);
        var whole = Rows(await TodoAsync(org.UnitA, "?pageSize=100"), "acknowledge");
        whole.Select(i => i.GetProperty("itemId").GetGuid()).ShouldBe(expected);
        // The other unit signs for its own parts only: the second campaign's four.
        Count(await TodoAsync(org.UnitB), "acknowledge").ShouldBe(4);
    }

    [Fact]
    public async Task Paging_WalksToTheLastRow_KindFilters_BadInputIs400()
    {
        var org = await Org.CreateAsync(app, "tdd");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync(Enumerable.Range(1, 7).Select(n => ItemOf(org, $"待签收问题{n}", org.UnitACode, [org.UnitACode])));
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        var seen = new List<Guid>();
        for (var page = 1; page <= 4; page++)
        {
            var slice = await TodoAsync(org.UnitA, $"?kind=acknowledge&pageSize=2&page={page}");
            slice.GetProperty("total").GetInt64().ShouldBe(7);
            seen.AddRange(slice.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetGuid()));
        }
        seen.ShouldBe(items);
        (await TodoAsync(org.UnitA, "?kind=acknowledge&pageSize=2&page=5")).GetProperty("items").GetArrayLength().ShouldBe(0);
        // With another kind asked, the counts still name every kind.
        var other = await TodoAsync(org.UnitA, "?kind=milestone");
        other.GetProperty("items").GetArrayLength().ShouldBe(0);
        Count(other, "acknowledge").ShouldBe(7);
        other.GetProperty("total").GetInt64().ShouldBe(0);

        foreach (var bad in new[] { "?kind=签收", "?page=0", "?pageSize=501", "?pageSize=0" })
        {
            var response = await org.UnitA.GetAsync("/api/todo" + bad);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", bad);
        }
        (await app.CreateClient().GetAsync("/api/todo")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PartsToFinish_AreInTheOrderOfTheItemsDeadline_WhereverItMoves()
    {
        // A's parts due within the week are listed by their item's deadline (read from each part's copy of it, 0993): a
        // draft edit moves one before launch, a unit added after launch gets the item's deadline, an approved extension
        // takes one out of the week. After each step every part's copy equals its item's deadline and number.
        var org = await Org.CreateAsync(app, "tdo");
        var (a, b) = (org.UnitACode, org.UnitBCode);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([
            ItemOf(org, "期限排序：甲乙共办", a, [a, b], "2026-06-22"),
            ItemOf(org, "期限排序：甲单独", a, [a], "2026-06-19"),
            ItemOf(org, "期限排序：乙牵头", b, [b], "2026-06-20"),
        ]);
        async Task CopiesAgreeAsync(string step) =>
            (await app.QueryAsync<long>("""
                select count(*) from assignments a join items i on i.id = a.item_id
                where i.campaign_id = @campaign and (a.item_deadline is distinct from i.effective_deadline or a.item_seq <> i.seq)
                """, new { campaign })).ShouldBe(0, step);
        await CopiesAgreeAsync("draft");
        (await org.Lgo.PutAsJsonAsync($"/api/items/{items[0]}", ItemOf(org, "期限排序：甲乙共办", a, [a, b], "2026-06-18")))
            .EnsureSuccessStatusCode();
        await CopiesAgreeAsync("draft edited");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var changed = await org.Lgo.PutAsJsonAsync($"/api/items/{items[2]}",
            new
            {
                title = "期限排序：乙牵头", leadUnit = b, units = new[] { b, a }, deadline = "2026-06-20", ongoing = false,
                responsibleLeaderId = org.Leader, note = "增加甲单位协办",
            });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        await CopiesAgreeAsync("unit added after launch");
        foreach (var item in items) (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 15, 10));
        async Task<List<(Guid, string)>> DueAsync() => Rows(await TodoAsync(org.UnitA, "?kind=complete"), "complete")
            .Select(r => (r.GetProperty("itemId").GetGuid(), r.Str("dueDate"))).ToList();
        (await DueAsync()).ShouldBe([(items[0], "2026-06-18"), (items[1], "2026-06-19"), (items[2], "2026-06-20")]);

        var extension = new { type = "requestExtension", note = "设备未到货", newDeadline = "2026-07-20" };
        (await Send(org.UnitA, items[1], extension)).EnsureSuccessStatusCode();
        (await Send(org.Lgo, items[1], new { type = "approveExtension", note = "同意" })).EnsureSuccessStatusCode();
        await CopiesAgreeAsync("extension approved");
        (await DueAsync()).ShouldBe([(items[0], "2026-06-18"), (items[2], "2026-06-20")]);
        var second = Rows(await TodoAsync(org.UnitA, "?kind=complete&pageSize=1&page=2"), "complete").ShouldHaveSingleItem();
        second.GetProperty("itemId").GetGuid().ShouldBe(items[2]);
    }

    [Fact]
    public async Task Pages_AcrossKinds_AreTheWholeListCutInOrder()
    {
        // Seven parts to sign and four signed parts due within the week: the list is 待签收 first, then 临期待完成; its
        // pages (each kind read up to the page's end only) put together are the whole list, in the same order.
        var org = await Org.CreateAsync(app, "tdx");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync(Enumerable.Range(1, 11)
            .Select(n => ItemOf(org, $"跨类分页问题{n}", org.UnitACode, [org.UnitACode],
                deadline: n > 7 ? $"2026-06-0{n - 5}" : "2026-06-22")));
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        foreach (var signed in items.Skip(7)) (await Send(org.UnitA, signed, new { type = "acknowledge" })).EnsureSuccessStatusCode();

        var whole = await TodoAsync(org.UnitA, "?pageSize=500");
        var expected = whole.GetProperty("items").EnumerateArray().Select(i => (i.Str("kind"), i.GetProperty("itemId").GetGuid())).ToList();
        expected.Select(e => e.Item1).ShouldBe([.. Enumerable.Repeat("acknowledge", 7), .. Enumerable.Repeat("complete", 4)]);
        expected.Select(e => e.Item2).ShouldBe(items, ignoreOrder: true);
        whole.GetProperty("total").GetInt64().ShouldBe(11);
        foreach (var size in new[] { 1, 2, 3, 4, 7, 10 })
        {
            var seen = new List<(string, Guid)>();
            for (var page = 1; ; page++)
            {
                var slice = await TodoAsync(org.UnitA, $"?pageSize={size}&page={page}");
                slice.GetProperty("total").GetInt64().ShouldBe(11);
                Count(slice, "complete").ShouldBe(4);
                var rows = slice.GetProperty("items").EnumerateArray()
                    .Select(i => (i.Str("kind"), i.GetProperty("itemId").GetGuid())).ToList();
                if (rows.Count == 0) break;
                rows.Count.ShouldBeLessThanOrEqualTo(size);
                seen.AddRange(rows);
            }
            seen.ShouldBe(expected, $"pageSize {size}");
        }
        var completes = new List<Guid>();
        for (var page = 1; page <= 3; page++)
            completes.AddRange((await TodoAsync(org.UnitA, $"?kind=complete&pageSize=3&page={page}")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("itemId").GetGuid()));
        completes.ShouldBe(expected.Skip(7).Select(e => e.Item2));
    }

    [Fact]
    public async Task ManyOfOneKind_AreCountedToTheBoundThenEstimated_SaidSo_AndThePageIsTheEarliestDue()
    {
        // 1,200 closure requests (more than the exact bound): the office's 销号审核 is 约 and the planner's figure, the
        // other kinds exact; the page lists the earliest deadlines first; the screen says 约.
        var org = await Org.CreateAsync(app, "tdz");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, _) = await org.CampaignAsync([ItemOf(org, "一项延期申请", org.UnitACode, [org.UnitACode])]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        await using (var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state,
                                  assigned_at, cycle)
                select gen_random_uuid(), @campaign, 1 + n, 'C' || n, '待审核销号' || n, @unit, array[@unit],
                       date '2026-07-31' - n % 30, date '2026-07-31' - n % 30, 'closureRequested', now(), 1
                from generate_series(1, 1200) n;
                update items set pending_extension = date '2026-08-31' where campaign_id = @campaign and seq = 1;
                analyze items;
                """, new { campaign, unit = org.UnitACode });
        }
        var todo = await TodoAsync(org.Lgo, "?pageSize=20");
        var counts = todo.GetProperty("counts");
        counts.GetProperty("decideClosure").GetInt64().ShouldBeGreaterThan(TodoQuery.ExactCountUpTo);
        counts.GetProperty("decideExtension").GetInt64().ShouldBe(1);
        todo.GetProperty("estimated").EnumerateArray().Select(e => e.GetString()).ShouldBe(["decideClosure"]);
        todo.GetProperty("totalEstimated").GetBoolean().ShouldBeTrue();
        var deadlines = Rows(todo, "decideClosure").Select(r => r.Str("deadline")).ToList();
        deadlines.Count.ShouldBe(20);
        deadlines.ShouldAllBe(d => d == "2026-07-02");
        // One kind asked: the exact one says nothing is estimated.
        var extension = await TodoAsync(org.Lgo, "?kind=decideExtension");
        extension.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
        extension.GetProperty("total").GetInt64().ShouldBe(1);

        var html = await (await org.Lgo.GetAsync("/todo")).Content.ReadAsStringAsync();
        html.ShouldContain($"data-kind-count=\"decideClosure\">约{counts.GetProperty("decideClosure").GetInt64()}<");
        html.ShouldContain("data-kind-count=\"decideExtension\">1<");
    }

    [Fact]
    public async Task DecidingWhatIsAlreadyDecided_Is422WithAChineseReason_AndChangesNothing()
    {
        var org = await Org.CreateAsync(app, "tde");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var phases = new object[] { new { key = "plan", start = "2026-06-01", end = "2026-06-05" } };
        var (campaign, items) = await org.CampaignAsync([
            ItemOf(org, "销号两次", org.UnitACode, [org.UnitACode]), ItemOf(org, "延期两次", org.UnitACode, [org.UnitACode]),
        ], phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var (closing, extending) = (items[0], items[1]);
        foreach (var item in items) (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var evidence = await EvidenceAsync(org.UnitA, closing);
        (await Send(org.UnitA, closing, new { type = "requestClosure", note = "完成", attachmentIds = new[] { evidence } })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, extending, new { type = "requestExtension", note = "资金未到", newDeadline = "2026-07-31" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, closing, new { type = "approveClosure" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, extending, new { type = "rejectExtension", note = "不同意" })).EnsureSuccessStatusCode();

        async Task Refused(HttpResponseMessage response, string words)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            (await response.JsonAsync()).Str("detail").ShouldContain(words);
        }
        var closedVersion = (await (await org.Lgo.GetAsync($"/api/items/{closing}")).JsonAsync()).GetProperty("version").GetInt32();
        await Refused(await Send(org.Lgo, closing, new { type = "approveClosure" }), "已销号");
        await Refused(await Send(org.Lgo, closing, new { type = "returnClosure", note = "再退回" }), "已销号");
        await Refused(await Send(org.Lgo, extending, new { type = "approveExtension" }), "没有待审批的延期申请");
        await Refused(await Send(org.Lgo, extending, new { type = "rejectExtension", note = "再驳回" }), "没有待审批的延期申请");
        (await (await org.Lgo.GetAsync($"/api/items/{closing}")).JsonAsync()).GetProperty("version").GetInt32().ShouldBe(closedVersion);
        (await (await org.Lgo.GetAsync($"/api/items/{extending}")).JsonAsync()).Str("effectiveDeadline").ShouldBe("2026-06-22");

        var plan = (await (await org.UnitA.GetAsync($"/api/deliverables?campaignId={campaign}")).JsonAsync()).GetProperty("items").EnumerateArray()
            .Single(d => d.Str("kind") == "unitPlan").GetProperty("id").GetGuid();
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4 plan"u8.ToArray()), "file", "方案.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/deliverables/{plan}/attachments", file)).EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/deliverables/{plan}/events", new { type = "submit", attachmentIds = new[] { attachment } })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/deliverables/{plan}/events", new { type = "accept" })).EnsureSuccessStatusCode();
        await Refused(await org.Lgo.PostAsJsonAsync($"/api/deliverables/{plan}/events", new { type = "accept" }), "已采纳");
        await Refused(await org.Lgo.PostAsJsonAsync($"/api/deliverables/{plan}/events", new { type = "return", note = "再退回" }), "已采纳");

        // The deliverable's files and history are in its answer, and the reviewer opens the file.
        var dto = await (await org.Lgo.GetAsync($"/api/deliverables/{plan}")).JsonAsync();
        dto.Str("name").ShouldBe("单位整改方案");
        dto.GetProperty("files").EnumerateArray().Select(f => f.Str("fileName")).ShouldBe(["方案.pdf"]);
        dto.GetProperty("history").EnumerateArray().Select(h => h.Str("type")).Where(t => t is "submit" or "accept" or "return").ShouldBe(["submit", "accept"]);
        dto.GetProperty("history").EnumerateArray().First(h => h.Str("type") == "submit").GetProperty("attachmentIds")[0].GetGuid().ShouldBe(attachment);
        var opened = await org.Lgo.GetAsync($"/api/attachments/{attachment}?inline=true");
        opened.StatusCode.ShouldBe(HttpStatusCode.OK);
        opened.Content.Headers.ContentType?.MediaType.ShouldBe("application/pdf");
        opened.Content.Headers.ContentDisposition?.DispositionType.ShouldBe("inline");
        opened.Headers.GetValues("X-Frame-Options").ShouldBe(["SAMEORIGIN"]);
        opened.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'self'");
        var download = await org.Lgo.GetAsync($"/api/attachments/{attachment}");
        download.Content.Headers.ContentDisposition?.DispositionType.ShouldBe("attachment");
        download.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
    }

    [Fact]
    public async Task DecisionScreens_ShowWhatIsDecided_ToWhoMaySeeIt_OthersGet404()
    {
        var org = await Org.CreateAsync(app, "tdf");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var phases = new object[] { new { key = "plan", start = "2026-06-01", end = "2026-06-05" } };
        var (campaign, items) = await org.CampaignAsync([ItemOf(org, "只属甲单位的问题", org.UnitACode, [org.UnitACode])], phases: phases);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var item = items[0];
        (await Send(org.UnitA, item, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, item, new { type = "requestExtension", note = "汛期无法施工", newDeadline = "2026-09-30" })).EnsureSuccessStatusCode();

        var page = await org.Lgo.GetAsync($"/items/{item}/extension");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("2026-09-30");
        html.ShouldContain("2026-06-22");
        html.ShouldContain("汛期无法施工");
        html.ShouldContain("data-event=\"approveExtension\"");
        // The unit sees its own request, without the decision's form; another unit, and an unknown screen, get 404.
        var own = await (await org.UnitA.GetAsync($"/items/{item}/extension")).Content.ReadAsStringAsync();
        own.ShouldContain("2026-09-30");
        own.ShouldNotContain("data-event=\"approveExtension\"");
        (await org.UnitB.GetAsync($"/items/{item}/extension")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await org.UnitB.GetAsync($"/items/{item}/closure")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await org.Lgo.GetAsync($"/items/{item}/approval")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await org.Lgo.GetAsync($"/items/{Guid.NewGuid()}/closure")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A deliverable's screen: its unit and its office, nobody else.
        var plan = (await (await org.UnitA.GetAsync($"/api/deliverables?campaignId={campaign}")).JsonAsync()).GetProperty("items")[0].GetProperty("id").GetGuid();
        (await org.UnitA.GetAsync($"/deliverables/{plan}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.Lgo.GetAsync($"/deliverables/{plan}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await org.UnitB.GetAsync($"/deliverables/{plan}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // The landing page of every role is its 待办.
        var noRedirect = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        noRedirect.DefaultRequestHeaders.Authorization = org.UnitA.DefaultRequestHeaders.Authorization;
        var home = await noRedirect.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        home.Headers.Location!.OriginalString.ShouldBe("/todo");
        (await (await org.UnitA.GetAsync("/todo")).Content.ReadAsStringAsync()).ShouldContain("单位整改方案");
    }

    [Fact]
    public void BadgeCounts_StopEveryBranchAtTheCap_NotTheWholeUnion()
    {
        // One capped part per kind (a kind may have several branches): a cap on the union as a whole would leave later kinds at 0.
        static List<string> Capped(IReadOnlyList<string> kinds) => System.Text.RegularExpressions.Regex
            .Matches(TodoQuery.CappedCountSql(kinds), @"\) b where kind = '(\w+)' limit @cap\)").Select(m => m.Groups[1].Value).ToList();
        Capped([.. TodoKinds.All]).Count.ShouldBe(TodoKinds.All.Count);
        // Each role's statement counts its own kinds only, each capped.
        foreach (var kinds in new[] { TodoKinds.Unit, TodoKinds.Office, TodoKinds.Supervision })
            Capped(kinds).ShouldBe(kinds.Order(StringComparer.Ordinal).ToList());
    }
}
