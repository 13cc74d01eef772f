using System.Globalization;
using System.Security.Cryptography;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>
/// STARTTLS and SMTP AUTH against a real server (aiosmtpd with a TLS context that requires STARTTLS before MAIL and
/// AUTH): the channel upgrades, authenticates inside TLS, trusts only what it is told to trust, and never sends in
/// clear when TLS is required.
/// </summary>
public sealed class SmtpTlsTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    private static Dictionary<string, string?> Settings(SmtpSink smtp, IDictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Rectify:Smtp:EnableSsl"] = "true",
        };
        foreach (var (k, v) in extra) settings[k] = v;
        return settings;
    }

    private async Task<(string Key, NotifyHost Host)> SendOneAsync(SmtpSink smtp, string suffix, IDictionary<string, string?> extra)
    {
        await f.Seed.RetireOpenRowsAsync();
        var host = await NotifyHost.StartAsync(f.ConnectionString, Settings(smtp, extra), NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync(suffix);
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:assigned:{suffix}";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "assigned", null, w, w.LeaderId, now));
        return (key, host);
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("sha1")]
    public async Task StartTls_PinnedSelfSignedCertificateAndAuth_DeliveredEncryptedAndAuthenticated(string pinKind)
    {
        var server = certificates.Server("pinned-" + pinKind);
        await using var smtp = await SmtpSink.CreateAsync(credentials: "duban:S3cret!pw", tls: (server.CertFile, server.KeyFile));
        // Written the way an operator copies it: upper case with colons for SHA-256, plain hex for SHA-1.
        var pin = pinKind == "sha256"
            ? string.Join(':', server.Certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)))
            : server.Certificate.Thumbprint.ToLowerInvariant();
        var (key, host) = await SendOneAsync(smtp, "tlspin" + pinKind, new Dictionary<string, string?>
        {
            ["Rectify:Smtp:User"] = "duban",
            ["Rectify:Smtp:Password"] = "S3cret!pw",
            ["Rectify:Smtp:TrustedCertificateThumbprint"] = pin,
        });
        await using (host)
        {
            await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
            var mail = (await smtp.WaitForAsync(1)).Single();
            mail.Tls.ShouldBeTrue();
            mail.AuthUser.ShouldBe("duban");
            mail.AuthMechanism.ShouldBe("PLAIN"); // the strongest of what aiosmtpd offers (PLAIN, LOGIN)
            mail.Subject.ShouldStartWith("【交办】");
        }
    }

    [Fact]
    public async Task StartTls_ServerCertificateSignedByConfiguredPrivateCa_Delivered()
    {
        var ca = certificates.Authority("office");
        var server = certificates.Server("by-ca", ca.Certificate);
        await using var smtp = await SmtpSink.CreateAsync(tls: (server.CertFile, server.KeyFile));
        var (key, host) = await SendOneAsync(smtp, "tlsca", new Dictionary<string, string?>
        {
            ["Rectify:Smtp:CaCertificateFile"] = ca.CertFile,
        });
        await using (host)
        {
            await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
            (await smtp.WaitForAsync(1)).Single().Tls.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task ImplicitTls_SslOnConnectWithPinAndAuth_DeliveredEncryptedAndAuthenticated()
    {
        var server = certificates.Server("implicit");
        await using var smtp = await SmtpSink.CreateAsync(true, "duban:S3cret!pw", (server.CertFile, server.KeyFile), "--implicit-tls");
        var (key, host) = await SendOneAsync(smtp, "tlsimplicit", new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Security"] = "SslOnConnect",
            ["Rectify:Smtp:User"] = "duban",
            ["Rectify:Smtp:Password"] = "S3cret!pw",
            ["Rectify:Smtp:TrustedCertificateThumbprint"] = server.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
        });
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            var mail = (await smtp.WaitForAsync(1)).Single();
            mail.Tls.ShouldBeTrue();
            mail.AuthUser.ShouldBe("duban");
            mail.Subject.ShouldStartWith("【交办】");
        }
    }

    [Fact]
    public async Task StartTlsRequired_AgainstImplicitTlsServer_FailsAndNothingSent()
    {
        var server = certificates.Server("implicit-mismatch");
        await using var smtp = await SmtpSink.CreateAsync(true, null, (server.CertFile, server.KeyFile), "--implicit-tls");
        var (key, host) = await SendOneAsync(smtp, "tlsmismatch", new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Security"] = "StartTls",
            ["Rectify:Smtp:TrustedCertificateThumbprint"] = server.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
        });
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "failed", expected: 1)).Single();
            row.LastError.ShouldNotBeNull();
            smtp.Messages().ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task Auto_ServerOffersStartTls_UpgradesBeforeSending()
    {
        var server = certificates.Server("auto");
        await using var smtp = await SmtpSink.CreateAsync(tls: (server.CertFile, server.KeyFile));
        var (key, host) = await SendOneAsync(smtp, "tlsauto", new Dictionary<string, string?>
        {
            ["Rectify:Smtp:EnableSsl"] = null,
            ["Rectify:Smtp:Security"] = "Auto",
            ["Rectify:Smtp:TrustedCertificateThumbprint"] = server.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
        });
        await using (host)
        {
            await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);
            (await smtp.WaitForAsync(1)).Single().Tls.ShouldBeTrue();
        }
    }

    public static TheoryData<string> UntrustedCases => ["no trust configured", "another certificate pinned", "CA-signed for another name"];

    [Theory]
    [MemberData(nameof(UntrustedCases))]
    public async Task StartTls_CertificateNotTrusted_NothingSentAndAttemptFailed(string situation)
    {
        var extra = new Dictionary<string, string?>();
        (System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate, string CertFile, string KeyFile) server;
        switch (situation)
        {
            case "another certificate pinned":
                server = certificates.Server("untrusted-pin");
                extra["Rectify:Smtp:TrustedCertificateThumbprint"] = certificates.Server("other").Certificate.GetCertHashString(HashAlgorithmName.SHA256);
                break;
            case "CA-signed for another name":
                var ca = certificates.Authority("other-name");
                server = certificates.Server("wrong-name", ca.Certificate, host: "mail.example.cn");
                extra["Rectify:Smtp:CaCertificateFile"] = ca.CertFile;
                break;
            default:
                server = certificates.Server("untrusted");
                break;
        }
        await using var smtp = await SmtpSink.CreateAsync(tls: (server.CertFile, server.KeyFile));
        var suffix = "tlsbad" + situation.Length.ToString(CultureInfo.InvariantCulture);
        var (key, host) = await SendOneAsync(smtp, suffix, extra);
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "failed", expected: 1)).Single();
            row.Attempts.ShouldBe(1);
            row.LastError.ShouldNotBeNull();
            row.LastError.ShouldContain("certificate", Case.Insensitive);
            smtp.Messages().ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task TlsRequired_ServerWithoutStartTls_RefusesToSendInClear()
    {
        await using var smtp = await SmtpSink.CreateAsync(credentials: "duban:S3cret!pw");
        var (key, host) = await SendOneAsync(smtp, "notls", new Dictionary<string, string?>
        {
            ["Rectify:Smtp:User"] = "duban",
            ["Rectify:Smtp:Password"] = "S3cret!pw",
        });
        await using (host)
        {
            var row = (await f.Seed.WaitForAsync(key, r => r.Status == "failed", expected: 1)).Single();
            row.LastError.ShouldNotBeNull();
            row.LastError.ShouldContain("STARTTLS", Case.Insensitive);
            smtp.Messages().ShouldBeEmpty();
        }
    }
}
