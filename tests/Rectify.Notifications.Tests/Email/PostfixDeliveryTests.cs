using System.Globalization;
using System.Security.Cryptography;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>
/// One message end to end through a real Postfix (Debian's, a throwaway instance on loopback, local delivery only):
/// the channel upgrades with STARTTLS, Postfix accepts and delivers it to the recipient's mailbox file, and the
/// message read back from that mailbox has the subject, body and headers the recipient's client will show.
/// </summary>
public sealed class PostfixDeliveryTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    [Fact]
    public async Task OneMessage_DeliveredByPostfixToLocalMailbox_SubjectBodyAndIdsIntact()
    {
        var tls = certificates.Server("postfix");
        await using var postfix = await PostfixServer.StartAsync(["wangjianguo"], (tls.CertFile, tls.KeyFile));
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = postfix.Port.ToString(CultureInfo.InvariantCulture),
            ["Rectify:Smtp:Security"] = "StartTls",
            ["Rectify:Smtp:TrustedCertificateThumbprint"] = tls.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
        }, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync("postfix", leaderEmail: $"wangjianguo@{PostfixServer.Domain}");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:reminder:T-7:postfix";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "reminder", null, w, w.LeaderId, now));

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
        row.Attempts.ShouldBe(1);
        var mail = (await postfix.WaitForMailboxAsync("wangjianguo")).ShouldHaveSingleItem();
        mail.Subject.ShouldBe("【提醒】第3项“部分贫困户“两不愁三保障”底数不清”将于12月4日到期");
        mail.TextBody.ShouldNotBeNull();
        mail.TextBody.ShouldContain("王建国：");
        mail.TextBody.ShouldContain("整改时限：2026年12月4日（剩余9个工作日）");
        mail.HtmlBody!.ShouldContain($"https://rectify.example.cn/items/{w.ItemId}");
        mail.MessageId.ShouldBe($"outbox-{row.Id.ToString(CultureInfo.InvariantCulture)}@rectify.example.cn");
        mail.Headers["X-Rectify-Idempotency-Key"].ShouldStartWith(key + ":");
        mail.Headers["Delivered-To"].ShouldBe($"wangjianguo@{PostfixServer.Domain}");
        // Postfix notes the TLS session in its Received header (smtpd_tls_received_header).
        mail.Headers.Where(h => h.Id == MimeKit.HeaderId.Received).ShouldContain(h => h.Value.Contains("TLS", StringComparison.Ordinal));
    }
}
