using Npgsql;

namespace Rectify.Workflows.Notifications;

/// <summary>
/// One message to enqueue: the facts, not the text. The notifications module renders the text from the typed
/// <see cref="Message"/> when it sends, so templates can change without touching queued rows.
/// </summary>
/// <param name="SubjectKey">What the message is about and which step, e.g. <c>item:{id}:reminder:T-7:c1</c>; recipient and channel are appended.</param>
/// <param name="Message">The facts, one record per kind (<see cref="OutboxMessage"/>); kind, level and ids of the row come from it.</param>
/// <param name="EscalationId">The escalation record the message belongs to (a supervision letter's number hangs on it).</param>
public sealed record NotificationRequest(
    string SubjectKey, OutboxMessage Message, Guid RecipientPersonId, DateTimeOffset NotBefore, bool Urgent, Guid? EscalationId = null)
{
    public string Kind => Message.Kind;
    public string? Level => Message.Level;
    public Guid? CampaignId => Message.Subject.Campaign();
    public Guid? ItemId => Message.Subject.Item();
    public Guid? DeliverableId => Message.Subject.Deliverable();
}

/// <summary>
/// The port through which the runtime enqueues notifications, inside the caller's transaction, so the state change
/// and its messages commit together. Channels come from the <c>notification_routes</c> view; the idempotency key is
/// <c>{SubjectKey}:{personId}:{channel}</c>; enqueueing the same key twice is a no-op.
/// </summary>
public interface INotificationOutbox
{
    Task<int> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NotificationRequest> requests, DateTimeOffset now, CancellationToken ct);
}
