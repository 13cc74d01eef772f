using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Email;

/// <summary>The mail server is down, then comes back: every message is delivered once, after recovery.</summary>
public sealed class SmtpOutageTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private Npgsql.NpgsqlDataSource db = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        db = database.CreateDataSource();
    }

    public async Task DisposeAsync()
    {
        await db.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task SmtpDownThenUp_EveryMessageDeliveredOnceAfterRecovery()
    {
        var seed = new Seed(db);
        await using var smtp = await SmtpSink.CreateAsync(start: false);
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rectify:Notifications:MaxAttempts"] = "20",
        };
        await using var host = await NotifyHost.StartAsync(database.ConnectionString, settings, NotifyHost.MondayMorning);
        var w = await seed.WorldAsync();
        await seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var requests = Enumerable.Range(1, 6)
            .Select(n => Seed.Request($"item:{w.ItemId}:reminder:T-{n}:c1", "reminder", null, w, w.LeaderId, now))
            .ToArray();
        await seed.EnqueueAsync(now, requests);

        var failed = await seed.WaitForAsync("item:", r => r.Status == "failed" && r.Attempts >= 2, expected: 6);
        failed.ShouldAllBe(r => r.LastError != null && r.LastError.Length <= 1000);
        smtp.Messages().ShouldBeEmpty();

        await smtp.StartAsync();
        var sent = await seed.WaitForAsync("item:", r => r.Status == "sent", expected: 6);
        // Every row is sent (terminal) and recorded, so no further send can come for them.
        var mails = await smtp.WaitForAsync(6);
        mails.Count.ShouldBe(6);
        mails.Select(m => m.IdempotencyKey).Distinct().Count().ShouldBe(6);
        foreach (var row in sent)
        {
            var attempts = await seed.AttemptsAsync(row.Id);
            attempts.Count.ShouldBe(row.Attempts);
            attempts.Count(a => a.Outcome == "sent").ShouldBe(1);
            attempts.Last().Outcome.ShouldBe("sent");
            attempts.SkipLast(1).ShouldAllBe(a => a.Outcome == "failed" && a.Error != null);
        }
    }
}

/// <summary>SMTP AUTH: the right credentials deliver, wrong ones fail the attempt (and are retried).</summary>
public sealed class SmtpAuthTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    [Theory]
    [InlineData("duban", "S3cret!pw", true)]
    [InlineData("duban", "wrong-password", false)]
    public async Task SmtpServerRequiringAuth_DeliversOnlyWithRightCredentials(string user, string password, bool delivered)
    {
        await using var smtp = await SmtpSink.CreateAsync(credentials: "duban:S3cret!pw");
        await f.Seed.RetireOpenRowsAsync();
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rectify:Smtp:User"] = user,
            ["Rectify:Smtp:Password"] = password,
        }, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync(delivered ? "authok" : "authbad");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:assigned:{user}{delivered}";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "assigned", null, w, w.LeaderId, now));

        if (delivered)
        {
            await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
            (await smtp.WaitForAsync(1)).Single().Subject.ShouldStartWith("【交办】");
        }
        else
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "failed", expected: 1)).Single();
            // aiosmtpd answers a failed AUTH slowly; SmtpClient then fails or times out: either way a failed attempt.
            row.LastError.ShouldNotBeNull();
            row.Attempts.ShouldBeGreaterThanOrEqualTo(1);
            smtp.Messages().ShouldBeEmpty();
        }
    }
}

/// <summary>The mail server drops idle connections (restart, idle time-out): the next message still goes first time.</summary>
public sealed class SmtpIdleConnectionTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task ServerRestartedWhileIdle_NextMessageDeliveredOnFirstAttempt()
    {
        await using var smtp = await SmtpSink.CreateAsync();
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rectify:Smtp:Connections"] = "1",
            ["Rectify:Smtp:MaxIdle"] = "00:00:00.500",
        }, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync("idle");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Seed.Request("idle:1", "reminder", null, w, w.LeaderId, now));
        await f.Seed.WaitForAsync("idle:1", r => r.Status == "sent", expected: 1);

        // The server goes away and comes back: the pooled connection is dead. Then the pool's idle limit passes.
        await smtp.StopAsync();
        await smtp.StartAsync();
        var idleUntil = DateTime.UtcNow.AddSeconds(1);
        while (DateTime.UtcNow < idleUntil) await Task.Delay(100);

        now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Seed.Request("idle:2", "reminder", null, w, w.LeaderId, now));
        var row = (await f.Seed.WaitForAsync("idle:2", r => r.Status == "sent", expected: 1)).Single();
        row.Attempts.ShouldBe(1);
        (await smtp.WaitForAsync(2)).Count.ShouldBe(2);
    }
}
