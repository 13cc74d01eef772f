using System.Net;
using System.Net.Http.Json;
using Dapper;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Issue 19 at the API edge: robot and webhook URLs that point elsewhere than allowed are refused with 422, and the
/// secrets inside robot and webhook URLs are write-only (masked in every answer, kept when sent back masked).
/// </summary>
public sealed class OutboundApiTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private const string WecomKey = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

    private async Task<(HttpClient Admin, string Unit)> OrgAsync(string unit)
    {
        var admin = await app.AdminAsync();
        // Theory cases share the unit.
        if ((await admin.GetAsync($"/api/units/{unit}")).StatusCode == HttpStatusCode.NotFound) await new OrgBuilder(admin).UnitAsync(unit, "县测试局");
        return (admin, unit);
    }

    [Theory]
    [InlineData("wecomWebhook", "http://127.0.0.1:8080/cgi-bin/webhook/send?key=x")]
    [InlineData("wecomWebhook", "https://evil.example.com/cgi-bin/webhook/send?key=x")]
    [InlineData("dingtalkWebhook", "http://169.254.169.254/latest/meta-data/")]
    [InlineData("feishuWebhook", "https://open.feishu.cn.evil.example.com/open-apis/bot/v2/hook/x")]
    public async Task RobotUrl_ElsewhereThanTheVendor_Is422InChinese(string field, string url)
    {
        var (admin, unit) = await OrgAsync("o-robot");
        var body = new Dictionary<string, object?> { ["name"] = "钱进", ["unitCode"] = unit, [field] = url };
        var problem = await (await admin.PostJsonAsync("/api/people", body)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, field);
        problem.Str("detail").ShouldContain("官方地址");
    }

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.5.4/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("http://localhost:5080/api/users")]
    public async Task WebhookUrl_ToLoopbackOrPrivateRanges_Is422InChinese(string url)
    {
        var (admin, unit) = await OrgAsync("o-hook");
        var person = await new OrgBuilder(admin).PersonAsync("赵敏", unit);
        var problem = await (await admin.PutAsJsonAsync($"/api/people/{person}/channel-secrets", new { webhookUrl = url }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "webhookUrl");
        problem.Str("detail").ShouldContain("不能指向本机");
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<string?>("select webhook_url from people where id = @person", new { person })).ShouldBeNull();
    }

    [Fact]
    public async Task RobotSecrets_AreMaskedInEveryAnswer_AndKeptWhenSentBackMasked()
    {
        var (admin, unit) = await OrgAsync("o-mask");
        var wecom = $"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WecomKey}";
        var feishu = "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011";
        var dingtalk = "https://oapi.dingtalk.com/robot/send?access_token=5ac0ffee5ac0ffee5ac0ffee";
        var created = await (await admin.PostJsonAsync("/api/people", new { name = "孔明", unitCode = unit, wecomWebhook = wecom, feishuWebhook = feishu, dingtalkWebhook = dingtalk }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);
        var id = created.Str("id");
        created.Str("wecomWebhook").ShouldBe("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****");
        created.Str("feishuWebhook").ShouldBe("https://open.feishu.cn/open-apis/bot/v2/hook/****");
        created.Str("dingtalkWebhook").ShouldBe("https://oapi.dingtalk.com/robot/send?access_token=****");

        // Any signed-in user reads the directory: never the secret.
        await new OrgBuilder(admin).UserAsync("o-mask-unit", "unit", unit);
        var unitUser = await app.ClientAsAsync("o-mask-unit", "Passw0rd!x");
        foreach (var client in new[] { admin, unitUser })
        {
            var one = await (await client.GetAsync($"/api/people/{id}")).Content.ReadAsStringAsync();
            var list = await (await client.GetAsync($"/api/people?unit={unit}")).Content.ReadAsStringAsync();
            foreach (var text in new[] { one, list })
            {
                text.ShouldContain("key=****");
                text.ShouldNotContain(WecomKey);
                text.ShouldNotContain("5ac0ffee");
                text.ShouldNotContain("0f1e2d3c");
            }
        }

        // A PUT that sends back what it read keeps the stored secrets.
        var updated = await (await admin.PutAsJsonAsync($"/api/people/{id}", new
        {
            name = "孔明（改）", unitCode = unit, wecomWebhook = created.Str("wecomWebhook"), feishuWebhook = created.Str("feishuWebhook"),
            dingtalkWebhook = created.Str("dingtalkWebhook"),
        })).ShouldHaveStatusAsync(HttpStatusCode.OK);
        updated.Str("name").ShouldBe("孔明（改）");
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var stored = await c.QuerySingleAsync<(string Wecom, string Feishu, string Dingtalk)>(
            "select wecom_webhook, feishu_webhook, dingtalk_webhook from people where id = @id::uuid", new { id });
        stored.ShouldBe((wecom, feishu, dingtalk));

        // A masked value that is not the stored one's mask cannot be a real address.
        await (await admin.PutAsJsonAsync($"/api/people/{id}", new { name = "孔明", unitCode = unit, wecomWebhook = "https://qyapi.weixin.qq.com/other?key=****" }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "wecomWebhook");
        // Clearing still works.
        (await admin.PutAsJsonAsync($"/api/people/{id}", new { name = "孔明", unitCode = unit, wecomWebhook = (string?)null })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await c.ExecuteScalarAsync<string?>("select wecom_webhook from people where id = @id::uuid", new { id })).ShouldBeNull();
    }

    [Fact]
    public async Task WebhookUrlToken_IsMaskedInChannelSecrets_AndKeptWhenSentBack()
    {
        var (admin, unit) = await OrgAsync("o-secret");
        var person = await new OrgBuilder(admin).PersonAsync("周瑜", unit);
        var saved = await (await admin.PutAsJsonAsync($"/api/people/{person}/channel-secrets", new { webhookUrl = "https://hooks.example.com/rectify?token=s3cr3t-t0ken", webhookSecret = "hmac-secret" }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        saved.Str("webhookUrl").ShouldBe("https://hooks.example.com/rectify?token=****");
        saved.GetProperty("hasWebhookSecret").GetBoolean().ShouldBeTrue();
        (await (await admin.GetAsync($"/api/people/{person}/channel-secrets")).Content.ReadAsStringAsync()).ShouldNotContain("s3cr3t");
        (await admin.PutAsJsonAsync($"/api/people/{person}/channel-secrets", new { webhookUrl = saved.Str("webhookUrl") })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<string>("select webhook_url from people where id = @person", new { person })).ShouldBe("https://hooks.example.com/rectify?token=s3cr3t-t0ken");
    }
}
