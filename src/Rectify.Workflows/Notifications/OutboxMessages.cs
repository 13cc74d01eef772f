using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rectify.Workflows.Notifications;

/// <summary>
/// The typed contract between the runtime (which writes) and the templates (which read): one record per message kind,
/// serialised into the outbox row's <c>payload</c> with a <c>type</c> discriminator and a <c>subject</c>
/// (docs/adr/0002-outbox-contract.md). Issue 14: the seam used to be a dictionary read back by string keys, and the two
/// sides drifted (<c>event</c> vs <c>decision</c>, <c>reportDate</c> vs <c>dueDate</c>) while every test stayed green.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AssignedMessage), "assigned")]
[JsonDerivedType(typeof(AssignedBatchMessage), "assignedBatch")]
[JsonDerivedType(typeof(UnacknowledgedMessage), "unacknowledged")]
[JsonDerivedType(typeof(ReminderMessage), "reminder")]
[JsonDerivedType(typeof(MilestoneReminderMessage), "milestoneReminder")]
[JsonDerivedType(typeof(PeriodicReportMessage), "periodicReport")]
[JsonDerivedType(typeof(EscalationMessage), "escalation")]
[JsonDerivedType(typeof(DecisionMessage), "decision")]
[JsonDerivedType(typeof(PhaseMessage), "phase")]
[JsonDerivedType(typeof(DigestMessage), "digest")]
[JsonDerivedType(typeof(ChangedMessage), "changed")]
[JsonDerivedType(typeof(NoticeMessage), "notice")]
[JsonDerivedType(typeof(WeeklyReportMessage), "weeklyReport")]
public abstract record OutboxMessage(MessageSubject Subject)
{
    /// <summary>The outbox <c>kind</c> column (API.md: assigned, reminder, escalation, phase, digest, periodicReport, decision, urge, changed).</summary>
    [JsonIgnore] public abstract string Kind { get; }

    /// <summary>The outbox <c>level</c> column: the escalation level of an escalation message.</summary>
    [JsonIgnore] public virtual string? Level => null;

    /// <summary>The moment the message is about (a timer's own due time); null for messages caused by an event.</summary>
    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>An item (or one unit's share of it) was assigned to the recipient's unit (交办).</summary>
/// <param name="Role"><c>lead</c> or <c>responsible</c>: the recipient unit's part in the item.</param>
public sealed record AssignedMessage(MessageSubject Subject, DateOnly? Deadline, bool Ongoing, string Role) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Assigned;
}

/// <summary>A launch gave one unit more items than fit one message each: one message lists them (campaign subject).</summary>
public sealed record AssignedBatchMessage(MessageSubject Subject, string UnitCode, int ItemCount, DateOnly? FirstDeadline, IReadOnlyList<string> ItemNumbers)
    : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Assigned;
}

/// <summary>An assigned item has not been acknowledged (签收) in time.</summary>
public sealed record UnacknowledgedMessage(MessageSubject Subject, DateOnly? Deadline) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Reminder;
}

/// <summary>A deadline comes near: an item's (or assignment's) deadline, or a deliverable's due date.</summary>
public sealed record ReminderMessage(MessageSubject Subject, DateOnly Deadline, int DaysBefore) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Reminder;
}

/// <summary>
/// A dated step inside an item comes near (issue 15.4): "于5月20日前…排查出来" of an item due later. Sent to the item's
/// units still working on it (each its own share), as the item's deadline reminders are.
/// </summary>
/// <param name="Seq">The milestone's number within the item.</param>
/// <param name="Date">The step's date (by the end of that day).</param>
/// <param name="Text">The step as the measures say it.</param>
public sealed record MilestoneReminderMessage(MessageSubject Subject, int Seq, DateOnly Date, string Text) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Reminder;
}

/// <summary>An ongoing item's periodic progress report is due soon (subject: <see cref="PeriodicReportRef"/>).</summary>
public sealed record PeriodicReportMessage(MessageSubject Subject, DateOnly ReportDate) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.PeriodicReport;
}

/// <summary>
/// A step of the escalation ladder. What is late depends on the subject: an item's deadline, a periodic report
/// (<see cref="PeriodicReportRef"/>: the report of <see cref="Deadline"/> is missing), a deliverable (not submitted).
/// </summary>
/// <param name="EscalationLevel">urge, supervisionLetter, listedSupervision, admonitoryTalk.</param>
/// <param name="OfficeUnit">The office that escalates (督办单位).</param>
/// <param name="Deadline">The date that was missed (item deadline, report date, due date); at launch, the item's deadline.</param>
/// <param name="AtLaunch">True when the item is under supervision from assignment (交办即督办), not because something is late.</param>
/// <param name="Talk">For an admonitory talk (约谈) whose time and place the office has set: the appointment (issue 13 §5).</param>
public sealed record EscalationMessage(MessageSubject Subject, string EscalationLevel, string OfficeUnit, DateOnly? Deadline, bool AtLaunch = false,
    TalkAppointment? Talk = null)
    : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Escalation;
    public override string? Level => EscalationLevel;
}

