using Npgsql;

namespace Rectify.Workflows.Notifications;

/// <summary>
/// One message to enqueue: the facts, not the text. The notifications module renders the text from the kind,
/// level and payload when it sends, so templates can change without touching queued rows.
/// </summary>
/// <param name="SubjectKey">What the message is about and which step, e.g. <c>item:{id}:reminder:T-7:c1</c>; recipient and channel are appended.</param>
/// <param name="Kind">assigned, reminder, escalation, phase, digest, periodicReport, decision, deliverable.</param>
/// <param name="Payload">JSON facts for the template (deadline, overdue days, note, …).</param>
public sealed record NotificationRequest(
    string SubjectKey, string Kind, string? Level, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId, Guid? EscalationId,
    Guid RecipientPersonId, DateTimeOffset NotBefore, bool Urgent, string Payload);

/// <summary>
/// The port through which the runtime enqueues notifications, inside the caller's transaction, so the state change
/// and its messages commit together. Channels come from the <c>notification_routes</c> view; the idempotency key is
/// <c>{SubjectKey}:{personId}:{channel}</c>; enqueueing the same key twice is a no-op.
/// </summary>
public interface INotificationOutbox
{
    Task<int> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NotificationRequest> requests, DateTimeOffset now, CancellationToken ct);
}
