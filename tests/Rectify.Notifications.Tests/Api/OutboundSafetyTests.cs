using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Channels;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Api;

/// <summary>
/// Issue 19, "SSRF with the answer shown": where robot and webhook messages may go, checked when connecting too, and
/// who may read what the remote end answered. Also the letter about a unit's own deliverable.
/// </summary>
public sealed class OutboundSafetyTests(NotifyApp app) : IClassFixture<NotifyApp>
{
    private static DateTimeOffset Now => NotifyHost.MondayMorning;

    private static OutboundPolicy Policy(string? allowed) =>
        new(Options.Create(new NotificationOptions { AllowedHosts = allowed }), Options.Create(new WebhookOptions()), Options.Create(new SmsOptions()));

    [Fact]
    public async Task NameOnTheAllowList_ButResolvingToLoopback_IsRefusedWhenConnecting()
    {
        // "localhost" is allowed as a name, so the URL passes; it resolves to 127.0.0.1, which no entry allows: a
        // host name whose DNS answer is (or turns into) a private address gets nowhere.
        var port = new Uri(app.Receiver.BaseUrl).Port;
        var url = $"http://localhost:{port}/hooks/rebind";
        var policy = Policy("localhost");
        policy.CheckWebhook(url).ShouldBeNull();
        policy.CheckRobot("wecom", url).ShouldBeNull();
        var before = app.Receiver.Requests.Count(r => r.Path == "/hooks/rebind");

        using var http = new NotificationHttp(policy);
        var refused = await Should.ThrowAsync<HttpRequestException>(() => http.Client.PostAsync(url, new StringContent("{}")));
        NotificationHttp.Refusal(refused).ShouldNotBeNull().ShouldContain("不允许的地址");
        app.Receiver.Requests.Count(r => r.Path == "/hooks/rebind").ShouldBe(before);

        // The same receiver, its address allowed: reached.
        using var allowed = new NotificationHttp(Policy("127.0.0.1"));
        (await allowed.Client.PostAsync($"http://127.0.0.1:{port}/hooks/rebind", new StringContent("{}"))).IsSuccessStatusCode.ShouldBeTrue();
        app.Receiver.Requests.Count(r => r.Path == "/hooks/rebind").ShouldBe(before + 1);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/x")]
    [InlineData("http://10.0.0.8/x")]
    [InlineData("http://192.168.1.1/x")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]/x")]
    [InlineData("http://[fe80::1]/x")]
    [InlineData("http://224.0.0.1/x")]
    [InlineData("http://localhost/x")]
    [InlineData("http://metadata.google.internal/x")]
    public void PrivateDestinations_AreRefusedByDefault(string url)
    {
        var policy = Policy(null);
        policy.CheckWebhook(url).ShouldNotBeNull().ShouldContain("不能指向本机");
        policy.CheckRobot("wecom", url).ShouldNotBeNull();
    }

    [Fact]
    public void RobotUrls_GoOnlyToTheVendorsHosts_OverHttps()
    {
        var policy = Policy(null);
        policy.CheckRobot("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc").ShouldBeNull();
        policy.CheckRobot("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc").ShouldBeNull();
        policy.CheckRobot("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc").ShouldBeNull();
        policy.CheckRobot("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/abc").ShouldBeNull();
        policy.CheckRobot("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc").ShouldNotBeNull().ShouldContain("https");
        policy.CheckRobot("wecom", "https://oapi.dingtalk.com/robot/send?access_token=abc").ShouldNotBeNull().ShouldContain("官方地址");
        policy.CheckRobot("wecom", "https://evil.example.com/cgi-bin/webhook/send").ShouldNotBeNull();
        policy.CheckWebhook("https://hooks.example.com/rectify").ShouldBeNull();
        // An operator's gateway, allowed by name or wildcard.
        Policy("robots.gw.example.cn, *.corp.example.cn").CheckRobot("wecom", "https://a.corp.example.cn/send").ShouldBeNull();
    }

    [Fact]
    public async Task RobotUrlOutsideTheAllowList_StoredStraightInTheTable_DiesWithoutAConnection()
    {
        var w = await app.Seed.WorldAsync("robot-ssrf");
        var port = new Uri(app.Receiver.BaseUrl).Port;
        // 127.0.0.2 is loopback but not the allowed 127.0.0.1.
        var person = await app.Seed.Org.PersonAsync(new PersonRow("周强", w.LeadUnit, IsContact: false)
        {
            Wecom = $"http://127.0.0.2:{port}/robot/ssrf",
        });
        await app.Seed.PreferencesAsync(person, ["wecom"]);
        var key = $"item:{w.ItemId}:escalation:urge:ssrf";
        await app.Seed.EnqueueAsync(Now, Seed.Request(key, "escalation", "urge", w, person, Now));
        var dead = (await app.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
        dead.Attempts.ShouldBe(1);
        dead.LastError!.ShouldContain("官方地址");
        app.Receiver.Requests.ShouldNotContain(r => r.Path == "/robot/ssrf");
    }

    [Fact]
    public async Task RemoteReply_InLastError_IsShownToAdministratorsOnly()
    {
        var w = await app.Seed.WorldAsync("reply");
        app.Receiver.Respond = (r, _, _) => Task.FromResult(r.Path == "/hooks/reply" ? (500, "SECRET-INTERNAL-REPLY root:x:0:0") : (200, "{}"));
        var person = await app.Seed.Org.PersonAsync(new PersonRow("孙伟", w.LeadUnit, IsContact: false)
        {
            WebhookUrl = $"{app.Receiver.BaseUrl}/hooks/reply",
        });
        await app.Seed.PreferencesAsync(person, ["webhook"]);
        var key = $"item:{w.ItemId}:escalation:urge:reply";
        await app.Seed.EnqueueAsync(Now, Seed.Request(key, "escalation", "urge", w, person, Now));
        var dead = (await app.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
        dead.LastError!.ShouldContain("SECRET-INTERNAL-REPLY");

        async Task<JsonElement> RowAs(HttpClient client) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/notifications?itemId={w.ItemId}")).GetProperty("items").EnumerateArray()
                .Single(n => n.GetProperty("id").GetInt64() == dead.Id);

        (await RowAs(await app.AdminAsync())).GetProperty("lastError").GetString()!.ShouldContain("SECRET-INTERNAL-REPLY");
        var unit = await app.UserAsync("fpb-reply", "unit", w.LeadUnit, null);
        var seenByUnit = await RowAs(unit);
        seenByUnit.GetProperty("status").GetString().ShouldBe("dead");
        seenByUnit.GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
        var office = await app.UserAsync("lgo-reply", "leadingGroup", $"lgoreply", null);
        (await RowAs(office)).GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
        var recipient = await app.UserAsync("sun-reply", "unit", w.LeadUnit, person);
        var own = (await RowAs(recipient)).GetProperty("lastError").GetString()!;
        own.ShouldContain("发送失败");
        own.ShouldNotContain("SECRET");
    }

    [Fact]
    public async Task Unit_DownloadsTheLetterAboutItsOwnDeliverable_OthersDoNot()
    {
        var w = await app.Seed.WorldAsync("dlv");
        var deliverable = Guid.CreateVersion7();
        var escalation = Guid.CreateVersion7();
        await using (var db = app.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                insert into deliverables(id, campaign_id, kind, unit_code, due_date, created_at, updated_at) values (@deliverable, @campaign, 'plan', @unit, '2026-11-13', now(), now());
                insert into escalations(id, campaign_id, deliverable_id, level, office_unit, opened_at) values (@escalation, @campaign, @deliverable, 'supervisionLetter', @office, @at);
                """, new { deliverable, escalation, campaign = w.CampaignId, unit = w.LeadUnit, office = w.Office, at = Now.ToUniversalTime() });
        }
        var unit = await app.UserAsync("fpb-dlv", "unit", w.LeadUnit, null);
        var letter = await unit.GetAsync($"/api/escalations/{escalation}/letter.docx");
        letter.StatusCode.ShouldBe(HttpStatusCode.OK, await letter.Content.ReadAsStringAsync());
        var text = Email.SupervisionLetterEmailTests.LetterText(await letter.Content.ReadAsByteArrayAsync(), out var errors);
        errors.ShouldBeEmpty();
        text.ShouldContain("县扶贫办：");

        await app.Seed.Org.UnitAsync("other-dlv", "县交通局", "department");
        var other = await app.UserAsync("jt-dlv", "unit", "other-dlv", null);
        (await other.GetAsync($"/api/escalations/{escalation}/letter.docx")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
