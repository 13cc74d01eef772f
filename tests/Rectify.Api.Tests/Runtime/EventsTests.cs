using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Rectify.Api.Tests.Runtime;

public sealed class EventsTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private async Task<(Org Org, Guid Item)> LaunchedAsync(string prefix, string deadline = "2026-06-22", bool hard = false, bool withB = true)
    {
        var org = await Org.CreateAsync(app, prefix);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("问题", deadline, hard: hard, withB: withB)]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        return (org, items[0]);
    }

    [Fact]
    public async Task ApproveExtension_ReschedulesTimersToTheNewDeadline()
    {
        var (org, item) = await LaunchedAsync("ex");
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestExtension", newDeadline = "2026-06-20" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity); // no reason given
        var early = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestExtension", note = "资金未到位", newDeadline = "2026-06-20" });
        early.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await early.JsonAsync()).GetProperty("errors").GetProperty("newDeadline").GetArrayLength().ShouldBe(1);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestExtension", note = "资金未到位", newDeadline = "2026-07-31" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var approved = await (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveExtension", note = "同意" })).JsonAsync();
        approved.Str("effectiveDeadline").ShouldBe("2026-07-31");
        approved.Str("deadline").ShouldBe("2026-06-22");

        // The old schedule is gone: nothing escalates after 22 June; the new one reminds 7 days before 31 July (Fri 24 July).
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 24, 9));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and kind = 'escalation'", new { item })).ShouldBe(0);
        (await app.QueryAsync<string>("select step from timers where subject_id = @item and step like 'reminder:T-%'", new { item })).ShouldBe("reminder:T-7");
        (await app.QueryAsync<DateTime>("select due_at from timers where subject_id = @item and step = 'reminder:T-7'", new { item }))
            .ShouldBe(new DateTime(2026, 7, 24, 1, 0, 0));
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 24, 9));
        (await app.QueryAsync<long>("select count(*) from outbox where item_id = @item and idempotency_key like '%:reminder:T-7:c2:%'", new { item })).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task MassLaunch_UnitAboveTheDigestThreshold_GetsOneDigest_AndTheJournalPromisesOnlyMessagesThatExist()
    {
        // 51 items led by unit A alone: A's contact gets one digest; one more item shared with B gets B its own message.
        var org = await Org.CreateAsync(app, "ml");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        // Three deadlines, so the digest's first fifty are ordered by deadline, then by number (as text: 1, 10, 11, …).
        string[] deadlines = ["2026-09-30", "2026-10-30", "2026-08-31"];
        var items = Enumerable.Range(1, 51).Select(n => org.Item($"批量问题{n}", deadlines[n % 3], withB: false))
            .Append(org.Item("共同问题", "2026-09-30"));
        var (campaign, ids) = await org.CampaignAsync(items);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        (await app.QueryAsync<long>("select count(distinct recipient_person_id) from outbox where campaign_id = @campaign and kind = 'assigned' and idempotency_key like 'campaign:%:assigned:unit:' || @unit || ':%'",
            new { campaign, unit = org.UnitACode })).ShouldBe(1);
        var digest = JsonDocument.Parse(await app.QueryAsync<string>(
            """
            select payload::text from outbox
            where campaign_id = @campaign and idempotency_key like 'campaign:%:assigned:unit:' || @unit || ':%' limit 1
            """,
            new { campaign, unit = org.UnitACode })).RootElement;
        digest.Str("type").ShouldBe("assignedBatch");
        digest.GetProperty("itemCount").GetInt32().ShouldBe(52);
        digest.Str("firstDeadline").ShouldBe("2026-08-31");
        var expected = Enumerable.Range(1, 52)
            .Select(n => (Deadline: n == 52 ? "2026-09-30" : deadlines[n % 3], Number: n.ToString(CultureInfo.InvariantCulture)))
            .OrderBy(x => x.Deadline, StringComparer.Ordinal).ThenBy(x => x.Number, StringComparer.Ordinal).Take(50).Select(x => x.Number);
        digest.GetProperty("itemNumbers").EnumerateArray().Select(x => x.GetString()).ShouldBe(expected);
        (await app.QueryAsync<long>("select count(*) from outbox where kind = 'assigned' and item_id = any(@items)", new { items = ids.SkipLast(1).ToArray() })).ShouldBe(0);
        (await app.QueryAsync<long>("select count(distinct recipient_person_id) from outbox where kind = 'assigned' and item_id = @item", new { item = ids[^1] })).ShouldBeGreaterThan(0);
        // Every launch entry that names a subject has its messages; the 51 items of A alone name none.
        (await app.QueryAsync<long>("""
            select count(*) from journal j where j.campaign_id = @campaign and j.type = 'launch' and j.subject_key is not null
              and not exists (select 1 from outbox o where o.idempotency_key like j.subject_key || ':%')
            """, new { campaign })).ShouldBe(0);
        (await app.QueryAsync<long>("select count(*) from journal where campaign_id = @campaign and type = 'launch' and subject_key is null", new { campaign })).ShouldBe(51);
    }

    [Fact]
    public async Task HardDeadline_ForbidsExtension()
    {
        var (org, item) = await LaunchedAsync("hd", hard: true);
        var item0 = await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync();
        item0.GetProperty("allowedEvents").EnumerateArray().Select(e => e.GetString()).ShouldNotContain("requestExtension");
        var refused = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestExtension", note = "x", newDeadline = "2026-08-01" });
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.JsonAsync()).Str("detail").ShouldContain("刚性时限");
    }

    [Fact]
    public async Task Reopen_StartsANewCycleWithANewDeadline()
    {
        var (org, item) = await LaunchedAsync("ro");
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "a.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "complete", note = "本镇部分完成" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", note = "done", attachmentIds = new[] { attachment } })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" })).EnsureSuccessStatusCode();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "reopen", note = "反弹", newDeadline = "2026-09-30" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/events", new { type = "reopen", note = "回头看发现反弹", newDeadline = "2020-01-01" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var reopened = await (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/events", new { type = "reopen", note = "回头看发现反弹", newDeadline = "2026-09-30" })).JsonAsync();
        reopened.Str("state").ShouldBe("inProgress");
        reopened.Str("effectiveDeadline").ShouldBe("2026-09-30");
        reopened.GetProperty("cycle").GetInt32().ShouldBe(2);
        (await app.QueryAsync<string>("select step || ':' || cycle from timers where subject_id = @item", new { item })).ShouldBe("reminder:T-7:2");
    }

    [Fact]
    public async Task Reopen_WithoutNewDeadline_GetsTheDefinitionsWindowForReopenedItems()
    {
        var (org, item) = await LaunchedAsync("rw", withB: false);
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "a.pdf" } };
        var attachment = (await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "requestClosure", note = "done", attachmentIds = new[] { attachment } })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{item}/events", new { type = "approveClosure" })).EnsureSuccessStatusCode();
        var now = (await (await org.Admin.GetAsync("/api/admin/clock")).JsonAsync()).GetProperty("now").GetDateTimeOffset();
        var today = DateOnly.FromDateTime(now.ToOffset(RuntimeApp.China).DateTime);

        // API.md: newDeadline is optional; without it the definition's window for reopened items applies (P30D by default).
        var reopened = await (await org.Dcs.PostAsJsonAsync($"/api/items/{item}/events", new { type = "reopen", note = "回头看发现反弹" })).JsonAsync();
        reopened.Str("state").ShouldBe("inProgress");
        reopened.Str("effectiveDeadline").ShouldBe(today.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        reopened.GetProperty("cycle").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task TwoEventsRacing_OneWinsOneGets409()
    {
        var (org, item) = await LaunchedAsync("rc");
        var version = (await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32();
        var a = org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge", expectedVersion = version });
        var b = org.UnitB.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge", expectedVersion = version });
        var responses = (await Task.WhenAll(a, b)).OrderBy(r => (int)r.StatusCode).ToList();
        responses.Select(r => r.StatusCode).ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict]);
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item and type = 'acknowledge'", new { item })).ShouldBe(1);

        // The loser's problem names the version the item has now, for the client to retry against.
        var now = (await (await org.UnitA.GetAsync($"/api/items/{item}")).JsonAsync()).GetProperty("version").GetInt32();
        now.ShouldBeGreaterThan(version);
        responses[1].Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await responses[1].JsonAsync();
        problem.GetProperty("status").GetInt32().ShouldBe(409);
        problem.GetProperty("currentVersion").GetInt32().ShouldBe(now);
        problem.Str("detail").ShouldStartWith("问题已被他人修改");
    }

    [Fact]
    public async Task Attachment_SentAsJsonNotMultipart_Is400InChinese_AndStoresNothing()
    {
        var (org, item) = await LaunchedAsync("aj");
        var response = await org.UnitA.PostAsJsonAsync($"/api/items/{item}/attachments", new { file = "报告.pdf", content = "JVBERi0=" });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.JsonAsync();
        problem.Str("detail").ShouldBe("请修改标出的字段后重试。");
        problem.GetProperty("errors").GetProperty("file")[0].GetString()!.ShouldStartWith("请以 multipart/form-data 上传");
        (await app.QueryAsync<long>("select count(*) from attachments where item_id = @item", new { item })).ShouldBe(0);
    }

    [Fact]
    public async Task IdempotencyKey_RepeatReturnsFirstResponseAndChangesNothing()
    {
        var (org, item) = await LaunchedAsync("ik");
        (await org.UnitA.PostAsJsonAsync($"/api/items/{item}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        HttpRequestMessage Request() => new(HttpMethod.Post, $"/api/items/{item}/events")
        {
            Content = JsonContent.Create(new { type = "progress", note = "已完成 60%" }),
            Headers = { { "Idempotency-Key", "progress-1" } },
        };
        var first = await org.UnitA.SendAsync(Request());
        var second = await org.UnitA.SendAsync(Request());
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await second.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        second.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await app.QueryAsync<long>("select count(*) from journal where item_id = @item and type = 'progress'", new { item })).ShouldBe(1);
    }

    [Fact]
    public async Task Attachment_WithWrongContent_IsRefused()
    {
        var (org, item) = await LaunchedAsync("at");
        var fake = new MultipartFormDataContent { { new ByteArrayContent([0x4D, 0x5A, 0x90, 0x00, 0x03]), "file", "../../报告.pdf" } };
        var response = await org.UnitA.PostAsync($"/api/items/{item}/attachments", fake);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var png = new MultipartFormDataContent { { new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2]), "file", "../..\\现场<照片>.png" } };
        var ok = await (await org.UnitA.PostAsync($"/api/items/{item}/attachments", png)).JsonAsync();
        ok.Str("fileName").ShouldBe("现场_照片_.png");
        ok.GetProperty("size").GetInt64().ShouldBe(10);
        ok.Str("sha256").Length.ShouldBe(64);
    }

    [Fact]
    public async Task InvalidDefinition_IsRefusedWithEveryError()
    {
        var org = await Org.CreateAsync(app, "df");
        var json = """
            { "id": "Bad Id", "name": "", "phases": [], "item": { "states": [], "initialState": "draft", "launchState": "nowhere",
              "closedStates": ["closed"], "events": [ { "type": "fly", "name": "x", "from": ["assigned"], "roles": ["mayor"] } ] },
              "reminders": { "beforeDeadline": ["7 days"], "at": "9am", "onNonWorkingDay": "previousWorkingDay", "recipients": ["leadUnit"] },
              "unacknowledged": { "afterWorkingDays": 0, "recipients": ["leadUnit"] }, "escalation": { "at": "09:00", "ladder": [] },
              "catchUp": { "reminderMaxLateness": "PT12H" }, "colour": "red" }
            """;
        var response = await org.Admin.PostAsync("/api/workflow-definitions", new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        var paths = errors.EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldBe(["$.id", "$.name", "$.phases", "$.item.states", "$.item.launchState", "$.item.events[0].type", "$.item.events[0].roles[0]",
            "$.reminders.beforeDeadline[0]", "$.reminders.at", "$.unacknowledged.afterWorkingDays", "$.colour"], ignoreOrder: true);

        var good = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "workflows", "rectification-campaign.json"));
        var changed = good.Replace("\"P7D\", \"P3D\", \"P1D\"", "\"P5D\", \"P1D\"");
        var published = await org.Admin.PostAsync("/api/workflow-definitions", new StringContent(changed, Encoding.UTF8, "application/json"));
        published.StatusCode.ShouldBe(HttpStatusCode.Created);
        var version = (await published.JsonAsync()).GetProperty("version").GetInt32();
        version.ShouldBeGreaterThan(1);
        var latest = await (await org.Lgo.GetAsync("/api/workflow-definitions/rectification-campaign")).JsonAsync();
        latest.GetProperty("version").GetInt32().ShouldBe(version);
        var first = await (await org.Lgo.GetAsync("/api/workflow-definitions/rectification-campaign?version=1")).JsonAsync();
        first.GetProperty("definition").GetProperty("reminders").GetProperty("beforeDeadline").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task Calendar_EditIsVisibleAndUsed()
    {
        var org = await Org.CreateAsync(app, "cal");
        var year = await (await org.UnitA.GetAsync("/api/calendar/2026")).JsonAsync();
        var days = year.GetProperty("days").EnumerateArray().ToList();
        days.ShouldContain(d => d.Str("date") == "2026-02-14" && d.Str("kind") == "workday");
        days.ShouldContain(d => d.Str("date") == "2026-10-01" && d.Str("kind") == "holiday");
        days.ShouldNotContain(d => d.Str("date") == "2026-10-03"); // a Saturday holiday is no exception
        (await org.UnitA.PutAsJsonAsync("/api/calendar/days/2026-12-31", new { kind = "holiday", name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await org.Lgo.PutAsJsonAsync("/api/calendar/days/2026-12-26", new { kind = "holiday", name = "x" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await org.Lgo.PutAsJsonAsync("/api/calendar/days/2026-12-31", new { kind = "holiday", name = "地方假日" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await org.UnitA.GetAsync("/api/calendar/2026")).JsonAsync()).GetProperty("days").EnumerateArray().ShouldContain(d => d.Str("date") == "2026-12-31");
        (await app.QueryAsync<long>("select count(*) from admin_journal where entity = 'calendarDay' and entity_id = '2026-12-31'")).ShouldBe(1);
        (await org.Lgo.DeleteAsync("/api/calendar/days/2026-12-31")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await org.Lgo.DeleteAsync("/api/calendar/days/2026-12-31")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
