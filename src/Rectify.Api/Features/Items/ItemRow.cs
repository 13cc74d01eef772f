using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

public sealed record PersonRef(Guid Id, string Name);

public sealed record ItemDto(
    Guid Id, Guid CampaignId, string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    PersonRef? ResponsibleLeader, string LeadUnit, IReadOnlyList<string> Units, DateOnly? Deadline, DateOnly? EffectiveDeadline,
    bool Ongoing, string? ReportEvery, bool HardDeadline, string State, int OverdueDays, string EscalationLevel, string Light,
    int Version, IReadOnlyList<string> AllowedEvents, DateTimeOffset? AssignedAt, DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ClosedAt, DateTimeOffset CreatedAt, DateOnly? PendingExtension, int Cycle, IReadOnlyList<AssignmentDto> Assignments,
    string? Source, string? DeadlineText, IReadOnlyList<MilestoneDto> Milestones);

/// <summary>One unit's part of the item (API.md <c>assignments</c>).</summary>
public sealed record AssignmentDto(
    string Unit, string Role, string State, DateTimeOffset? AcknowledgedAt, DateTimeOffset? LastReportAt, DateTimeOffset? CompletedAt,
    string Light, int OverdueDays, string EscalationLevel, IReadOnlyList<string> LevelsReached, int MissedReports);

/// <summary>An item as read from the database, joined with its campaign's time zone and its leader's name.</summary>
public sealed record ItemRow(
    Guid Id, Guid CampaignId, int Seq, string? Number, string? Category, string Title, string? Description, string? Measures,
    string? Target, Guid? ResponsibleLeaderId, string? ResponsibleLeaderName, string LeadUnit, string[] Units,
    DateOnly? Deadline, DateOnly? EffectiveDeadline, bool Ongoing, string? ReportEvery, bool HardDeadline, string State,
    string EscalationLevel, int Version, DateTimeOffset? AssignedAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ClosedAt,
    DateTimeOffset CreatedAt,
    string TimeZone, string CampaignState, string IssuedByUnit, string? SupervisionUnit, string WorkflowId, int WorkflowVersion,
    DateTimeOffset? AckDueAt, DateOnly? PendingExtension, int Cycle, string? Source, string? DeadlineText)
{
    public const string Select = """
        select i.id, i.campaign_id as CampaignId, i.seq, i.number, i.category, i.title, i.description, i.measures, i.target,
               i.responsible_leader_id as ResponsibleLeaderId, p.name as ResponsibleLeaderName, i.lead_unit as LeadUnit, i.units,
               i.deadline, i.effective_deadline as EffectiveDeadline, i.ongoing, i.report_every as ReportEvery,
               i.hard_deadline as HardDeadline, i.state, i.escalation_level as EscalationLevel, i.version,
               i.assigned_at as AssignedAt, i.acknowledged_at as AcknowledgedAt, i.closed_at as ClosedAt, i.created_at as CreatedAt,
               c.time_zone as TimeZone, c.state as CampaignState, c.issued_by_unit as IssuedByUnit, c.supervision_unit as SupervisionUnit,
               c.workflow_id as WorkflowId, c.workflow_version as WorkflowVersion,
               i.ack_due_at as AckDueAt, i.pending_extension as PendingExtension, i.cycle,
               i.source, i.deadline_text as DeadlineText
        from items i
        join campaigns c on c.id = i.campaign_id
        left join people p on p.id = i.responsible_leader_id
        """;

    /// <summary>What the state machine needs to know about this item.</summary>
    public ItemFacts Facts => new(State, LeadUnit, Units, IssuedByUnit, SupervisionUnit, Ongoing, HardDeadline, EffectiveDeadline, PendingExtension);

    /// <summary>
    /// The item with its units' parts. A unit user that is not the lead unit sees its own part and the lead unit's
    /// (分解交办: the lead unit consolidates and sees every unit).
    /// </summary>
    public ItemDto ToDto(DateTimeOffset now, IReadOnlyList<string> allowedEvents, IReadOnlyList<Assignment> assignments, string? viewerUnit = null,
        IReadOnlyList<MilestoneDto>? milestones = null)
    {
        var today = ItemStatus.LocalToday(now, TimeZone);
        var assignedOn = AssignedAt is { } a ? ItemStatus.LocalToday(a, TimeZone) : (DateOnly?)null;
        // Still unacknowledged one working day after assignment (ack_due_at, computed at launch from the calendar) turns it yellow.
        var ackOverdue = State != ItemStates.Draft && AckDueAt is { } due && now >= due;
        var unacknowledged = ackOverdue && (State == ItemStates.Assigned || assignments.Any(x => x.IsUnacknowledged));
        var shown = viewerUnit is not null && viewerUnit != LeadUnit
            ? assignments.Where(x => x.UnitCode == viewerUnit || x.IsLead)
            : assignments;
        var parts = shown.Select(x => new AssignmentDto(
            x.UnitCode, x.IsLead ? "lead" : "responsible", x.State, x.AcknowledgedAt, x.LastReportAt, x.CompletedAt,
            ItemStatus.AssignmentLight(State, x.State, EffectiveDeadline, assignedOn, ackOverdue && x.IsUnacknowledged, today),
            ItemStatus.AssignmentOverdueDays(State, x.State, EffectiveDeadline, x.CompletedAt is { } c ? ItemStatus.LocalToday(c, TimeZone) : null, today),
            x.EscalationLevel, x.LevelsReached, x.MissedReports)).ToList();
        return new ItemDto(
            Id, CampaignId, Number, Category, Title, Description, Measures, Target,
            ResponsibleLeaderId is { } lid ? new PersonRef(lid, ResponsibleLeaderName ?? "") : null,
            LeadUnit, Units, Deadline, EffectiveDeadline, Ongoing, ReportEvery, HardDeadline, State,
            ItemStatus.OverdueDays(State, EffectiveDeadline, today), EscalationLevel,
            ItemStatus.Light(State, EffectiveDeadline, assignedOn, unacknowledged, today),
            Version, allowedEvents, AssignedAt, AcknowledgedAt, ClosedAt, CreatedAt, PendingExtension, Cycle, parts,
            Source, DeadlineText, milestones ?? []);
    }
}
