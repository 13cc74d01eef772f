namespace Rectify.Notifications;

/// <summary>Rectify:Notifications — the dispatcher, retries, quiet hours and digests.</summary>
public sealed class NotificationOptions
{
    /// <summary>Run the dispatcher and the digest scheduler on this node.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Rows claimed at most per round trip.</summary>
    public int BatchSize { get; set; } = 200;
    /// <summary>Messages in flight at once on this node (each channel may limit itself further).</summary>
    public int MaxParallel { get; set; } = 64;
    /// <summary>
    /// How long a claim holds a row; a node that dies gives its rows back when this runs out. A node claims only rows it
    /// can send at once, each within <see cref="SendTimeout"/>, so this needs to be a comfortable multiple of that, no more.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>One send, end to end, including connecting.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Attempts before a row is dead. 8 with the defaults below spans about 18 hours.</summary>
    public int MaxAttempts { get; set; } = 8;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);
    public double RetryFactor { get; set; } = 3;
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(12);
    /// <summary>Longest idle wait between looks at the table when no NOTIFY arrives (1 s on a controllable clock).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>When a channel is off (no SMTP host, no SMS gateway), its rows are looked at again after this.</summary>
    public TimeSpan ChannelOffRecheck { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Time zone of quiet hours and digests when a message has no campaign.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";
    public TimeOnly QuietStart { get; set; } = new(20, 0);
    public TimeOnly QuietEnd { get; set; } = new(8, 0);
    public TimeOnly DigestAt { get; set; } = new(8, 30);
    /// <summary>
    /// Hosts and networks robot and webhook messages may reach beyond the defaults (vendor hosts for robots, public
    /// addresses for webhooks): comma-separated names, <c>*.suffix</c> wildcards, addresses or CIDR networks. See <see cref="Channels.OutboundPolicy"/>.
    /// </summary>
    public string? AllowedHosts { get; set; }
    /// <summary>Messages per minute per group-robot webhook (WeCom, DingTalk, Feishu); 0 = unlimited.</summary>
    public int RobotPerMinute { get; set; } = 20;
    /// <summary>Messages per minute per generic webhook URL; 0 = unlimited.</summary>
    public int WebhookPerMinute { get; set; }
    /// <summary>SMS messages per minute through the gateway; 0 = unlimited.</summary>
    public int SmsPerMinute { get; set; }
}

/// <summary>Rectify:Smtp — outgoing mail. No host: the e-mail channel is off (rows wait, see docs/notifications.md).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "rectify@localhost";
    public string FromName { get; set; } = "整改督办系统";
    /// <summary>Kept for configurations written before Security existed: true means Security = StartTls. Ignored when
    /// Security is set.</summary>
    public bool EnableSsl { get; set; }
    /// <summary>How the connection is secured: StartTls (required: a server that does not offer it gets nothing in
    /// clear, the attempt fails and is retried), SslOnConnect (implicit TLS, port 465), None (clear text), Auto
    /// (implicit TLS on 465, otherwise STARTTLS when the server offers it). Unset: StartTls if EnableSsl, else Auto.</summary>
    public SmtpSecurity? Security { get; set; }
    /// <summary>Check the server certificate's revocation (CRL/OCSP) during the handshake. Off by default: on the closed
    /// government networks this product runs in the CA's lists are often unreachable, and a failed lookup would stop
    /// all mail.</summary>
    public bool CheckRevocation { get; set; }
    /// <summary>How long one read or write on the SMTP connection may take (MailKit's Timeout), including the server's
    /// reply after the message's final "." — the one wait the send timeout never cuts short (see SmtpPool).</summary>
    public TimeSpan IoTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public SmtpSecurity EffectiveSecurity => Security ?? (EnableSsl ? SmtpSecurity.StartTls : SmtpSecurity.Auto);

    /// <summary>Trust this server certificate (SHA-256 or SHA-1 thumbprint, hex) even if no system root vouches
    /// for it, e.g. a self-signed relay. Checked on every handshake with Host; nothing else is relaxed.</summary>
    public string? TrustedCertificateThumbprint { get; set; }
    /// <summary>PEM file of a private CA that signs the server's certificate (the host name must still match).</summary>
    public string? CaCertificateFile { get; set; }
    /// <summary>Connections used in parallel (asynchronous: no thread is held while a connection waits).</summary>
    public int Connections { get; set; } = 16;
    /// <summary>A pooled connection idle longer than this is replaced before use: below the usual server idle
    /// time-outs (Postfix smtpd_timeout 300 s, many relays 60 s), so a connection the server closed is never used.</summary>
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromSeconds(30);
}

public enum SmtpSecurity { StartTls, SslOnConnect, None, Auto }

/// <summary>Rectify:Webhook — the default generic webhook (a person's own webhook_url overrides it).</summary>
public sealed class WebhookOptions
{
    public string? Url { get; set; }
    public string? Secret { get; set; }
}

/// <summary>Rectify:Sms — an HTTP SMS gateway.</summary>
public sealed class SmsOptions
{
    public string? Url { get; set; }
    /// <summary>JSON with placeholders {{mobile}}, {{text}}, {{subject}}, {{link}}, {{id}} (inserted JSON-escaped).</summary>
    public string BodyTemplate { get; set; } = """{"mobile":"{{mobile}}","content":"{{text}}"}""";
    /// <summary>Sent as the Authorization header when set, e.g. "Bearer abc".</summary>
    public string? Authorization { get; set; }
}

/// <summary>Rectify:Letters — supervision letters (督办函).</summary>
public sealed class LetterOptions
{
    /// <summary>Working days after the letter date by which a written response is due (unless the payload says).</summary>
    public int ResponseWorkingDays { get; set; } = 5;
    /// <summary>Letter number prefix per office unit code (default: the office's name), e.g. Prefixes:dcs = 龙督办函.</summary>
    public Dictionary<string, string> Prefixes { get; set; } = new(StringComparer.Ordinal);
}
