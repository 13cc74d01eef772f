using Dapper;
using Npgsql;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>Assignment states (API.md): assigned → inProgress → completed, and withdrawn for a unit taken off the item.</summary>
public static class AssignmentStates
{
    public const string Assigned = "assigned";
    public const string InProgress = "inProgress";
    public const string Completed = "completed";
    public const string Withdrawn = "withdrawn";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Assigned, InProgress, Completed, Withdrawn };

    public static string Name(string state) => state switch
    {
        Assigned => "未签收",
        InProgress => "整改中",
        Completed => "已完成",
        Withdrawn => "已撤销",
        _ => state,
    };
}

/// <summary>One unit's part of an item (分解交办, issue 12): its own state, signing, last report, completion and pressure.</summary>
public sealed record Assignment(
    Guid ItemId, string UnitCode, string Role, string State, DateTimeOffset? AcknowledgedAt, DateTimeOffset? LastReportAt,
    DateTimeOffset? CompletedAt, string EscalationLevel, string[] LevelsReached, int MissedReports)
{
    public const string Columns = """
        a.item_id as ItemId, a.unit_code as UnitCode, a.role, a.state, a.acknowledged_at as AcknowledgedAt, a.last_report_at as LastReportAt,
        a.completed_at as CompletedAt, a.escalation_level as EscalationLevel, a.levels_reached as LevelsReached, a.missed_reports as MissedReports
        """;

    public bool IsLead => Role == "lead";

    /// <summary>Still owes its part: neither completed nor taken off the item.</summary>
    public bool IsBehind => State is AssignmentStates.Assigned or AssignmentStates.InProgress;

    public bool IsUnacknowledged => State == AssignmentStates.Assigned;

    /// <summary>The assignments of the given items, lead first then by unit code. The caller holds the items' locks where it writes.</summary>
    public static async Task<Dictionary<Guid, List<Assignment>>> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyCollection<Guid> itemIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, List<Assignment>>();
        if (itemIds.Count == 0) return result;
        const string sql = $"select {Columns} from assignments a where a.item_id = any(@ids) order by a.item_id, a.role, a.unit_code";
        foreach (var a in await connection.QueryAsync<Assignment>(new CommandDefinition(sql, new { ids = itemIds.ToArray() }, tx, cancellationToken: ct)))
        {
            if (!result.TryGetValue(a.ItemId, out var list)) result[a.ItemId] = list = [];
            list.Add(a);
        }
        return result;
    }
}

/// <summary>
/// Who of an item's units a timer-driven message goes to (issue 12): a unit audience names only the units whose own
/// part is behind, never a unit that has finished its part.
/// </summary>
public static class Behind
{
    /// <summary>The unit codes an audience list names for an item, keeping only the units for which <paramref name="owes"/> holds.</summary>
    public static IEnumerable<string> Units(IEnumerable<string> audiences, IReadOnlyList<Assignment> assignments, Func<Assignment, bool> owes)
    {
        foreach (var audience in audiences)
        {
            switch (audience)
            {
                case Audiences.LeadUnit:
                    foreach (var a in assignments.Where(a => a.IsLead && owes(a))) yield return a.UnitCode;
                    break;
                case Audiences.ResponsibleUnits:
                    foreach (var a in assignments.Where(a => !a.IsLead && owes(a))) yield return a.UnitCode;
                    break;
            }
        }
    }

    /// <summary>The audiences that are not units of the item (offices, the leader).</summary>
    public static IEnumerable<string> Others(IEnumerable<string> audiences) =>
        audiences.Where(a => a is not Audiences.LeadUnit and not Audiences.ResponsibleUnits);
}

/// <summary>Office actions on an item (issue 13): 撤销 by the issuing office, 催办 by the issuing or supervision office.</summary>
public static class OfficeEvents
{
    public const string Withdraw = "withdraw";
    public const string Urge = "urge";
}

/// <summary>The events that act on the caller's own unit's assignment, and what each asks of that assignment (issue 12).</summary>
public static class UnitEvents
{
    public const string Acknowledge = "acknowledge";
    public const string Progress = "progress";
    public const string Complete = "complete";
    public const string RequestClosure = "requestClosure";
    public const string ReturnClosure = "returnClosure";

    public static bool ActsOnAssignment(string type) => type is Acknowledge or Progress or Complete;

    /// <summary>A responsible unit's acknowledgement or report changes its own part only; the lead unit's moves the item as before.</summary>
    public static bool InPlace(string type, Assignment acting) => !acting.IsLead && type is Acknowledge or Progress;

    /// <summary>Why <paramref name="acting"/>'s assignment does not allow <paramref name="type"/> now, or null when it does.</summary>
    public static string? Refusal(string type, Assignment acting, string unitName) => (type, acting.State) switch
    {
        (_, AssignmentStates.Withdrawn) => $"单位“{unitName}”已不再承担该问题（已撤销交办）/ {acting.UnitCode}'s assignment was withdrawn",
        (Acknowledge, not AssignmentStates.Assigned) => $"单位“{unitName}”已签收该问题，不能重复签收 / {acting.UnitCode} has already acknowledged",
        (Progress, AssignmentStates.Assigned) => $"单位“{unitName}”尚未签收，请先签收再反馈进展 / {acting.UnitCode} must acknowledge first",
        (Complete, _) when acting.IsLead => $"牵头单位“{unitName}”通过“申请销号”完成本单位部分 / the lead unit completes its part by requesting closure",
        (Complete, AssignmentStates.Assigned) => $"单位“{unitName}”尚未签收，请先签收再报本单位整改完成 / {acting.UnitCode} must acknowledge before completing",
        (Complete, AssignmentStates.Completed) => $"单位“{unitName}”已报本单位整改完成，不能重复完成 / {acting.UnitCode} has already completed its part",
        _ => null,
    };

    /// <summary>The events this caller could send now, with its own unit's assignment taken into account.</summary>
    public static IReadOnlyList<string> Allowed(WorkflowDefinition d, ItemFacts item, IReadOnlySet<string> roles, Assignment? own)
    {
        var allowed = StateMachine.AllowedEvents(d, item, roles);
        if (own is null) return allowed;
        var probe = new EventInput("x", null, 1);
        return d.Item.Events.Select(e => e.Type).Where(type => type switch
        {
            Acknowledge or Progress or Complete => Refusal(type, own, own.UnitCode) is null
                && StateMachine.Decide(d, item, roles, type, probe, DateOnly.MinValue, InPlace(type, own)) is Runtime.Allowed,
            RequestClosure => own.IsLead && allowed.Contains(type),
            _ => allowed.Contains(type),
        }).ToList();
    }
}
