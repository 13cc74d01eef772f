using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

/// <summary>An item with what the runtime needs to fire its timers and apply its events (campaign facts joined).</summary>
public sealed record ItemSubject(
    Guid Id, Guid CampaignId, string? Number, string Title, string State, string LeadUnit, string[] Units,
    Guid? ResponsibleLeaderId, DateOnly? Deadline, DateOnly? EffectiveDeadline, bool Ongoing, string? ReportEvery,
    bool HardDeadline, string EscalationLevel, int Cycle, int Version, DateTimeOffset? LastProgressAt, DateTimeOffset? AssignedAt,
    DateTimeOffset? AcknowledgedAt, DateOnly? PendingExtension, string? PendingExtensionNote,
    string CampaignTitle, string TimeZone, string IssuedByUnit, string? SupervisionUnit, string WorkflowId, int WorkflowVersion,
    string CampaignState = "active")
{
    public const string Select = """
        select i.id, i.campaign_id as CampaignId, i.number, i.title, i.state, i.lead_unit as LeadUnit, i.units,
               i.responsible_leader_id as ResponsibleLeaderId, i.deadline, i.effective_deadline as EffectiveDeadline, i.ongoing,
               i.report_every as ReportEvery, i.hard_deadline as HardDeadline, i.escalation_level as EscalationLevel, i.cycle, i.version,
               i.last_progress_at as LastProgressAt, i.assigned_at as AssignedAt, i.acknowledged_at as AcknowledgedAt,
               i.pending_extension as PendingExtension, i.pending_extension_note as PendingExtensionNote,
               c.title as CampaignTitle, c.time_zone as TimeZone, c.issued_by_unit as IssuedByUnit, c.supervision_unit as SupervisionUnit,
               c.workflow_id as WorkflowId, c.workflow_version as WorkflowVersion, c.state as CampaignState
        from items i join campaigns c on c.id = i.campaign_id
        """;

    /// <summary>
    /// The locks of a change to one item: the item row, and its campaign's row in share mode, so closing the campaign
    /// (which takes that row FOR UPDATE, issue 13.6) waits for changes in flight and a change after it sees the campaign closed.
    /// </summary>
    public const string LockForChange = "for update of i for share of c";

    public ItemFacts Facts => new(State, LeadUnit, Units, IssuedByUnit, SupervisionUnit, Ongoing, HardDeadline, EffectiveDeadline, PendingExtension);

    public TimeZoneInfo Zone => Calendar.LocalTime.Zone(TimeZone);

    public string SubjectKey(string step, int cycle) => $"item:{Id}:{step}:c{cycle}";
}

/// <summary>
/// A milestone of an item as its reminder needs it (issue 15.4): date, text, whether a unit marked it done, and its
/// revision (migration 0930), which its reminder's timer carries as its cycle.
/// </summary>
public sealed record MilestoneFact(DateOnly Date, string Text, bool Done, int Revision = 1);

/// <summary>A deliverable (unit plan, unit report…) with its campaign's facts.</summary>
public sealed record DeliverableSubject(
    Guid Id, Guid CampaignId, string Kind, string UnitCode, DateOnly DueDate, string State, int Cycle, string EscalationLevel,
    int Version, string CampaignTitle, string TimeZone, string IssuedByUnit, string? SupervisionUnit, string WorkflowId, int WorkflowVersion)
{
    public const string Select = """
        select d.id, d.campaign_id as CampaignId, d.kind, d.unit_code as UnitCode, d.due_date as DueDate, d.state, d.cycle,
               d.escalation_level as EscalationLevel, d.version, c.title as CampaignTitle, c.time_zone as TimeZone,
               c.issued_by_unit as IssuedByUnit, c.supervision_unit as SupervisionUnit, c.workflow_id as WorkflowId, c.workflow_version as WorkflowVersion
        from deliverables d join campaigns c on c.id = d.campaign_id
        """;

    public TimeZoneInfo Zone => Calendar.LocalTime.Zone(TimeZone);

    public bool IsOpen => State is "pending" or "returned";

    /// <summary>The deliverable as a message subject, named as its definition version names it.</summary>
    public DeliverableRef Ref(WorkflowDefinition d)
    {
        var definition = d.DeliverableList.FirstOrDefault(x => x.Key == Kind);
        return new DeliverableRef(CampaignId, Id, Kind, definition?.Name ?? Kind, definition?.NameEn, UnitCode, DueDate);
    }

    public string SubjectKey(string step, int cycle) => $"deliverable:{Id}:{step}:c{cycle}";
}

/// <summary>A campaign, for its phase timers.</summary>
public sealed record CampaignSubject(
    Guid Id, string Title, string State, string TimeZone, string IssuedByUnit, string? SupervisionUnit, string WorkflowId, int WorkflowVersion, string Phases)
{
    public const string Select = """
        select c.id, c.title, c.state, c.time_zone as TimeZone, c.issued_by_unit as IssuedByUnit, c.supervision_unit as SupervisionUnit,
               c.workflow_id as WorkflowId, c.workflow_version as WorkflowVersion, c.phases::text as Phases
        from campaigns c
        """;

    public IReadOnlyList<Domain.Phase> PhaseList() =>
        System.Text.Json.JsonSerializer.Deserialize<List<Domain.Phase>>(Phases, WorkflowDefinition.Json) ?? [];
}

/// <summary>Who receives a message, per the definition's audiences.</summary>
public static class Audiences
{
    public const string LeadUnit = "leadUnit";

    /// <summary>The head (主要负责人) of the lead unit (of a deliverable: of its unit): the one summoned at the top of the ladder (issue 14).</summary>
    public const string LeadUnitHead = "leadUnitHead";
    public const string ResponsibleUnits = "responsibleUnits";
    public const string ResponsibleLeader = "responsibleLeader";
    public const string LeadingGroup = "leadingGroup";
    public const string SupervisionOffice = "supervisionOffice";

    /// <summary>The unit codes whose contacts an audience list names for an item.</summary>
    public static IEnumerable<string> Units(IEnumerable<string> audiences, string leadUnit, IEnumerable<string> units, string issuedBy, string? supervision)
    {
        foreach (var audience in audiences)
        {
            switch (audience)
            {
                case LeadUnit: yield return leadUnit; break;
                case ResponsibleUnits: foreach (var u in units) yield return u; break;
                case LeadingGroup: yield return issuedBy; break;
                case SupervisionOffice when supervision is not null: yield return supervision; break;
            }
        }
    }
}
