using System.Globalization;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>
/// How each SMTP answer ends a send, against a real server (aiosmtpd answering as told): a 5xx refusal of the
/// recipient or the message is dead at once with the server's words; a 4xx is retried; a slow reply is waited for
/// (never cut short and resent: one row, one copy); a reply that never comes from a server still connected is dead as
/// "unconfirmed", not resent; a server that drops the connection after taking the message (a crash) gets it again,
/// under the same Message-ID.
/// </summary>
public sealed class SmtpDeliveryOutcomeTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    private async Task<(string Key, NotifyHost Host)> SendOneAsync(SmtpSink smtp, string suffix, string? email = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        await f.Seed.RetireOpenRowsAsync();
        var host = await NotifyHost.StartAsync(f.ConnectionString, settings, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync(suffix, leaderEmail: email);
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:assigned:{suffix}";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "assigned", null, w, w.LeaderId, now));
        return (key, host);
    }

    [Fact]
    public async Task RecipientRefused550_DeadAtOnceWithServersWords()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null,
            "--reject", "nobody=550 5.1.1 <nobody@fpb.example.cn>: Recipient address rejected: User unknown in local recipient table");
        var (key, host) = await SendOneAsync(smtp, "rcpt550", "nobody@fpb.example.cn");
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            row.LastError.ShouldNotBeNull();
            row.LastError!.ShouldContain("550");
            row.LastError!.ShouldContain("User unknown in local recipient table");
            smtp.Messages().ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task MessageRefused554_DeadAtOnceWithServersWords()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null, "--reject-data", "msg554=554 5.7.1 Message rejected as spam");
        var (key, host) = await SendOneAsync(smtp, "msg554");
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            row.LastError!.ShouldContain("554");
            row.LastError!.ShouldContain("Message rejected as spam");
        }
    }

    [Fact]
    public async Task RecipientRefused450_FailedAndRetried()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null, "--reject", "busy=450 4.2.1 Mailbox busy, try again later");
        var (key, host) = await SendOneAsync(smtp, "rcpt450", "busy@fpb.example.cn");
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "failed" && r.Attempts >= 2, expected: 1)).Single();
            row.LastError!.ShouldContain("450");
            row.LastError!.ShouldContain("Mailbox busy");
            smtp.Messages().ShouldBeEmpty();
        }
    }

    /// <summary>
    /// The duplicate seen on a loaded machine: the server took longer to say 250 than the send timeout (3 s here).
    /// The send used to be abandoned at the timeout while the message still went through, the row was marked failed,
    /// and the retry delivered a second copy. Now the reply is waited for: one copy, one attempt, sent.
    /// </summary>
    [Fact]
    public async Task ReplySlowerThanSendTimeout_WaitedFor_OneCopyOneAttempt()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null, "--reply-delay", "5");
        var shortTimeout = new Dictionary<string, string?> { ["Rectify:Notifications:SendTimeout"] = "00:00:03" };
        var (key, host) = await SendOneAsync(smtp, "slowreply", extra: shortTimeout);
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            (await f.Seed.AttemptsAsync(row.Id)).ShouldHaveSingleItem().Outcome.ShouldBe("sent");
            smtp.Messages().Count.ShouldBe(1);
        }
    }

    [Fact]
    public async Task ReplyNeverComes_DeadAsUnconfirmed_NotResent()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null, "--hang-after-data");
        var (key, host) = await SendOneAsync(smtp, "noreply", extra: new Dictionary<string, string?> { ["Rectify:Smtp:IoTimeout"] = "00:00:05" });
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            row.LastError!.ShouldContain("unconfirmed");
            row.LastError!.ShouldContain("投递结果未知");
            smtp.Messages().Count.ShouldBe(1);
        }
    }

    [Fact]
    public async Task ConnectionDroppedAfterData_RetriedUnderSameMessageId()
    {
        await using var smtp = await SmtpSink.CreateAsync(true, null, null, "--drop-after-data", "1");
        var (key, host) = await SendOneAsync(smtp, "dropped");
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
            row.Attempts.ShouldBe(2);
            var attempts = await f.Seed.AttemptsAsync(row.Id);
            attempts.Select(a => a.Outcome).ShouldBe(["failed", "sent"]);
            attempts[0].Error!.ShouldContain("连接中断");
            var copies = await smtp.WaitForAsync(2);
            copies.Count.ShouldBe(2);
            copies.Select(m => m.MessageId).Distinct().ShouldHaveSingleItem();
            copies.ShouldAllBe(m => m.IdempotencyKey.StartsWith(key, StringComparison.Ordinal));
        }
    }
}
