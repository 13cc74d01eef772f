using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Workflows.Runtime;

/// <summary>The roles a caller plays towards one item; the definition says which roles may send which event.</summary>
public static class ActorRoles
{
    public const string LeadUnit = "leadUnit";
    public const string ResponsibleUnit = "responsibleUnit";
    public const string LeadingGroup = "leadingGroup";
    public const string SupervisionOffice = "supervisionOffice";
    public const string Admin = "admin";
    public static readonly IReadOnlyList<string> All = [LeadUnit, ResponsibleUnit, LeadingGroup, SupervisionOffice, Admin];

    /// <summary>
    /// A unit user is the lead unit and/or a responsible unit of the items naming its unit; a leading-group user is the
    /// leading group of the campaigns its office issued; a supervisor is the supervision office of the campaigns that
    /// name its office (or, when a campaign names none, of none).
    /// </summary>
    public static IReadOnlySet<string> Of(Actor actor, ItemFacts item)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        switch (actor.Role)
        {
            case Roles.Admin:
                roles.Add(Admin);
                break;
            case Roles.Unit when actor.UnitCode is { } unit:
                if (item.LeadUnit == unit) roles.Add(LeadUnit);
                if (item.Units.Contains(unit)) roles.Add(ResponsibleUnit);
                break;
            case Roles.LeadingGroup when actor.UnitCode == item.IssuedByUnit:
                roles.Add(LeadingGroup);
                break;
            case Roles.Supervisor when actor.UnitCode is not null && actor.UnitCode == item.SupervisionUnit:
                roles.Add(SupervisionOffice);
                break;
        }
        return roles;
    }
}

/// <summary>Who is acting: the user name (for the journal), the account role and unit.</summary>
public sealed record Actor(string Name, string Role, string? UnitCode)
{
    public static Actor System { get; } = new("system", "system", null);
}

/// <summary>What the guards and role checks need to know about an item.</summary>
public sealed record ItemFacts(
    string State, string LeadUnit, IReadOnlyList<string> Units, string IssuedByUnit, string? SupervisionUnit,
    bool Ongoing, bool HardDeadline, DateOnly? EffectiveDeadline, DateOnly? PendingExtension);

/// <summary>What the caller sent with the event.</summary>
public sealed record EventInput(string? Note, DateOnly? NewDeadline, int AttachmentCount);

public abstract record Decision;

public sealed record Allowed(EventDefinition Event, string FromState, string ToState) : Decision;

/// <summary>Refused: <paramref name="Field"/> names the input at fault when there is one.</summary>
public sealed record Refused(string Message, string? Field = null) : Decision;

/// <summary>
/// The item state machine of a definition: which event, from which state, by which role, under which guards.
/// Pure: no database, no clock (today's date is passed in). Every refusal names the state and the event.
/// </summary>
public static class StateMachine
{
    private static readonly string[] StateGuards = ["notOngoing", "notHardDeadline", "extensionPending", "noExtensionPending"];

    public static Decision Decide(WorkflowDefinition definition, ItemFacts item, IReadOnlySet<string> roles, string type, EventInput input, DateOnly today)
    {
        var e = definition.Event(type);
        var stateName = StateName(definition, item.State);
        if (e is null)
            return new Refused($"流程“{definition.Name}”没有“{type}”事件 / the workflow has no event {type}", "type");
        var label = $"“{e.Name}”({e.Type})";
        if (!e.From.Contains(item.State))
            return new Refused($"当前状态“{stateName}”({item.State}) 不允许{label} / {e.Type} is not allowed in state {item.State}", "type");
        if (!e.Roles.Any(roles.Contains))
        {
            var who = string.Join("、", e.Roles.Select(RoleName));
            return new Refused($"当前状态“{stateName}”({item.State}) 下，只有{who}可以{label} / only {string.Join(", ", e.Roles)} may send {e.Type} in state {item.State}", "type");
        }
        foreach (var guard in e.GuardList)
        {
            var refusal = Check(guard, item, input, today, $"当前状态“{stateName}”({item.State}) 下{label}：");
            if (refusal is not null) return refusal;
        }
        return new Allowed(e, item.State, e.To ?? item.State);
    }

    /// <summary>The events this caller could send now (input guards such as a note are left to the request).</summary>
    public static IReadOnlyList<string> AllowedEvents(WorkflowDefinition definition, ItemFacts item, IReadOnlySet<string> roles) =>
        definition.Item.Events
            .Where(e => e.From.Contains(item.State) && e.Roles.Any(roles.Contains))
            .Where(e => e.GuardList.Where(StateGuards.Contains).All(g => Check(g, item, new EventInput("x", null, 1), DateOnly.MinValue, "") is null))
            .Select(e => e.Type)
            .ToList();

    private static Refused? Check(string guard, ItemFacts item, EventInput input, DateOnly today, string prefix) => guard switch
    {
        "noteRequired" when string.IsNullOrWhiteSpace(input.Note) =>
            new Refused(prefix + "请填写说明 / a note is required", "note"),
        "evidenceRequired" when input.AttachmentCount < 1 =>
            new Refused(prefix + "请至少上传一份佐证材料 / at least one evidence attachment is required", "attachmentIds"),
        "notOngoing" when item.Ongoing =>
            new Refused(prefix + "长期坚持的问题没有截止日期，不能延期 / an ongoing item has no deadline to extend", "type"),
        "notHardDeadline" when item.HardDeadline =>
            new Refused(prefix + "该问题为刚性时限，不允许延期 / a hard deadline cannot be extended", "type"),
        "extensionPending" when item.PendingExtension is null =>
            new Refused(prefix + "没有待审批的延期申请 / there is no pending extension request", "type"),
        "noExtensionPending" when item.PendingExtension is not null =>
            new Refused(prefix + $"已有待审批的延期申请（至 {item.PendingExtension:yyyy-MM-dd}）/ an extension request is already pending", "type"),
        "laterDeadline" when input.NewDeadline is null =>
            new Refused(prefix + "请填写申请延期至的日期 / newDeadline is required", "newDeadline"),
        "laterDeadline" when item.EffectiveDeadline is { } current && input.NewDeadline <= current =>
            new Refused(prefix + $"延期后的日期必须晚于当前时限 {current:yyyy-MM-dd} / newDeadline must be after {current:yyyy-MM-dd}", "newDeadline"),
        "newDeadlineUnlessOngoing" when !item.Ongoing && input.NewDeadline < today =>
            new Refused(prefix + "新的整改时限不能早于今天 / newDeadline cannot be in the past", "newDeadline"),
        _ => null,
    };

    public static string StateName(WorkflowDefinition definition, string state) =>
        definition.Item.States.FirstOrDefault(s => s.Key == state)?.Name ?? state;

    private static string RoleName(string role) => role switch
    {
        ActorRoles.LeadUnit => "牵头单位",
        ActorRoles.ResponsibleUnit => "责任单位",
        ActorRoles.LeadingGroup => "领导小组办公室",
        ActorRoles.SupervisionOffice => "督查室",
        ActorRoles.Admin => "系统管理员",
        _ => role,
    };
}
