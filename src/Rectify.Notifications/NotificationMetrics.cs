using System.Diagnostics.Metrics;

namespace Rectify.Notifications;

/// <summary>
/// The notifications' meter "Rectify.Notifications": messages delivered per channel on this node
/// (Prometheus: rectify_notifications_sent_total{channel}). The outbox as a whole is measured by the host's gauges.
/// </summary>
public sealed class NotificationMetrics(IMeterFactory? meters = null)
{
    public const string MeterName = "Rectify.Notifications";

    private readonly Counter<long>? sent = meters?.Create(MeterName).CreateCounter<long>("rectify.notifications.sent", description: "messages delivered, by channel");

    public void Sent(string channel) => sent?.Add(1, new KeyValuePair<string, object?>("channel", channel));
}
