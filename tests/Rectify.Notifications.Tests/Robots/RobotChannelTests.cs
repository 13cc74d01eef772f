using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Robots;

/// <summary>
/// Group robots and the generic webhook against real HTTP receivers that check signatures the way the platforms do:
/// DingTalk (timestamp and sign in the query), Feishu (in the body), ours (headers over timestamp.body).
/// </summary>
public sealed class RobotChannelTests(MailFixture f) : IClassFixture<MailFixture>, IAsyncLifetime
{
    private const string DingSecret = "SEC4f1a9d0c3b7e2a65d8f0c1b2a3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2";
    private const string FeishuSecret = "qRst7UvWxYz0AbCdEfGhIj";
    private const string HookSecret = "whsec_rectify_test_3f9a";
    private HttpReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    private static DateTimeOffset Now => NotifyHost.MondayMorning;

    /// <summary>DingTalk's check: sign == base64(HmacSHA256(secret, timestamp + "\n" + secret)) and the timestamp within an hour.</summary>
    private static bool DingTalkValid(ReceivedRequest r)
    {
        var query = HttpUtility.ParseQueryString(r.Query);
        if (!long.TryParse(query["timestamp"], CultureInfo.InvariantCulture, out var ts)) return false;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ts) > 3_600_000) return false;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(DingSecret));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{ts}\n{DingSecret}")));
        return query["sign"] == expected && query["access_token"] == "ding-token-1";
    }

    /// <summary>Feishu's check: sign == base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")).</summary>
    private static bool FeishuValid(ReceivedRequest r)
    {
        using var doc = JsonDocument.Parse(r.Body);
        var ts = doc.RootElement.GetProperty("timestamp").GetString()!;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(ts, CultureInfo.InvariantCulture)) > 3600) return false;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes($"{ts}\n{FeishuSecret}"));
        return doc.RootElement.GetProperty("sign").GetString() == Convert.ToBase64String(hmac.ComputeHash([]));
    }

    /// <summary>Our webhook: X-Rectify-Signature == "sha256=" + hex(HmacSHA256(secret, timestamp + "." + body)).</summary>
    private static bool WebhookValid(ReceivedRequest r)
    {
        var ts = r.Header("X-Rectify-Timestamp");
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(HookSecret));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{ts}.{r.Body}")));
        return r.Header("X-Rectify-Signature") == expected;
    }

    private HttpReceiver.Responder Platform => (r, _, _) => Task.FromResult(r.Path switch
    {
        "/robot/send" => DingTalkValid(r) ? (200, """{"errcode":0,"errmsg":"ok"}""") : (200, """{"errcode":310000,"errmsg":"sign not match"}"""),
        "/open-apis/bot/v2/hook/feishu-1" => FeishuValid(r) ? (200, """{"code":0,"msg":"success","data":{}}""") : (200, """{"code":19021,"msg":"sign match fail"}"""),
        "/cgi-bin/webhook/send" => (200, """{"errcode":0,"errmsg":"ok"}"""),
        "/hooks/rectify" => WebhookValid(r) ? (204, "") : (401, """{"error":"bad signature"}"""),
        "/sms/send" => (200, """{"ok":true}"""),
        _ => (404, "{}"),
    });

    [Fact]
    public async Task DingTalkAndFeishu_SignedAsPlatformsCheck_AreAccepted()
    {
        receiver.Respond = Platform;
        var w = await f.Seed.WorldAsync("sig");
        var person = await f.Seed.Org.PersonAsync(new PersonRow("赵强", w.LeadUnit, IsContact: false)
        {
            Dingtalk = $"{receiver.BaseUrl}/robot/send?access_token=ding-token-1",
            DingtalkSecret = DingSecret,
            Feishu = $"{receiver.BaseUrl}/open-apis/bot/v2/hook/feishu-1",
            FeishuSecret = FeishuSecret,
            Wecom = $"{receiver.BaseUrl}/cgi-bin/webhook/send?key=wecom-1",
        });
        await f.Seed.PreferencesAsync(person, ["dingtalk", "feishu", "wecom"]);
        var key = $"item:{w.ItemId}:escalation:urge:c1";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key, "escalation", "urge", w, person, Now, Seed.Typed("escalation", "urge", w, deadline: new DateOnly(2026, 11, 16))));

        var rows = await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 3);
        rows.ShouldAllBe(r => r.Attempts == 1);
        var requests = await receiver.WaitForAsync(3);

        var ding = JsonDocument.Parse(requests.Single(r => r.Path == "/robot/send").Body).RootElement;
        ding.GetProperty("msgtype").GetString().ShouldBe("markdown");
        ding.GetProperty("markdown").GetProperty("title").GetString().ShouldStartWith("【催办】第3项");
        ding.GetProperty("markdown").GetProperty("text").GetString()!.ShouldContain("> 牵头单位：县扶贫办");

        var feishu = JsonDocument.Parse(requests.Single(r => r.Path.Contains("feishu", StringComparison.Ordinal)).Body).RootElement;
        feishu.GetProperty("msg_type").GetString().ShouldBe("text");
        feishu.GetProperty("content").GetProperty("text").GetString()!.ShouldContain("已逾期7天");

        var wecom = JsonDocument.Parse(requests.Single(r => r.Path == "/cgi-bin/webhook/send").Body).RootElement;
        wecom.GetProperty("markdown").GetProperty("content").GetString()!.ShouldStartWith("### 【催办】");
    }

    [Fact]
    public async Task DingTalk_WrongSecret_PlatformRefusesAndRowIsRetriedNotSent()
    {
        receiver.Respond = Platform;
        var w = await f.Seed.WorldAsync("bad");
        var person = await f.Seed.Org.PersonAsync(new PersonRow("钱芳", w.LeadUnit, IsContact: false)
        {
            Dingtalk = $"{receiver.BaseUrl}/robot/send?access_token=ding-token-1",
            DingtalkSecret = "SECnot-the-right-one",
        });
        await f.Seed.PreferencesAsync(person, ["dingtalk"]);
        var key = $"item:{w.ItemId}:reminder:T-1:c1";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key, "reminder", null, w, person, Now));

        var rows = await f.Seed.WaitForAsync(key, r => r.Attempts >= 1 && r.Status == "failed", expected: 1);
        rows[0].LastError.ShouldNotBeNull();
        rows[0].LastError!.ShouldContain("310000");
        receiver.Requests.ShouldNotBeEmpty();
        receiver.Requests.ShouldAllBe(r => !DingTalkValid(r));
    }

    [Fact]
    public async Task GenericWebhook_SignedOverTimestampAndBody_ReceiverVerifies()
    {
        receiver.Respond = Platform;
        var w = await f.Seed.WorldAsync("hook");
        var person = await f.Seed.Org.PersonAsync(new PersonRow("孙磊", w.LeadUnit, IsContact: false)
        {
            WebhookUrl = $"{receiver.BaseUrl}/hooks/rectify",
            WebhookSecret = HookSecret,
        });
        await f.Seed.PreferencesAsync(person, ["webhook"]);
        var key = $"item:{w.ItemId}:assigned";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key, "assigned", null, w, person, Now));

        await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
        var request = (await receiver.WaitForAsync(1)).Single(r => r.Path == "/hooks/rectify");
        request.Header("X-Rectify-Idempotency-Key").ShouldBe($"{key}:{person}:webhook");
        var body = JsonDocument.Parse(request.Body).RootElement;
        body.GetProperty("kind").GetString().ShouldBe("assigned");
        body.GetProperty("subject").GetString()!.ShouldStartWith("【交办】");
        body.GetProperty("link").GetString().ShouldBe($"https://rectify.example.cn/items/{w.ItemId}");
        // The payload is the typed message (docs/adr/0002-outbox-contract.md): its type, its subject, its facts.
        body.GetProperty("payload").GetProperty("type").GetString().ShouldBe("assigned");
        body.GetProperty("payload").GetProperty("subject").GetProperty("itemId").GetString().ShouldBe(w.ItemId.ToString());
        body.GetProperty("payload").GetProperty("deadline").GetString().ShouldBe("2026-12-04");
        body.GetProperty("recipient").GetProperty("name").GetString().ShouldBe("孙磊");
    }
}
