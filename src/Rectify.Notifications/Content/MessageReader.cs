using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

/// <summary>
/// Reads an outbox row's payload as its typed message (<see cref="OutboxMessage"/>). Rows queued before issue 14 carry
/// the old dictionary shape; they are read here once, field by field, into the same records, so the templates know one
/// shape only. The old keys are listed in docs/adr/0002-outbox-contract.md ("Rows from before the typed contract").
/// </summary>
public static class MessageReader
{
    public static OutboxMessage Read(ClaimedRow row, DateOnly? itemDeadline = null) =>
        OutboxJson.TryDeserialize(row.Payload) ?? Legacy(row.Kind, row.Level, row.CampaignId, row.ItemId, row.DeliverableId, row.Payload, itemDeadline);

    /// <summary>
    /// The message an old-shape payload meant, with the row's columns (and the item's deadline now) for what the
    /// payload leaves out.
    /// </summary>
    public static OutboxMessage Legacy(string kind, string? level, Guid? campaignId, Guid? itemId, Guid? deliverableId, string? json, DateOnly? itemDeadline = null)
    {
        var p = LegacyPayload.Parse(json);
        campaignId ??= p.Guid("campaignId");
        itemId ??= p.Guid("itemId");
        deliverableId ??= p.Guid("deliverableId");
        var deadline = p.Date("deadline", "dueDate", "deliverable.dueDate") ?? (deliverableId is null ? itemDeadline : null);
        var dueAt = p.Instant("dueAt");
        MessageSubject subject = deliverableId is { } did && campaignId is { } dc
            ? new DeliverableRef(dc, did, p.String("deliverableKind") ?? "deliverable", p.String("deliverableName", "deliverable.name", "name") ?? "整改材料",
                p.String("deliverableNameEn", "deliverable.nameEn"), p.String("unit") ?? "", deadline ?? default)
            : itemId is { } iid && campaignId is { } ic
                ? new ItemRef(ic, iid)
                : campaignId is { } c ? new CampaignRef(c) : new PersonRef(Guid.Empty);
        var reportDate = p.Date("reportDate");
        if (reportDate is { } rd && subject is ItemRef item) subject = new PeriodicReportRef(item.CampaignId, item.ItemId, rd);

        OutboxMessage message = kind switch
        {
            MessageKinds.Assigned when p.Int("itemCount") is { } count && campaignId is { } bc => new AssignedBatchMessage(
                new CampaignRef(bc), p.String("unit") ?? "", count, p.Date("firstDeadline"), p.Strings("itemNumbers")),
            MessageKinds.Assigned => new AssignedMessage(subject, deadline, p.Bool("ongoing") ?? false,
                p.String("role") is "responsibleUnit" or "responsible" ? "responsible" : "lead"),
            MessageKinds.Reminder when p.String("reason") == "unacknowledged" => new UnacknowledgedMessage(subject, deadline),
            MessageKinds.Reminder when deadline is { } d => new ReminderMessage(subject, d, p.Int("daysBefore") ?? 0),
            MessageKinds.Reminder => new UnacknowledgedMessage(subject, null),
            MessageKinds.PeriodicReport => new PeriodicReportMessage(subject, reportDate ?? p.Date("dueDate", "reportDue") ?? deadline ?? default),
            MessageKinds.Escalation => new EscalationMessage(subject, level ?? p.String("level") ?? "urge", p.String("office") ?? "",
                reportDate ?? deadline, AtLaunch: p.String("office") is not null && dueAt is null),
            MessageKinds.Decision or MessageKinds.Urge => Decision(subject, level, p, deadline),
            MessageKinds.Phase => new PhaseMessage(subject, p.String("phaseKey", "phase.key", "phase") ?? "", p.String("phaseName") ?? "", null,
                p.Date("phaseStart", "phase.start"), p.Date("phaseEnd", "phase.end"), p.String("boundary") ?? "start"),
            MessageKinds.Digest => new DigestMessage(subject, p.Date("date") ?? default),
            _ => new NoticeMessage(subject, p.String("note", "text")),
        };
        return message with { DueAt = dueAt };
    }

    /// <summary>Old decisions said <c>decision: closureApproved</c> (hand-written) or <c>event: approveClosure</c> (the runtime).</summary>
    private static DecisionMessage Decision(MessageSubject subject, string? level, LegacyPayload p, DateOnly? deadline)
    {
        var type = (p.String("decision") ?? p.String("event") ?? level) switch
        {
            "closureApproved" => "approveClosure",
            "closureReturned" => "returnClosure",
            "extensionApproved" => "approveExtension",
            "extensionRejected" => "rejectExtension",
            var other => other ?? "",
        };
        return new DecisionMessage(subject, type, p.String("eventName") ?? "", null, p.String("fromState"), p.String("toState") ?? "",
            p.String("note"), p.Date("newDeadline"), p.Date("effectiveDeadline") ?? deadline, p.String("actor") ?? "");
    }
}
