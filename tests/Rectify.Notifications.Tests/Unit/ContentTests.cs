using Rectify.Notifications.Channels;
using Rectify.Notifications.Content;

namespace Rectify.Notifications.Tests.Unit;

/// <summary>Templates never fail on missing or malformed facts, and signatures match the platforms' published recipes.</summary>
public sealed class ContentTests
{
    private static MessageFacts Facts(string kind, string? level, string payload, ItemFacts? item = null, CampaignFacts? campaign = null) => new(
        1, MessageReader.Legacy(kind, level, campaign?.Id, item?.Id, null, payload), "zh", "王建国", "县扶贫办", item, campaign,
        new DateOnly(2026, 11, 23), null, null, null, null, "https://rectify.example.cn/inbox", "https://rectify.example.cn", null, [],
        new Dictionary<string, string>());

    [Theory]
    [InlineData("assigned", null)]
    [InlineData("reminder", null)]
    [InlineData("escalation", "urge")]
    [InlineData("escalation", "supervisionLetter")]
    public void Compose_ScriptInTitles_IsEscapedInHtmlAndKeptLiterallyInText(string kind, string? level)
    {
        const string title = "<script>alert('整改')</script>";
        const string unit = "县扶贫办<img src=x onerror=alert(1)>";
        var campaign = new CampaignFacts(Guid.NewGuid(), "<b>龙川县</b>整改工作", "龙整改〔2026〕3号", "Asia/Shanghai", "lgo", "领导小组办公室&<i>", null, null, "[]");
        var item = new ItemFacts(Guid.NewGuid(), campaign.Id, "3", title, "描述</p><script>x()</script>", "措施 & <u>办法</u>", new DateOnly(2026, 11, 30), null,
            false, "inProgress", "none", "fpb", unit, null, "王建国<svg onload=alert(1)>");
        var facts = Facts(kind, level, "{}", item, campaign);

        var message = Composer.Compose(Templates.For(facts), facts);

        // Every piece of user text that reaches the HTML part is encoded: no tag a client could render, no handler.
        message.Html.ShouldNotContain("<script", Case.Insensitive);
        message.Html.ShouldNotContain("<img", Case.Insensitive);
        message.Html.ShouldNotContain("<svg", Case.Insensitive);
        message.Html.ShouldNotContain("<b>龙川县");
        message.Html.ShouldContain("&lt;script&gt;alert(&#39;整改&#39;)&lt;/script&gt;");
        // The plain text and the subject carry the words as written.
        (message.Subject + message.Text).ShouldContain(title);
    }

    [Theory]
    [InlineData("assigned", null)]
    [InlineData("reminder", null)]
    [InlineData("escalation", "urge")]
    [InlineData("escalation", "supervisionLetter")]
    [InlineData("escalation", "listedSupervision")]
    [InlineData("escalation", "admonitoryTalk")]
    [InlineData("phase", null)]
    [InlineData("deliverable", null)]
    [InlineData("periodicReport", null)]
    [InlineData("decision", "closureApproved")]
    [InlineData("digest", null)]
    [InlineData("somethingNew", null)]
    public void Compose_NoItemNoCampaignGarbagePayload_StillProducesEveryFormat(string kind, string? level)
    {
        foreach (var payload in new[] { "", "not json", "[1,2]", """{"deadline":"tomorrow","workingDaysLeft":"x","phase":{"key":null}}""" })
        {
            var facts = Facts(kind, level, payload);
            var message = Composer.Compose(Templates.For(facts), facts);
            message.Subject.ShouldStartWith("【");
            message.Text.ShouldContain("王建国");
            message.Html.ShouldContain("<html>");
            message.Markdown.ShouldStartWith("### 【");
            message.Short.ShouldEndWith(facts.Link);
        }
    }

    [Fact]
    public void LegacyPayload_ReadsNestedAndFlatFieldsAndToleratesWrongTypes()
    {
        var p = LegacyPayload.Parse("""{"phase":{"key":"rectify","start":"2026-05-14"},"workingDaysLeft":"3","overdueDays":2.5,"deadline":"2026-06-10T00:00:00+08:00"}""");
        p.String("phaseKey", "phase.key").ShouldBe("rectify");
        p.Date("phase.start").ShouldBe(new DateOnly(2026, 5, 14));
        p.Int("workingDaysLeft").ShouldBe(3);
        p.Int("overdueDays").ShouldBeNull();
        p.Date("deadline").ShouldBe(new DateOnly(2026, 6, 10));
    }

    [Fact]
    public void DingTalkSignature_FollowsPlatformRecipe()
    {
        // Recipe from DingTalk's robot documentation: HmacSHA256(key: secret, data: timestamp + "\n" + secret), base64, URL-encoded.
        const string secret = "SECxyz";
        const long ts = 1700000000000;
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes("1700000000000\nSECxyz")));
        RobotSigning.DingTalk(ts, secret).ShouldBe(expected);
        RobotSigning.DingTalkUrl("https://oapi.dingtalk.com/robot/send?access_token=abc", ts, secret)
            .ShouldBe($"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign={Uri.EscapeDataString(expected)}");
    }

    [Fact]
    public void SmsTemplate_EscapesValuesAsJson()
    {
        var body = SmsChannel.Fill("""{"to":"{{mobile}}","text":"{{text}}"}""",
            new Dictionary<string, string> { ["mobile"] = "138", ["text"] = "引号\"和\n换行" });
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("text").GetString().ShouldBe("引号\"和\n换行");
    }
}
