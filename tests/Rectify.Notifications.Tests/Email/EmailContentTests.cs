using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>What a recipient's mail client shows, for every kind and level: read back from a real SMTP server.</summary>
public sealed class EmailContentTests(MailFixture f) : IClassFixture<MailFixture>
{
    private static readonly DateTimeOffset Now = NotifyHost.MondayMorning;

    private async Task<(Seed.World World, ReceivedMail Mail)> SendAsync(string key, string kind, string? level, string payload = "{}", string suffix = "")
    {
        var w = await f.Seed.WorldAsync(suffix);
        var subjectKey = $"item:{w.ItemId}:{key}";
        await f.Seed.EnqueueAsync(Now, Seed.Request(subjectKey, kind, level, w, w.LeaderId, Now, payload));
        await f.Seed.WaitForAsync(subjectKey, r => r.Status == "sent", expected: 2);
        var mail = (await f.Smtp.WaitForAsync(1)).Where(m => m.IdempotencyKey.StartsWith(subjectKey, StringComparison.Ordinal)).ToList();
        mail.Count.ShouldBe(1);
        return (w, mail[0]);
    }

    [Fact]
    public async Task Reminder_ReceivedBySmtpServer_ChineseSubjectDatesLeaderUnitAndLink()
    {
        var (w, mail) = await SendAsync("reminder:T-7:c1", "reminder", null, """{"deadline":"2026-12-04","step":"T-7"}""", "r");

        mail.Subject.ShouldBe("【提醒】第3项“部分贫困户“两不愁三保障”底数不清”将于12月4日到期");
        mail.RcptTos.ShouldBe(["wangjianguor@fpb.example.cn"]);
        mail.ContentType.ShouldBe("multipart/alternative");
        mail.Text.ShouldNotBeNull();
        mail.Text!.ShouldContain("王建国：");
        mail.Text!.ShouldContain($"整改工作：《{Seed.CampaignTitle}》（{Seed.DocumentNumber}）");
        mail.Text!.ShouldContain("问题编号：第3项");
        mail.Text!.ShouldContain("整改时限：2026年12月4日（剩余9个工作日）");
        mail.Text!.ShouldContain("牵头单位：县扶贫办");
        mail.Text!.ShouldContain("责任领导：王建国");
        mail.Text!.ShouldContain($"查看详情：https://rectify.example.cn/items/{w.ItemId}");
        mail.Text!.ShouldContain("[Reminder] Item 3");
        mail.Text!.ShouldContain("2026-12-04 (9 working days left)");
        mail.Html.ShouldNotBeNull();
        mail.Html!.ShouldContain($"<a href=\"https://rectify.example.cn/items/{w.ItemId}\">");
        mail.Html!.ShouldContain("县扶贫办");
        mail.From.ShouldContain("duban@rectify.example.cn");
    }

    [Theory]
    [InlineData("assigned", "assigned", null, "{}", "【交办】", "已交办县扶贫办")]
    [InlineData("urge", "escalation", "urge", """{"deadline":"2026-11-16"}""", "【催办】", "已逾期7天")]
    [InlineData("listed", "escalation", "listedSupervision", """{"deadline":"2026-11-02"}""", "【挂牌督办】", "列入挂牌督办")]
    [InlineData("talk", "escalation", "admonitoryTalk", """{"deadline":"2026-10-30","talkAt":"2026年11月25日上午9:00","place":"县委三楼会议室"}""", "【约谈通知】", "县委三楼会议室")]
    [InlineData("phase", "phase", null, """{"phaseKey":"rectify","phaseStart":"2026-11-02","phaseEnd":"2026-12-04","boundary":"end"}""", "【阶段提示】", "“集中整改”阶段（2026年11月2日至2026年12月4日）将于2026年12月4日结束")]
    [InlineData("deliverable", "deliverable", null, """{"deliverableName":"整改进展情况报告","dueDate":"2026-11-27"}""", "【报送提醒】", "请县扶贫办于2026年11月27日前报送“整改进展情况报告”")]
    [InlineData("periodic", "periodicReport", null, """{"period":"2026年11月","dueDate":"2026-11-30"}""", "【定期报告】", "请于2026年11月30日前报送2026年11月整改进展")]
    [InlineData("closure", "decision", null, """{"decision":"closureApproved"}""", "【销号通过】", "已办结销号")]
    [InlineData("returned", "decision", null, """{"decision":"closureReturned","note":"佐证材料不全，缺少入户核查台账"}""", "【销号退回】", "审核意见：佐证材料不全，缺少入户核查台账")]
    [InlineData("extended", "decision", null, """{"decision":"extensionApproved","newDeadline":"2026-12-31"}""", "【延期批准】", "新的整改时限：2026年12月31日")]
    [InlineData("rejected", "decision", null, """{"decision":"extensionRejected","note":"属硬性时限，不予延期"}""", "【延期未批准】", "整改时限不变")]
    public async Task EveryKind_ReceivedBySmtpServer_HasOfficeSubjectAndFacts(string key, string kind, string? level, string payload, string tag, string phrase)
    {
        var (w, mail) = await SendAsync($"{key}:c1", kind, level, payload, key);

        mail.Subject.ShouldStartWith(tag);
        mail.Text.ShouldNotBeNull();
        mail.Text!.ShouldContain(phrase);
        mail.Text!.ShouldContain(Seed.DocumentNumber);
        mail.Text!.ShouldContain($"https://rectify.example.cn/items/{w.ItemId}");
        if (kind != "phase")
        {
            mail.Text!.ShouldContain("牵头单位：县扶贫办");
            mail.Text!.ShouldContain("责任领导：王建国");
        }
        mail.Text!.ShouldContain("—— English ——");
    }

    [Fact]
    public async Task Reminder_WithoutPayload_RendersFromItemAndCampaignRows()
    {
        var (_, mail) = await SendAsync("reminder:T-3:c1", "reminder", null, "{}", "bare");
        mail.Subject.ShouldBe("【提醒】第3项“部分贫困户“两不愁三保障”底数不清”将于12月4日到期");
        mail.Text!.ShouldContain("2026年12月4日（剩余9个工作日）");
    }

    [Fact]
    public async Task Reminder_ToEnglishReader_PutsEnglishFirst()
    {
        var w = await f.Seed.WorldAsync("en");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"], language: "en");
        var key = $"item:{w.ItemId}:reminder:T-1:c1";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key, "reminder", null, w, w.LeaderId, Now));
        await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
        var mail = (await f.Smtp.WaitForAsync(1)).Single(m => m.IdempotencyKey.StartsWith(key, StringComparison.Ordinal));
        mail.Subject.ShouldStartWith("[Reminder] Item 3");
        mail.Text!.IndexOf("Dear 王建国", StringComparison.Ordinal).ShouldBeLessThan(mail.Text.IndexOf("王建国：", StringComparison.Ordinal));
    }
}
