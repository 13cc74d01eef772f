using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// SMS through an HTTP gateway (Rectify:Sms:Url) with a configurable JSON body (Rectify:Sms:BodyTemplate, placeholders
/// {{mobile}} {{text}} {{subject}} {{link}} {{id}} inserted JSON-escaped). The text is the short form: subject and link.
/// No URL: the channel is off and its rows wait (like e-mail without SMTP).
/// </summary>
public sealed class SmsChannel(NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options, IOptions<SmsOptions> sms) : INotificationChannel
{
    public string Name => "sms";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        var o = sms.Value;
        if (string.IsNullOrWhiteSpace(o.Url))
            return SendResult.Defer(now + options.Value.ChannelOffRecheck, "SMS channel off: Rectify__Sms__Url not set / 短信通道未配置");
        if (string.IsNullOrWhiteSpace(d.Recipient?.Mobile)) return SendResult.Permanent("no mobile number / 未登记手机号");
        if (await limiter.AcquireAsync("sms", options.Value.SmsPerMinute, now, ct) is { } later)
            return SendResult.Defer(later, $"SMS rate limit ({options.Value.SmsPerMinute}/min)");
        var body = Fill(o.BodyTemplate, new Dictionary<string, string>
        {
            ["mobile"] = d.Recipient.Mobile,
            ["text"] = d.Message.Short,
            ["subject"] = d.Message.Subject,
            ["link"] = d.Message.Link,
            ["id"] = d.Row.Id.ToString(CultureInfo.InvariantCulture),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (!string.IsNullOrEmpty(o.Authorization)) request.Headers.TryAddWithoutValidation("Authorization", o.Authorization);
        using var response = await http.Client.SendAsync(request, ct);
        if (response.IsSuccessStatusCode) return SendResult.Ok;
        var text = await response.Content.ReadAsStringAsync(ct);
        return SendResult.Fail($"HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
    }

    /// <summary>Replaces {{name}} with the value JSON-escaped (without quotes), so the template stays valid JSON.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = template;
        foreach (var (name, value) in values)
        {
            var escaped = JsonSerializer.Serialize(value)[1..^1];
            result = result.Replace("{{" + name + "}}", escaped, StringComparison.Ordinal);
        }
        return result;
    }
}
