namespace Rectify.Workflows.Domain;

/// <summary>The closed vocabularies of API.md. Values are the wire names.</summary>
public static class UnitKinds
{
    public const string LeadingGroup = "leadingGroup";
    public const string Department = "department";
    public const string Township = "township";
    public const string Village = "village";
    public const string SupervisionOffice = "supervisionOffice";
    public const string Other = "other";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
        { LeadingGroup, Department, Township, Village, SupervisionOffice, Other };
}

public static class Roles
{
    public const string Admin = "admin";
    public const string LeadingGroup = "leadingGroup";
    public const string Unit = "unit";
    public const string Supervisor = "supervisor";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
        { Admin, LeadingGroup, Unit, Supervisor };
}

public static class CampaignStates
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Closed = "closed";
}

public static class ItemStates
{
    public const string Draft = "draft";
    public const string Assigned = "assigned";
    public const string InProgress = "inProgress";
    public const string ClosureRequested = "closureRequested";
    public const string Closed = "closed";
    /// <summary>撤销 (issue 13): taken off the campaign by the issuing office with a reason; counts apart from open and closed.</summary>
    public const string Withdrawn = "withdrawn";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
        { Draft, Assigned, InProgress, ClosureRequested, Closed, Withdrawn };

    /// <summary>No longer worked on: closed (销号) or withdrawn (撤销).</summary>
    public static bool IsFinished(string state) => state is Closed or Withdrawn;
}

public static class PhaseKeys
{
    public static readonly IReadOnlyList<string> Standard = ["plan", "rectify", "supervise", "report"];
}

/// <summary>A phase window of a campaign: local dates, both inclusive.</summary>
public sealed record Phase(string Key, DateOnly Start, DateOnly End);
