using System.Security.Cryptography;
using System.Text;

namespace Rectify.Notifications.Channels;

/// <summary>The signatures the platforms check (and the one our generic webhook sends; see docs/notifications.md).</summary>
public static class RobotSigning
{
    /// <summary>DingTalk: base64(HmacSHA256(key = secret, message = "{timestampMs}\n{secret}")), then URL-encoded into &amp;sign=.</summary>
    public static string DingTalk(long timestampMs, string secret)
    {
        var data = Encoding.UTF8.GetBytes($"{timestampMs}\n{secret}");
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>DingTalk webhook URL with &amp;timestamp= and &amp;sign= appended.</summary>
    public static string DingTalkUrl(string webhook, long timestampMs, string secret) =>
        $"{webhook}{(webhook.Contains('?') ? '&' : '?')}timestamp={timestampMs}&sign={Uri.EscapeDataString(DingTalk(timestampMs, secret))}";

    /// <summary>Feishu: base64(HmacSHA256(key = "{timestampSeconds}\n{secret}", message = empty)), sent in the body.</summary>
    public static string Feishu(long timestampSeconds, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes($"{timestampSeconds}\n{secret}"), Array.Empty<byte>()));

    /// <summary>Generic webhook: "sha256=" + lowercase hex of HmacSHA256(key = secret, message = "{timestamp}.{body}").</summary>
    public static string Webhook(long timestampSeconds, string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestampSeconds}.{body}")));
}
