using System.Net;
using System.Net.Http.Headers;
using Npgsql;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class AuthTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task Token_WithRightPassword_ReturnsTokenThatOpensTheApi()
    {
        var client = app.CreateClient();
        var body = await (await client.PostJsonAsync("/api/auth/token", new { userName = "admin", password = RectifyApp.AdminPassword }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        body.GetProperty("expiresAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("accessToken"));
        (await client.GetAsync("/api/units")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("admin", "wrong-password")]
    [InlineData("nobody", "whatever1")]
    public async Task Token_WithBadCredentials_Returns401(string userName, string password)
    {
        var problem = await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { userName, password }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.Str("title").ShouldContain("用户名或密码错误");
    }

    [Fact]
    public async Task Token_WithMissingFields_Returns400NamingThem()
    {
        var problem = await (await app.CreateClient().PostJsonAsync("/api/auth/token", new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "userName");
        problem.GetProperty("errors").TryGetProperty("password", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task RevokedToken_IsRefused()
    {
        var client = await app.AdminAsync();
        (await client.PostAsync("/api/auth/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await client.GetAsync("/api/units")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        var client = await app.AdminAsync();
        await using (var db = app.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("update auth_tokens set expires_at = now() - interval '1 minute'"))
            await cmd.ExecuteNonQueryAsync();
        await (await client.GetAsync("/api/units")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GarbageToken_IsRefused()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        await (await client.GetAsync("/api/campaigns")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Me_ShowsRoleAndUnit()
    {
        var admin = await app.AdminAsync();
        var me = await (await admin.GetAsync("/api/auth/me")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        me.Str("role").ShouldBe("admin");
        me.Str("userName").ShouldBe("admin");
    }

    [Fact]
    public async Task Passwords_AreStoredHashed()
    {
        await using var db = app.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("select password_hash from users where user_name = 'admin'");
        var hash = (string)(await cmd.ExecuteScalarAsync())!;
        hash.ShouldNotContain(RectifyApp.AdminPassword);
        hash.Length.ShouldBeGreaterThan(40);
    }
}
