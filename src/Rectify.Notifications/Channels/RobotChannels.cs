using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Group robots (WeCom, DingTalk, Feishu): a JSON POST to the person's webhook, answered by a JSON status code.
/// Limited per webhook (Rectify:Notifications:RobotPerMinute, default 20) by delaying; a platform's own
/// "too fast" answer is a delay too, not a failed attempt.
/// </summary>
public abstract class RobotChannel(NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options) : INotificationChannel
{
    protected static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public abstract string Name { get; }

    protected abstract string? Webhook(Delivery d);

    protected abstract (string Url, string Body) Request(Delivery d, string webhook);

    /// <summary>Codes that mean "sent too fast": defer rather than fail.</summary>
    protected virtual bool IsThrottled(long code) => false;

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        var webhook = Webhook(d);
        if (string.IsNullOrWhiteSpace(webhook) || !Uri.TryCreate(webhook, UriKind.Absolute, out _))
            return SendResult.Permanent($"no {Name} webhook for this person / 未配置{Name}机器人地址");
        // Stored before the policy, or written straight into the table: judged again at every send.
        if (http.Policy.CheckRobot(Name, webhook) is { } refused) return SendResult.Permanent(refused);
        if (await limiter.AcquireAsync($"{Name}:{webhook}", options.Value.RobotPerMinute, now, ct) is { } later)
            return SendResult.Defer(later, $"{Name} rate limit ({options.Value.RobotPerMinute}/min per webhook)");
        var (url, body) = Request(d, webhook);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.Client.PostAsync(url, content, ct);
        }
        catch (HttpRequestException ex) when (NotificationHttp.Refusal(ex) is { } why)
        {
            return SendResult.Permanent(why);
        }
        using var answered = response;
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) return SendResult.Fail($"HTTP {(int)response.StatusCode}: {Clip(text)}");
        var code = ResultCode(text);
        if (code is null or 0) return SendResult.Ok;
        if (IsThrottled(code.Value)) return SendResult.Defer(now.AddMinutes(1), $"{Name} throttled: {Clip(text)}");
        return SendResult.Fail($"{Name} error {code}: {Clip(text)}");
    }

    /// <summary>errcode (WeCom, DingTalk) or code / StatusCode (Feishu); null when the answer is not JSON.</summary>
    private static long? ResultCode(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            foreach (var name in new[] { "errcode", "code", "StatusCode" })
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.TryGetInt64(out var n))
                    return n;
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected static string Clip(string s) => s.Length <= 300 ? s : s[..300];
}

/// <summary>WeCom (企业微信) group robot: markdown message.</summary>
public sealed class WeComChannel(NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options)
    : RobotChannel(http, limiter, options)
{
    public override string Name => "wecom";
    protected override string? Webhook(Delivery d) => d.Recipient?.WecomWebhook;
    protected override bool IsThrottled(long code) => code == 45009;

    protected override (string Url, string Body) Request(Delivery d, string webhook) =>
        (webhook, JsonSerializer.Serialize(new { msgtype = "markdown", markdown = new { content = d.Message.Markdown } }, Json));
}

/// <summary>DingTalk (钉钉) group robot: markdown message, signed with the robot's secret when one is set.</summary>
public sealed class DingTalkChannel(
    NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options, [FromKeyedServices("wall")] TimeProvider wall)
    : RobotChannel(http, limiter, options)
{
    public override string Name => "dingtalk";
    protected override string? Webhook(Delivery d) => d.Recipient?.DingtalkWebhook;
    protected override bool IsThrottled(long code) => code == 130101;

    protected override (string Url, string Body) Request(Delivery d, string webhook)
    {
        var body = JsonSerializer.Serialize(new { msgtype = "markdown", markdown = new { title = d.Message.Subject, text = d.Message.Markdown } }, Json);
        // The platform checks the timestamp against real time (±1 hour), so it is the wall clock, not the campaign clock.
        var url = d.Recipient?.DingtalkSecret is { Length: > 0 } secret
            ? RobotSigning.DingTalkUrl(webhook, wall.GetUtcNow().ToUnixTimeMilliseconds(), secret)
            : webhook;
        return (url, body);
    }
}

/// <summary>Feishu (飞书) group robot: text message, signed in the body when the robot has a secret.</summary>
public sealed class FeishuChannel(
    NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options, [FromKeyedServices("wall")] TimeProvider wall)
    : RobotChannel(http, limiter, options)
{
    public override string Name => "feishu";
    protected override string? Webhook(Delivery d) => d.Recipient?.FeishuWebhook;
    protected override bool IsThrottled(long code) => code == 11232;

    protected override (string Url, string Body) Request(Delivery d, string webhook)
    {
        var content = new { text = $"{d.Message.Subject}\n{d.Message.Text}" };
        if (d.Recipient?.FeishuSecret is { Length: > 0 } secret)
        {
            var ts = wall.GetUtcNow().ToUnixTimeSeconds();
            return (webhook, JsonSerializer.Serialize(new
            {
                timestamp = ts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sign = RobotSigning.Feishu(ts, secret),
                msg_type = "text",
                content,
            }, Json));
        }
        return (webhook, JsonSerializer.Serialize(new { msg_type = "text", content }, Json));
    }
}
