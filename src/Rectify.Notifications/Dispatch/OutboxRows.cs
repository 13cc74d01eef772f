namespace Rectify.Notifications.Dispatch;

/// <summary>An outbox row this node has claimed (holds the lease <see cref="ClaimToken"/>).</summary>
public sealed record ClaimedRow(
    long Id, string IdempotencyKey, string Kind, string? Level, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId,
    Guid? EscalationId, Guid? RecipientPersonId, string Channel, bool Urgent, string Status, int Attempts,
    DateTime CreatedAt, string Payload, Guid ClaimToken);

/// <summary>The person a row goes to, with every address and the preferences that shape delivery.</summary>
public sealed record Recipient(
    Guid Id, string Name, string? Title, string UnitCode, string? UnitName, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? DingtalkSecret, string? FeishuWebhook, string? FeishuSecret,
    string? WebhookUrl, string? WebhookSecret, bool Digest, string Language, string? QuietStart, string? QuietEnd);

public enum OutcomeKind
{
    /// <summary>Delivered to the channel.</summary>
    Sent,
    /// <summary>Attempt failed; retried after a back-off.</summary>
    Failed,
    /// <summary>Attempt failed and no more attempts are left (or the failure is permanent).</summary>
    Dead,
    /// <summary>Not attempted now (quiet hours, rate limit, channel off); comes back at NotBefore, no attempt counted.</summary>
    Deferred,
    /// <summary>Held for the recipient's daily digest.</summary>
    Held,
}

/// <summary>What became of one claimed row; written back in batches.</summary>
/// <param name="NotBefore">When the row may go again, in campaign time (quiet hours, a deferral).</param>
/// <param name="BackOff">A failed attempt's retry delay, held in real time (migration 0620), whatever the campaign clock does.</param>
public sealed record Outcome(
    long Id, Guid Token, OutcomeKind Kind, string CurrentStatus, DateTimeOffset At, DateTimeOffset NotBefore,
    string? Error, string? Subject, string? Body, int DurationMs, TimeSpan? BackOff = null)
{
    public bool Attempted => Kind is OutcomeKind.Sent or OutcomeKind.Failed or OutcomeKind.Dead;

    public string NewStatus => Kind switch
    {
        OutcomeKind.Sent => "sent",
        OutcomeKind.Failed => "failed",
        OutcomeKind.Dead => "dead",
        OutcomeKind.Held => "pending",
        _ => CurrentStatus,
    };
}
