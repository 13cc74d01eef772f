using Rectify.Notifications.Tests.Support;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Tests.Email;

/// <summary>What a recipient's mail client shows, for every kind and level: read back from a real SMTP server.</summary>
public sealed class EmailContentTests(MailFixture f) : IClassFixture<MailFixture>
{
    private static readonly DateTimeOffset Now = NotifyHost.MondayMorning;

    private async Task<(Seed.World World, ReceivedMail Mail)> SendAsync(string key, Func<Seed.World, OutboxMessage> message, string suffix = "")
    {
        var w = await f.Seed.WorldAsync(suffix);
        var subjectKey = $"item:{w.ItemId}:{key}";
        await f.Seed.EnqueueAsync(Now, new NotificationRequest(subjectKey, message(w), w.LeaderId, Now.ToUniversalTime(), false));
        await f.Seed.WaitForAsync(subjectKey, r => r.Status == "sent", expected: 2);
        var mail = (await f.Smtp.WaitForAsync(1)).Where(m => m.IdempotencyKey.StartsWith(subjectKey, StringComparison.Ordinal)).ToList();
        mail.Count.ShouldBe(1);
        return (w, mail[0]);
    }

    [Fact]
    public async Task Reminder_ReceivedBySmtpServer_ChineseSubjectDatesLeaderUnitAndLink()
    {
        var (w, mail) = await SendAsync("reminder:T-7:c1", w => Seed.Typed("reminder", null, w), "r");

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

    private static readonly DateOnly Due = new(2026, 12, 4);

    private static OutboxMessage MessageFor(string key, Seed.World w)
    {
        var item = new ItemRef(w.CampaignId, w.ItemId);
        return key switch
        {
            "assigned" => new AssignedMessage(item, Due, false, "lead"),
            "urge" => new EscalationMessage(item, "urge", w.Office, new DateOnly(2026, 11, 16)),
            "listed" => new EscalationMessage(item, "listedSupervision", w.Office, new DateOnly(2026, 11, 2)),
            "talk" => new EscalationMessage(item, "admonitoryTalk", w.Office, new DateOnly(2026, 10, 30)),
            "phase" => new PhaseMessage(new CampaignRef(w.CampaignId), "rectify", "集中整改", "Rectify", new DateOnly(2026, 11, 2), Due, "end"),
            "deliverable" => new ReminderMessage(new DeliverableRef(w.CampaignId, Guid.NewGuid(), "unitReport", "整改进展情况报告", "Progress report", w.LeadUnit,
                new DateOnly(2026, 11, 27)), new DateOnly(2026, 11, 27), 3),
            "periodic" => new PeriodicReportMessage(new PeriodicReportRef(w.CampaignId, w.ItemId, new DateOnly(2026, 11, 30)), new DateOnly(2026, 11, 30)),
            "closure" => new DecisionMessage(item, "approveClosure", "同意销号", null, "closureRequested", "closed", null, null, Due, "office"),
            "returned" => new DecisionMessage(item, "returnClosure", "退回", null, "closureRequested", "inProgress", "佐证材料不全，缺少入户核查台账", null, Due, "office"),
            "extended" => new DecisionMessage(item, "approveExtension", "同意延期", null, "inProgress", "inProgress", null, new DateOnly(2026, 12, 31),
                new DateOnly(2026, 12, 31), "office"),
            "rejected" => new DecisionMessage(item, "rejectExtension", "不同意延期", null, "inProgress", "inProgress", "属硬性时限，不予延期", null, Due, "office"),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
    }

    [Theory]
    [InlineData("assigned", "【交办】", "已交办县扶贫办")]
    [InlineData("urge", "【催办】", "已逾期7天")]
    [InlineData("listed", "【挂牌督办】", "列入挂牌督办")]
    [InlineData("talk", "【约谈通知】", "决定对县扶贫办主要负责人进行约谈")]
    [InlineData("phase", "【阶段提示】", "“集中整改”阶段（2026年11月2日至2026年12月4日）将于2026年12月4日结束")]
    [InlineData("deliverable", "【报送提醒】", "要求县扶贫办于2026年11月27日前报送“整改进展情况报告”")]
    [InlineData("periodic", "【定期报告】", "请县扶贫办于2026年11月30日前报送本期整改进展")]
    [InlineData("closure", "【销号通过】", "已办结销号")]
    [InlineData("returned", "【销号退回】", "退回原因：佐证材料不全，缺少入户核查台账")]
    [InlineData("extended", "【延期批准】", "整改时限调整为2026年12月31日")]
    [InlineData("rejected", "【延期未批准】", "按原时限完成整改")]
    public async Task EveryKind_ReceivedBySmtpServer_HasOfficeSubjectAndFacts(string key, string tag, string phrase)
    {
        var (w, mail) = await SendAsync($"{key}:c1", w => MessageFor(key, w), key);

        mail.Subject.ShouldStartWith(tag);
        mail.Text.ShouldNotBeNull();
        mail.Text!.ShouldContain(phrase);
        mail.Text!.ShouldContain(Seed.DocumentNumber);
        if (key is not ("phase" or "deliverable"))
        {
            mail.Text!.ShouldContain($"https://rectify.example.cn/items/{w.ItemId}");
            mail.Text!.ShouldContain("牵头单位：县扶贫办");
            mail.Text!.ShouldContain("责任领导：王建国");
        }
        mail.Text!.ShouldContain("—— English ——");
    }

    [Fact]
    public async Task Reminder_WithoutPayload_RendersFromItemAndCampaignRows()
    {
        // A row queued before the typed contract (issue 14) with an empty payload still renders from the item's row.
        var w = await f.Seed.WorldAsync("bare");
        var key = $"item:{w.ItemId}:reminder:T-3:c1";
        await f.Seed.EnqueueLegacyAsync(key, "reminder", null, w, w.LeaderId, Now, "{}");
        await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 2);
        var mail = (await f.Smtp.WaitForAsync(1)).Single(m => m.IdempotencyKey.StartsWith(key, StringComparison.Ordinal));
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
