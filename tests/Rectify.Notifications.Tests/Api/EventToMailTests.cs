using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Api;

/// <summary>
/// From an event or a timer step to the mail server (issue 14 §3): one campaign driven through the API on the
/// controllable clock, every message read back from a real SMTP server (aiosmtpd). Each mail must name the item or
/// deliverable, the unit, the decision and the right date. The top of the ladder reaches the lead unit's head, the
/// responsible leader and the offices in the shipped definition's new version, while a campaign pinned to the version
/// before keeps its narrower audience (§4); the 约谈 is an appointment set by the office (issue 13 §5).
/// </summary>
public sealed class EventToMailTests : IAsyncLifetime
{
    private readonly NotifyApp app = new();
    private HttpClient admin = null!, office = null!, supervisor = null!, unitA = null!, unitB = null!;
    private Guid leader, head;
    private const string Wang = "wang@lgo.example.cn", Li = "li@dcs.example.cn", Zhang = "zhang@ua.example.cn",
        Zhou = "zhou@ua.example.cn", Zhao = "zhao@ub.example.cn", Chen = "chen@lgo.example.cn";

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        admin = await app.AdminAsync();
        foreach (var (code, name, kind) in new[]
                 {
                     ("elgo", "县整改领导小组办公室", "leadingGroup"), ("edcs", "县委督查室", "supervisionOffice"), ("eua", "县扶贫办", "department"),
                     ("eub", "城关镇", "township"),
                 })
            (await admin.PostAsJsonAsync("/api/units", new { code, name, kind })).EnsureSuccessStatusCode();
        async Task<Guid> Person(string name, string unit, string email, bool contact, bool unitHead = false) =>
            (await (await admin.PostAsJsonAsync("/api/people", new { name, unitCode = unit, email, isUnitContact = contact, isUnitHead = unitHead }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var wang = await Person("王办公", "elgo", Wang, true);
        var li = await Person("李督查", "edcs", Li, true);
        var zhang = await Person("张联络", "eua", Zhang, true);
        head = await Person("周局长", "eua", Zhou, false, unitHead: true);
        var zhao = await Person("赵联络", "eub", Zhao, true);
        leader = await Person("陈副县长", "elgo", Chen, false);
        office = await app.UserAsync("elgo", "leadingGroup", "elgo", wang);
        supervisor = await app.UserAsync("edcs", "supervisor", "edcs", li);
        unitA = await app.UserAsync("eua", "unit", "eua", zhang);
        unitB = await app.UserAsync("eub", "unit", "eub", zhao);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<Guid> CampaignAsync(string title, int? version, params object[] items)
    {
        var created = await office.PostAsJsonAsync("/api/campaigns", new
        {
            title, documentNumber = "县整改〔2026〕9号", issuedByUnit = "elgo", supervisionUnit = "edcs", timeZone = "Asia/Shanghai",
            workflow = new { id = "rectification-campaign", version },
            phases = new object[]
            {
                new { key = "plan", start = "2026-11-23", end = "2026-11-27" }, new { key = "rectify", start = "2026-11-28", end = "2027-01-31" },
            },
        });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var item in items) (await office.PostAsJsonAsync($"/api/campaigns/{id}/items", item)).EnsureSuccessStatusCode();
        (await office.PostAsync($"/api/campaigns/{id}/launch", null)).EnsureSuccessStatusCode();
        return id;
    }

    private async Task<Dictionary<string, Guid>> ItemsAsync(Guid campaign) =>
        (await (await office.GetAsync($"/api/items?campaignId={campaign}&pageSize=500")).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("number").GetString()!, i => i.GetProperty("id").GetGuid());

    /// <summary>Waits until the mail server holds a message to <paramref name="to"/> that matches; fails naming what arrived.</summary>
    private async Task<ReceivedMail> MailAsync(string to, string what, Func<ReceivedMail, bool> match)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var mine = app.Smtp.Messages().Where(m => m.RcptTos.Contains(to)).ToList();
            if (mine.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > until)
                throw new ShouldAssertException($"no e-mail to {to} ({what}); it received: {string.Join(" | ", mine.Select(m => m.Subject))}");
            await Task.Delay(50);
        }
    }