/// <summary>The time, place and attendees of an admonitory talk (约谈) as the office set them; <see cref="Revision"/> counts reschedulings from 1.</summary>
public sealed record TalkAppointment(DateTimeOffset At, string Place, string Attendees, int Revision);

/// <summary>
/// An event on an item or deliverable that its audience hears of: a decision (销号通过, 延期批准 …) or a request
/// (申请销号, 申请延期) or a reopening. <see cref="Event"/> is the definition's event type; <see cref="EventName"/>
/// its name in the definition, for events the templates do not know by type.
/// </summary>
public sealed record DecisionMessage(
    MessageSubject Subject, string Event, string EventName, string? EventNameEn, string? FromState, string ToState,
    string? Note, DateOnly? NewDeadline, DateOnly? Deadline, string Actor) : OutboxMessage(Subject)
{
    public override string Kind => Event == "urge" ? MessageKinds.Urge : MessageKinds.Decision;
}

/// <summary>
/// An item was changed after launch (issue 13: 改派, edits by the issuing office), told to its units. With an
/// <see cref="AssignmentRef"/> subject and <see cref="Removed"/> the recipient's unit was taken off the item (its
/// assignment withdrawn); otherwise the item's units hear which fields changed.
/// </summary>
/// <param name="Fields">The changed fields by their API names: number, category, title, description, measures, target, responsibleLeader, leadUnit, units, source, milestones.</param>
/// <param name="Actor">Who changed it (user name); <paramref name="Note"/> why.</param>
public sealed record ChangedMessage(MessageSubject Subject, IReadOnlyList<string> Fields, bool Removed, string? Note, string Actor) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Changed;
}

/// <summary>A campaign phase starts (or ends).</summary>
/// <param name="Boundary"><c>start</c> or <c>end</c>.</param>
public sealed record PhaseMessage(MessageSubject Subject, string PhaseKey, string PhaseName, string? PhaseNameEn, DateOnly? Start, DateOnly? End, string Boundary)
    : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Phase;
}

/// <summary>A person's daily digest of <see cref="Date"/> (subject: <see cref="PersonRef"/>).</summary>
public sealed record DigestMessage(MessageSubject Subject, DateOnly Date) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.Digest;
}

/// <summary>
/// The weekly progress report (整改进展周报) of a campaign to its leading group (subject: <see cref="CampaignRef"/>), with the
/// figures as of <see cref="AsOf"/>, frozen when the report was made so every recipient reads the same numbers.
/// </summary>
public sealed record WeeklyReportMessage(
    MessageSubject Subject, DateOnly AsOf, int Total, int Closed, int InProgress, int Overdue, int Escalated, int DueWithinWeek,
    int ClosedThisWeek) : OutboxMessage(Subject)
{
    public override string Kind => MessageKinds.WeeklyReport;
}

/// <summary>A plain notice: what a row whose payload cannot be read becomes, so it still says what it is about.</summary>
public sealed record NoticeMessage(MessageSubject Subject, string? Note) : OutboxMessage(Subject)
{
    public override string Kind => "notice";
}

/// <summary>Values of the outbox <c>kind</c> column.</summary>
public static class MessageKinds
{
    public const string Assigned = "assigned";
    public const string Reminder = "reminder";
    public const string Escalation = "escalation";
    public const string Phase = "phase";
    public const string Digest = "digest";
    public const string PeriodicReport = "periodicReport";
    public const string Decision = "decision";
    public const string Urge = "urge";
    public const string Changed = "changed";
    public const string WeeklyReport = "weeklyReport";
}

/// <summary>How messages are written to and read from the outbox's jsonb.</summary>
public static class OutboxJson
{
    /// <summary>
    /// camelCase, Chinese kept as written, and the discriminator accepted anywhere in the object: jsonb stores keys in
    /// its own order, so <c>type</c> does not come back first.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        AllowOutOfOrderMetadataProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(OutboxMessage message) => JsonSerializer.Serialize(message, Options);

    /// <summary>The message in a payload written in this shape, or null (an older row, or not a message).</summary>
    public static OutboxMessage? TryDeserialize(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("type", out _)
                || !doc.RootElement.TryGetProperty("subject", out _)) return null;
            return doc.RootElement.Deserialize<OutboxMessage>(Options);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
