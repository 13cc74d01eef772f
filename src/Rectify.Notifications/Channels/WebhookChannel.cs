using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Generic webhook: POSTs the message and its facts as JSON to the person's webhook_url (or Rectify:Webhook:Url),
/// signed with HMAC-SHA256 over "{timestamp}.{body}" (headers X-Rectify-Timestamp, X-Rectify-Signature). Receivers
/// de-duplicate on X-Rectify-Idempotency-Key: delivery is at least once. Any 2xx is success.
/// </summary>
public sealed class WebhookChannel(
    NotificationHttp http, ChannelRateLimiter limiter, IOptions<NotificationOptions> options, IOptions<WebhookOptions> webhook,
    [FromKeyedServices("wall")] TimeProvider wall) : INotificationChannel
{
    public const string TimestampHeader = "X-Rectify-Timestamp";
    public const string SignatureHeader = "X-Rectify-Signature";
    public const string IdempotencyHeader = "X-Rectify-Idempotency-Key";
    public const string DeliveryHeader = "X-Rectify-Delivery";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    public string Name => "webhook";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        var url = d.Recipient?.WebhookUrl ?? webhook.Value.Url;
        var secret = d.Recipient?.WebhookUrl is not null ? d.Recipient.WebhookSecret : webhook.Value.Secret;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out _))
            return SendResult.Permanent("no webhook URL (person webhook_url or Rectify__Webhook__Url) / 未配置 webhook 地址");
        // A person's URL is judged again at every send (the operator's Rectify:Webhook:Url is trusted as configured).
        if (d.Recipient?.WebhookUrl is not null && http.Policy.CheckWebhook(url) is { } refused) return SendResult.Permanent(refused);
        if (await limiter.AcquireAsync($"webhook:{url}", options.Value.WebhookPerMinute, now, ct) is { } later)
            return SendResult.Defer(later, $"webhook rate limit ({options.Value.WebhookPerMinute}/min)");

        var row = d.Row;
        var body = JsonSerializer.Serialize(new
        {
            id = row.Id,
            idempotencyKey = row.IdempotencyKey,
            kind = row.Kind,
            level = row.Level,
            campaignId = row.CampaignId,
            itemId = row.ItemId,
            escalationId = row.EscalationId,
            recipient = d.Recipient is { } r ? new { personId = r.Id, name = r.Name } : null,
            subject = d.Message.Subject,
            text = d.Message.Text,
            link = d.Message.Link,
            payload = JsonDocument.Parse(string.IsNullOrWhiteSpace(row.Payload) ? "{}" : row.Payload).RootElement,
        }, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var ts = wall.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add(TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(IdempotencyHeader, row.IdempotencyKey);
        request.Headers.Add(DeliveryHeader, row.Id.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(secret)) request.Headers.Add(SignatureHeader, RobotSigning.Webhook(ts, body, secret));
        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(request, ct);
        }
        catch (HttpRequestException ex) when (NotificationHttp.Refusal(ex) is { } why)
        {
            return SendResult.Permanent(why);
        }
        using var answered = response;
        if (response.IsSuccessStatusCode) return SendResult.Ok;
        var text = await response.Content.ReadAsStringAsync(ct);
        return SendResult.Fail($"HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
    }
}