    private Task<ReceivedMail> SubjectAsync(string to, string tag, string contains) =>
        MailAsync(to, $"{tag} {contains}", m => m.Subject.StartsWith(tag, StringComparison.Ordinal) && m.Subject.Contains(contains, StringComparison.Ordinal));

    private async Task EventAsync(HttpClient client, Guid item, object body)
    {
        var response = await client.PostAsJsonAsync($"/api/items/{item}/events", body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{JsonSerializer.Serialize(body)}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task ClockAsync(string local) =>
        (await admin.PostAsJsonAsync("/api/admin/clock", new { now = DateTimeOffset.Parse(local + "+08:00", System.Globalization.CultureInfo.InvariantCulture) }))
            .EnsureSuccessStatusCode();

    private static string DocxText(ReceivedMail mail)
    {
        var docx = mail.Attachments.Single(a => a.Filename!.EndsWith(".docx", StringComparison.Ordinal));
        using var zip = new ZipArchive(new MemoryStream(docx.Bytes));
        using var reader = new StreamReader(zip.GetEntry("word/document.xml")!.Open(), Encoding.UTF8);
        return System.Text.RegularExpressions.Regex.Replace(reader.ReadToEnd(), "<[^>]+>", "");
    }

    /// <summary>The definition as shipped before issue 14: 挂牌督办 and 约谈 went to the offices (and the leader) only.</summary>
    private async Task<int> PublishNarrowThenShippedAsync()
    {
        var shipped = (await (await admin.GetAsync("/api/workflow-definitions/rectification-campaign")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("definition");
        var narrow = JsonNode.Parse(shipped.GetRawText())!;
        foreach (var step in narrow["escalation"]!["ladder"]!.AsArray())
        {
            var level = step!["level"]!.GetValue<string>();
            if (level == "listedSupervision") step["recipients"] = new JsonArray("leadingGroup", "supervisionOffice");
            if (level == "admonitoryTalk") step["recipients"] = new JsonArray("leadingGroup", "supervisionOffice", "responsibleLeader");
        }
        var old = await (await admin.PostAsync("/api/workflow-definitions", new StringContent(narrow.ToJsonString(), Encoding.UTF8, "application/json")))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var latest = await (await admin.PostAsync("/api/workflow-definitions", new StringContent(shipped.GetRawText(), Encoding.UTF8, "application/json")))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        latest.GetProperty("version").GetInt32().ShouldBeGreaterThan(old.GetProperty("version").GetInt32());
        return old.GetProperty("version").GetInt32();
    }

    [Fact]
    public async Task OneCampaign_EventsAndLadder_EachMailNamesItemUnitDecisionAndDate()
    {
        var narrowVersion = await PublishNarrowThenShippedAsync();
        var campaign = await CampaignAsync("农村饮水安全整改", null,
            new { number = "1", title = "台账不清", leadUnit = "eua", units = new[] { "eua" }, deadline = "2026-12-31", ongoing = false, responsibleLeaderId = leader },
            new { number = "2", title = "整改迟缓", leadUnit = "eua", units = new[] { "eua" }, deadline = "2026-12-31", ongoing = false, responsibleLeaderId = leader },
            new { number = "3", title = "饮水不达标", leadUnit = "eua", units = new[] { "eua", "eub" }, deadline = "2026-11-27", ongoing = false, responsibleLeaderId = leader },
            new { number = "4", title = "长效机制", leadUnit = "eua", units = new[] { "eua" }, deadline = (string?)null, ongoing = true, reportEvery = "P1W", responsibleLeaderId = leader });
        var pinned = await CampaignAsync("旧版流程整改", narrowVersion,
            new { number = "9", title = "旧版问题", leadUnit = "eua", units = new[] { "eua" }, deadline = "2026-11-27", ongoing = false, responsibleLeaderId = leader });
        var items = await ItemsAsync(campaign);
        var old = (await ItemsAsync(pinned))["9"];

        // 交办: each unit of item 3 gets its own notice about its own share.
        var assigned = await SubjectAsync(Zhao, "【交办】", "第3项“饮水不达标”");
        assigned.Subject.ShouldContain("城关镇");
        assigned.Text!.ShouldContain("整改时限：2026年11月27日");

        // Item 1: acknowledge, closure requested (with evidence), returned, requested again, approved, reopened.
        await EventAsync(unitA, items["1"], new { type = "acknowledge" });
        await EventAsync(unitA, items["1"], new { type = "progress", note = "已完成入户核查" });
        var form = new MultipartFormDataContent();
        var pdf = new ByteArrayContent("%PDF-1.4\n%evidence\n"u8.ToArray());
        pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(pdf, "file", "核查台账.pdf");
        var attachment = (await (await unitA.PostAsync($"/api/items/{items["1"]}/attachments", form)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await EventAsync(unitA, items["1"], new { type = "requestClosure", note = "已整改到位", attachmentIds = new[] { attachment } });
        var requested = await SubjectAsync(Wang, "【销号申请】", "第1项“台账不清”");
        requested.Subject.ShouldContain("县扶贫办");
        await EventAsync(office, items["1"], new { type = "returnClosure", note = "缺少整改前后对比照片" });
        var returned = await SubjectAsync(Zhang, "【销号退回】", "第1项“台账不清”");
        returned.Text!.ShouldContain("退回");
        returned.Text!.ShouldContain("缺少整改前后对比照片");
        returned.Text!.ShouldContain("牵头单位：县扶贫办");
        returned.Text!.ShouldContain("2026年12月31日");
        await EventAsync(unitA, items["1"], new { type = "requestClosure", note = "照片已补充", attachmentIds = new[] { attachment } });
        await EventAsync(office, items["1"], new { type = "approveClosure" });
        var closed = await SubjectAsync(Zhang, "【销号通过】", "第1项“台账不清”");
        closed.Subject.ShouldContain("销号");
        closed.Text!.ShouldContain("县扶贫办");
        await EventAsync(supervisor, items["1"], new { type = "reopen", note = "回头看发现问题反弹" });
        var reopened = await SubjectAsync(Chen, "【重新整改】", "第1项“台账不清”");
        // No new deadline given: the definition's window (P30D) from the day of reopening, 2026-11-23.
        reopened.Text!.ShouldContain("2026年12月23日");
        reopened.Text!.ShouldContain("回头看发现问题反弹");

        // Item 2: extension asked, refused, asked again, granted.
        await EventAsync(unitA, items["2"], new { type = "acknowledge" });
        await EventAsync(unitA, items["2"], new { type = "requestExtension", note = "需等待水源工程完工", newDeadline = "2027-01-15" });
        var asked = await SubjectAsync(Wang, "【延期申请】", "第2项“整改迟缓”");
        asked.Subject.ShouldContain("1月15日");
        await EventAsync(office, items["2"], new { type = "rejectExtension", note = "时限不能突破" });
        var refused = await SubjectAsync(Zhang, "【延期未批准】", "第2项“整改迟缓”");
        refused.Subject.ShouldContain("不同意延期");
        refused.Text!.ShouldContain("2026年12月31日");
        await EventAsync(unitA, items["2"], new { type = "requestExtension", note = "水源工程延误", newDeadline = "2027-01-20" });
        await EventAsync(office, items["2"], new { type = "approveExtension" });
        var granted = await SubjectAsync(Zhang, "【延期批准】", "第2项“整改迟缓”");
        granted.Subject.ShouldContain("同意延期至1月20日");
        granted.Text!.ShouldContain("2027年1月20日");
        // A manual 催办 by the supervision office, then the item is withdrawn (撤销) with a reason.
        await EventAsync(supervisor, items["2"], new { type = "urge", note = "请本周内报送进展" });
        var urged = await SubjectAsync(Zhang, "【催办】", "第2项“整改迟缓”");
        urged.Text!.ShouldContain("请本周内报送进展");
        urged.Text!.ShouldContain("县扶贫办");
        await EventAsync(office, items["2"], new { type = "withdraw", note = "与第1项重复，予以撤销" });
        var withdrawn = await SubjectAsync(Chen, "【撤销】", "第2项“整改迟缓”已撤销");
        withdrawn.Text!.ShouldContain("与第1项重复，予以撤销");

        // Item 3 and the deliverables climb their ladders as the clock moves. A day on: nobody of 城关镇 has signed.
        await EventAsync(unitA, items["3"], new { type = "acknowledge" });
        await ClockAsync("2026-11-24T10:05:00");
        var unsigned = await SubjectAsync(Zhao, "【提醒】", "尚未签收");
        unsigned.Subject.ShouldBe("【提醒】第3项“饮水不达标”已交办城关镇，尚未签收");
        (await SubjectAsync(Zhao, "【提醒】", "第3项“饮水不达标”（城关镇）将于11月27日到期")).Text!.ShouldContain("城关镇承担的以下整改问题");
        var t3 = await MailAsync(Zhang, "T-3 reminder", m => m.Subject.StartsWith("【提醒】第3项“饮水不达标”（县扶贫办）", StringComparison.Ordinal) && m.Subject.Contains("11月27日到期", StringComparison.Ordinal));
        t3.Text!.ShouldContain("整改时限：2026年11月27日（剩余3个工作日）");
        var planDue = await SubjectAsync(Zhao, "【报送提醒】", "城关镇“单位整改方案”");
        planDue.Subject.ShouldContain("11月27日前报送");
        await ClockAsync("2026-11-26T09:05:00");
        (await MailAsync(Zhang, "T-1 reminder", m => m.Subject.StartsWith("【提醒】第3项", StringComparison.Ordinal) && m.Text!.Contains("剩余1个工作日", StringComparison.Ordinal)))
            .Text!.ShouldContain("2026年11月27日");
        // Past the deadline: 催办 on Monday 30 November, the first working day after it. The ongoing item was reminded on
        // Friday 27 November, three days before its weekly report.
        await ClockAsync("2026-11-30T09:05:00");
        var reportDue = await SubjectAsync(Zhang, "【定期报告】", "第4项“长效机制”");
        reportDue.Subject.ShouldContain("11月30日前");
        var urge = await SubjectAsync(Zhao, "【催办】", "第3项“饮水不达标”（城关镇）");
        urge.Text!.ShouldContain("整改时限：2026年11月27日（已逾期3天");
        urge.Text!.ShouldContain("县整改领导小组办公室");
        (await SubjectAsync(Chen, "【催办】", "第3项“饮水不达标”")).Text!.ShouldContain("牵头单位：县扶贫办");
        var planLate = await SubjectAsync(Zhao, "【催办】", "城关镇“单位整改方案”逾期未报送");
        planLate.Text!.ShouldContain("2026年11月27日");

        // The ongoing item's report of 30 November is missing: what is late is the report, never "逾期0天".
        await ClockAsync("2026-12-01T09:05:00");
        var reportLate = await SubjectAsync(Zhang, "【催办】", "第4项“长效机制”11月30日整改进展未报送");
        reportLate.Text!.ShouldContain("2026年11月30日应报送的整改进展");
        reportLate.Text!.ShouldNotContain("逾期0天");
        await EventAsync(unitA, items["4"], new { type = "acknowledge" });
        await EventAsync(unitA, items["4"], new { type = "progress", note = "本周进展：完成3个村" });

        // 督办函 on 3 December, with its letter attached; the ongoing item's and the deliverable's letters say what is late.
        await ClockAsync("2026-12-04T09:05:00");
        var letter = await SubjectAsync(Zhang, "【督办】", "第3项“饮水不达标”");
        letter.Subject.ShouldContain("〔2026〕");
        var letterText = DocxText(letter);
        letterText.ShouldContain("整改时限为2026年11月27日");
        letterText.ShouldContain("饮水不达标");
        var planLetter = await SubjectAsync(Zhao, "【督办】", "城关镇“单位整改方案”逾期未报送");
        var planLetterText = DocxText(planLetter);
        planLetterText.ShouldContain("关于督促报送“单位整改方案”的督办函");
        planLetterText.ShouldContain("应于2026年11月27日前报送的“单位整改方案”");
        planLetterText.ShouldNotContain("逾期0天");

        // 挂牌督办 on 14 December: the new version reaches the lead unit's head and the leader; the pinned campaign does not.
        await ClockAsync("2026-12-14T09:05:00");
        var listed = await SubjectAsync(Zhou, "【挂牌督办】", "第3项“饮水不达标”");
        listed.Text!.ShouldContain("周局长");
        listed.Text!.ShouldContain("牵头单位：县扶贫办");
        listed.Text!.ShouldContain("2026年11月27日");
        (await SubjectAsync(Chen, "【挂牌督办】", "第3项“饮水不达标”")).Text!.ShouldContain("列入挂牌督办");
        (await SubjectAsync(Zhang, "【挂牌督办】", "第3项“饮水不达标”（县扶贫办）")).Text!.ShouldContain("县扶贫办");
        (await SubjectAsync(Li, "【挂牌督办】", "第3项“饮水不达标”")).Text!.ShouldContain("县委督查室");
        (await SubjectAsync(Wang, "【挂牌督办】", "第9项“旧版问题”")).Text!.ShouldContain("县扶贫办");
        (await app.Seed.ScalarAsync<long>(
            "select count(*) from outbox where item_id = @old and level = 'listedSupervision' and recipient_person_id = any(@people)",
            new { old, people = new[] { head, leader } })).ShouldBe(0, "the campaign pinned to the version before keeps its narrower audience");

        // 约谈 on 21 December: the head is summoned; time and place to be announced.
        await ClockAsync("2026-12-21T09:05:00");
        var talk = await SubjectAsync(Zhou, "【约谈通知】", "第3项“饮水不达标”");
        talk.Text!.ShouldContain("县扶贫办主要负责人");
        talk.Text!.ShouldContain("另行通知");
        (await SubjectAsync(Chen, "【约谈通知】", "第9项“旧版问题”")).Text!.ShouldContain("约谈");
        (await app.Seed.ScalarAsync<long>(
            "select count(*) from outbox where item_id = @old and level = 'admonitoryTalk' and recipient_person_id = @head",
            new { old, head })).ShouldBe(0);

        // The office sets the appointment; bad input is refused in Chinese and changes nothing.
        var escalation = (await (await supervisor.GetAsync($"/api/escalations?itemId={items["3"]}&level=admonitoryTalk&open=true")).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("items")[0].GetProperty("id").GetGuid();
        var past = await supervisor.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "2026-12-20T09:30", place = "县委三楼第一会议室", attendees = "县扶贫办主要负责人" });
        past.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await past.Content.ReadAsStringAsync()).ShouldContain("约谈时间已过");
        var noPlace = await supervisor.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "2026-12-24T09:30", place = "  ", attendees = "县扶贫办主要负责人" });
        noPlace.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noPlace.Content.ReadAsStringAsync()).ShouldContain("请填写约谈地点");
        var garbled = await supervisor.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "下周三上午", place = "会议室", attendees = "县扶贫办主要负责人" });
        garbled.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unitA.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "2026-12-24T09:30", place = "会议室", attendees = "某某" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.PostAsJsonAsync($"/api/escalations/{Guid.NewGuid()}/talk", new { at = "2026-12-24T09:30", place = "会议室", attendees = "某某" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Seed.ScalarAsync<long>("select count(*) from escalations where talk_revision > 0")).ShouldBe(0);
        var set = await supervisor.PostAsJsonAsync($"/api/escalations/{escalation}/talk",
            new { at = "2026-12-24T09:30", place = "县委三楼第一会议室", attendees = "县扶贫办主要负责人周局长；责任领导陈副县长" });
        set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        var dto = await set.Content.ReadFromJsonAsync<JsonElement>();
        dto.GetProperty("talk").GetProperty("at").GetString().ShouldBe("2026-12-24T09:30:00+08:00");
        foreach (var to in new[] { Zhou, Chen, Li, Wang, Zhang })
        {
            var notice = await MailAsync(to, "talk notice", m => m.Subject.StartsWith("【约谈通知】", StringComparison.Ordinal) && m.Subject.Contains("2026年12月24日 09:30", StringComparison.Ordinal));
            notice.Subject.ShouldContain("第3项“饮水不达标”");
            notice.Subject.ShouldContain("县委三楼第一会议室");
            notice.Text!.ShouldContain("请于2026年12月24日 09:30到县委三楼第一会议室参加约谈");
            notice.Text!.ShouldContain("参加人员：县扶贫办主要负责人周局长；责任领导陈副县长");
            notice.Text!.ShouldContain("约谈对象：县扶贫办主要负责人");
        }
        (await supervisor.PostAsJsonAsync($"/api/escalations/{escalation}/talk", new { at = "2026-12-25T15:00", place = "县政府二楼会议室", attendees = "县扶贫办主要负责人" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MailAsync(Zhou, "moved talk", m => m.Subject.Contains("2026年12月25日 15:00", StringComparison.Ordinal))).Text!.ShouldContain("约谈时间、地点已调整");

        // The supervision inbox: one row per subject, at its current level with the levels it went through.
        var inbox = await (await supervisor.GetAsync("/api/escalations/subjects?pageSize=500")).Content.ReadFromJsonAsync<JsonElement>();
        var rows = inbox.GetProperty("items").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("subjectId").GetGuid()).ShouldBeUnique();
        var row3 = rows.Single(r => r.GetProperty("itemId").ValueKind == JsonValueKind.String && r.GetProperty("itemId").GetGuid() == items["3"]);
        row3.GetProperty("level").GetString().ShouldBe("admonitoryTalk");
        row3.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("level").GetString())
            .ShouldBe(["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"]);
        row3.GetProperty("talk").GetProperty("place").GetString().ShouldBe("县政府二楼会议室");
        inbox.GetProperty("byLevel").GetProperty("admonitoryTalk").GetInt64().ShouldBeGreaterThanOrEqualTo(2);
        var paged = await (await supervisor.GetAsync("/api/escalations/subjects?pageSize=1&page=2")).Content.ReadFromJsonAsync<JsonElement>();
        paged.GetProperty("items").GetArrayLength().ShouldBe(1);
        paged.GetProperty("items")[0].GetProperty("subjectId").GetGuid().ShouldBe(rows[1].GetProperty("subjectId").GetGuid());

        // The timeline in words, in the order things happened; bookkeeping marked, never a raw step name.
        var timeline = (await (await unitA.GetAsync($"/api/items/{items["3"]}/timeline")).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        timeline.Select(e => e.GetProperty("id").GetInt64()).ShouldBeInOrder();
        timeline.Where(e => !e.GetProperty("bookkeeping").GetBoolean()).Select(e => e.GetProperty("title").GetString())
            .ShouldContain("升级督办：约谈");
        timeline.ShouldContain(e => e.GetProperty("title").GetString()!.StartsWith("安排约谈：2026-12-24 09:30", StringComparison.Ordinal));
        foreach (var e in timeline)
        {
            var title = e.GetProperty("title").GetString()!;
            title.ShouldNotBeNullOrWhiteSpace();
            title.ShouldNotContain("periodic:");
            title.ShouldNotContain("escalation:");
            e.GetProperty("titleEn").GetString().ShouldNotBeNullOrWhiteSpace();
        }
        var ongoing = (await (await unitA.GetAsync($"/api/items/{items["4"]}/timeline")).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        ongoing.ShouldContain(e => e.GetProperty("bookkeeping").GetBoolean() && e.GetProperty("title").GetString()!.Contains("整改进展已报送", StringComparison.Ordinal));

        // Nothing was delivered twice.
        app.Smtp.Messages().GroupBy(m => m.IdempotencyKey).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty();
    }
}
