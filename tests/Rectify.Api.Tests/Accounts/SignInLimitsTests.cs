using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Features.Auth;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Accounts;

/// <summary>
/// A small per-source limit, so the test reaches it quickly; and the client's address taken from a test header (the
/// in-process test server has no network peer), set before anything else runs.
/// </summary>
public sealed class SignInLimitsApp : RectifyApp
{
    public const int SourceLimit = 12;
    public const string PeerHeader = "X-Test-Peer";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerFromHeader>());
    }

    private sealed class PeerFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextStep) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[PeerHeader].ToString(), out var ip)) context.Connection.RemoteIpAddress = ip;
                return nextStep(context);
            });
            next(app);
        };
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:SignIn:SourceMaxFailures"] = SourceLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Issue 19, sign-in: five wrong passwords used to lock any account (the administrator's too) for everyone, and an
/// unknown name answered 25 times faster than a known one. Sources are set on the request as the server sees them.
/// </summary>
public sealed class SignInLimitsTests(SignInLimitsApp app) : IClassFixture<SignInLimitsApp>
{
    private readonly HttpClient client = app.CreateClient();

    private sealed record Answer(int Status, string Body, string? RetryAfter)
    {
        public void ShouldHave(int status) => Status.ShouldBe(status, Body);
    }

    private async Task<Answer> SignInFromAsync(string ip, string userName, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { userName, password }) };
        request.Headers.Add(SignInLimitsApp.PeerHeader, ip);
        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task FloodOfWrongPasswordsFromOneSource_DoesNotStopTheAdministratorFromAnother()
    {
        var answers = new List<int>();
        for (var n = 0; n < 30; n++) answers.Add((await SignInFromAsync("203.0.113.7", "admin", $"guess-{n}-xyz")).Status);
        answers.ShouldContain(StatusCodes.Status429TooManyRequests);
        answers.ShouldNotContain(StatusCodes.Status200OK);

        // The attacker's source waits, even with the right password …
        (await SignInFromAsync("203.0.113.7", "admin", RectifyApp.AdminPassword)).ShouldHave(StatusCodes.Status429TooManyRequests);
        // … the administrator at the office does not.
        (await SignInFromAsync("198.51.100.20", "admin", RectifyApp.AdminPassword)).ShouldHave(StatusCodes.Status200OK);
        (await SignInFromAsync("2001:db8:1:2::99", "admin", RectifyApp.AdminPassword)).ShouldHave(StatusCodes.Status200OK);
    }

    [Fact]
    public async Task RepeatedWrongPasswordsForOneName_BackOffThatSourceOnly_WithRetryAfterInChinese()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UserAsync("l-backoff", "admin", null, "Right-Passw0rd");
        for (var n = 0; n < 5; n++) (await SignInFromAsync("192.0.2.50", "l-backoff", $"guess{n}-xx")).ShouldHave(StatusCodes.Status401Unauthorized);
        var waiting = await SignInFromAsync("192.0.2.50", "l-backoff", "Right-Passw0rd");
        waiting.ShouldHave(StatusCodes.Status429TooManyRequests);
        waiting.Body.ShouldContain("登录失败次数过多");
        int.Parse(waiting.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 15);
        (await SignInFromAsync("192.0.2.51", "l-backoff", "Right-Passw0rd")).ShouldHave(StatusCodes.Status200OK);
    }

    [Fact]
    public async Task TooManyFailuresFromOneSource_AnyNames_Gives429WithRetryAfter()
    {
        // Different names each time: no per-name back-off, only the per-source limit.
        for (var n = 0; n < SignInLimitsApp.SourceLimit; n++)
            (await SignInFromAsync("192.0.2.77", $"nobody-{n}", "whatever-123")).ShouldHave(StatusCodes.Status401Unauthorized);
        var blocked = await SignInFromAsync("192.0.2.77", "admin", RectifyApp.AdminPassword);
        blocked.ShouldHave(StatusCodes.Status429TooManyRequests);
        blocked.Body.ShouldContain("请稍后再试");
        int.Parse(blocked.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(60);
        (await SignInFromAsync("192.0.2.78", "admin", RectifyApp.AdminPassword)).ShouldHave(StatusCodes.Status200OK);
    }

    [Fact]
    public async Task UnknownName_CostsTheSamePasswordWork_AsAKnownNameWithAWrongPassword()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UserAsync("l-known", "admin", null, "Right-Passw0rd");
        var passwords = app.Services.GetRequiredService<Passwords>();

        var before = passwords.Verifications;
        (await SignInFromAsync("192.0.2.90", "l-nobody-at-all", "Wrong-Passw0rd")).ShouldHave(StatusCodes.Status401Unauthorized);
        (passwords.Verifications - before).ShouldBe(1);
        before = passwords.Verifications;
        (await SignInFromAsync("192.0.2.90", "l-known", "Wrong-Passw0rd")).ShouldHave(StatusCodes.Status401Unauthorized);
        (passwords.Verifications - before).ShouldBe(1);
    }

    [Fact]
    public async Task UnknownName_TakesAboutAsLongAsAKnownOne()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UserAsync("l-timed", "admin", null, "Right-Passw0rd");
        // Every try from its own source, so no limit is reached; the medians of 7 tries each.
        async Task<double> MedianAsync(string userName, int octet)
        {
            var times = new List<double>();
            for (var n = 0; n < 7; n++)
            {
                var watch = Stopwatch.StartNew();
                (await SignInFromAsync($"10.{octet}.0.{n + 1}", userName, "Wrong-Passw0rd")).ShouldHave(StatusCodes.Status401Unauthorized);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            return times.Order().ElementAt(times.Count / 2);
        }
        await MedianAsync("l-warm-up", 9);
        var known = await MedianAsync("l-timed", 1);
        var unknown = await MedianAsync("l-not-a-user", 2);
        (known / unknown).ShouldBeInRange(1 / 3.0, 3.0, $"known {known:F1} ms, unknown {unknown:F1} ms");
    }
}
