using System.Net;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

public sealed class SecurityBasicsTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task EveryResponse_CarriesSecurityHeaders()
    {
        var response = await app.CreateClient().GetAsync("/health/live");
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-inline");
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccountTemporarily_EvenForTheRightPassword()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UserAsync("victim", "admin", null, "Right-Passw0rd");
        var client = app.CreateClient();
        for (var n = 0; n < 5; n++)
            (await client.PostJsonAsync("/api/auth/token", new { userName = "victim", password = $"guess{n}xx" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var locked = await client.PostJsonAsync("/api/auth/token", new { userName = "victim", password = "Right-Passw0rd" });
        var problem = await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem.Str("title").ShouldContain("请稍后再试");
        locked.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task SuccessfulSignIn_ClearsEarlierFailures()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UserAsync("forgetful", "admin", null, "Right-Passw0rd");
        var client = app.CreateClient();
        for (var round = 0; round < 2; round++)
        {
            for (var n = 0; n < 4; n++) await client.PostJsonAsync("/api/auth/token", new { userName = "forgetful", password = "wrong-one" });
            (await client.PostJsonAsync("/api/auth/token", new { userName = "forgetful", password = "Right-Passw0rd" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task OversizedJsonBody_Returns413()
    {
        var admin = await app.AdminAsync();
        var huge = "{\"code\":\"x\",\"name\":\"" + new string('a', 2 * 1024 * 1024) + "\",\"kind\":\"other\"}";
        await (await admin.PostRawAsync("/api/units", huge)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task DeeplyNestedJson_Returns400()
    {
        var admin = await app.AdminAsync();
        var deep = new string('[', 5000) + new string(']', 5000);
        await (await admin.PostRawAsync("/api/units", deep)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvalidUtf8_Returns400()
    {
        var admin = await app.AdminAsync();
        var bytes = new byte[] { (byte)'{', (byte)'"', (byte)'c', (byte)'o', (byte)'d', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await admin.PostAsync("/api/units", content)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WrongContentType_Returns415Problem()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostRawAsync("/api/units", "code=x", "application/x-www-form-urlencoded")).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task SqlMetacharacters_AreJustText()
    {
        var admin = await app.AdminAsync();
        var name = "x'); drop table units; --";
        (await admin.PostJsonAsync("/api/units", new { code = "sqli", name, kind = "other" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await (await admin.GetAsync("/api/units/sqli")).JsonAsync()).Str("name").ShouldBe(name);
        (await admin.GetAsync("/api/units?q=%27%3B%20drop")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
