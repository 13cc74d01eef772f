using Rectify.Notifications.Content;
using Rectify.Notifications.Dispatch;

namespace Rectify.Notifications.Channels;

/// <summary>One message on its way out through one channel.</summary>
public sealed record Delivery(ClaimedRow Row, Recipient? Recipient, RenderedMessage Message, MessageFacts Facts);

public enum SendStatus { Sent, Failed, Permanent, Deferred }

/// <summary>How a send went. Deferred means "not now, no attempt counted" (rate limit, channel switched off).</summary>
public readonly record struct SendResult(SendStatus Status, string? Error = null, DateTimeOffset? RetryAt = null)
{
    public static SendResult Ok => new(SendStatus.Sent);
    public static SendResult Fail(string error) => new(SendStatus.Failed, error);
    /// <summary>Retrying cannot help (no address for this channel): dead at once.</summary>
    public static SendResult Permanent(string error) => new(SendStatus.Permanent, error);
    public static SendResult Defer(DateTimeOffset until, string reason) => new(SendStatus.Deferred, reason, until);
}

/// <summary>A way out: e-mail, a group robot, a webhook, SMS, the in-app inbox. Keyed by the outbox channel name.</summary>
public interface INotificationChannel
{
    string Name { get; }

    /// <summary>Delivers once. Throwing counts as a failed attempt; the dispatcher applies the send timeout.</summary>
    Task<SendResult> SendAsync(Delivery delivery, DateTimeOffset now, CancellationToken ct);
}
