using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Workflows.Runtime;

public sealed partial class ItemEventService
{
    /// <summary>What an event does to the item's assignments (issue 12), decided before anything is written.</summary>
    internal sealed record UnitPlan(
        EventRefused? Refusal, string[] Acknowledge, string[] Report, string[] Complete, string[] Reactivate, string[] ResetLevel,
        string Floor, IReadOnlyList<string> Returned, IReadOnlyList<string> Overridden, bool WithdrawAll = false, IReadOnlyList<string>? UrgedUnits = null)
    {
        public static UnitPlan None(string floor) => new(null, [], [], [], [], [], floor, [], []);

        public IReadOnlyList<string> Urged => UrgedUnits ?? [];

        public bool Changes => WithdrawAll || Acknowledge.Length + Report.Length + Complete.Length + Reactivate.Length + ResetLevel.Length > 0;
    }

    internal sealed record ActingResult(Assignment? Assignment, EventOutcome? Outcome);

    private static async Task<Dictionary<string, string>> UnitNamesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<string> codes, CancellationToken ct)
    {
        var list = codes.Distinct().ToArray();
        if (list.Length == 0) return [];
        var rows = await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
            "select code, name from units where code = any(@list)", new { list }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Code, r => r.Name, StringComparer.Ordinal);
    }

    private static string Name(IReadOnlyDictionary<string, string> names, string code) => names.GetValueOrDefault(code, code);

    /// <summary>
    /// The unit whose assignment the event acts on: a unit user's own; the one an office names; for an office naming
    /// none, the lead unit's (acknowledge and progress on its behalf, as before assignments). A unit user may not act
    /// for another unit (403); a named unit that is not on the item is refused with its name (422).
    /// </summary>
    internal static ActingResult ActingUnit(Actor actor, ItemSubject item, IReadOnlyList<Assignment> assignments, EventRequest request, IReadOnlyDictionary<string, string> names)
    {
        var lead = assignments.FirstOrDefault(a => a.IsLead);
        if (request.Unit is { } named)
        {
            if (actor.Role == Roles.Unit && actor.UnitCode != named)
                return new(null, new EventForbidden($"只能以本单位身份操作，不能代“{Name(names, named)}”操作 / a unit acts only for itself, not for {named}"));
            var target = assignments.FirstOrDefault(a => a.UnitCode == named && a.State != AssignmentStates.Withdrawn);
            if (target is null)
                return new(null, new EventRefused($"单位“{Name(names, named)}”不是该问题的牵头单位或责任单位 / {named} is not a unit of this item", "unit"));
            return new(UnitEvents.ActsOnAssignment(request.Type) ? target : actor.Role == Roles.Unit ? target : null, null);
        }
        if (actor.Role == Roles.Unit)
            return new(assignments.FirstOrDefault(a => a.UnitCode == actor.UnitCode), null);
        if (request.Type == UnitEvents.Complete)
            return new(null, new EventRefused("请指明代哪个单位报本单位整改完成（unit）/ name the unit whose part is complete", "unit"));
        return new(UnitEvents.ActsOnAssignment(request.Type) ? lead : null, null);
    }

    internal static UnitPlan UnitChanges(
        WorkflowDefinition d, ItemSubject item, IReadOnlyList<Assignment> assignments, Assignment? acting, EventRequest request, IReadOnlyDictionary<string, string> names)
    {
        var floor = d.Item.LaunchEscalationLevel ?? EscalationLevels.None;
        var none = UnitPlan.None(floor);
        var active = assignments.Where(a => a.State != AssignmentStates.Withdrawn).ToList();
        UnitPlan Refuse(string message, string field = "type") => none with { Refusal = new EventRefused(message, field) };
        if (acting is not null && UnitEvents.ActsOnAssignment(request.Type) && UnitEvents.Refusal(request.Type, acting, Name(names, acting.UnitCode)) is { } refusal)
            return Refuse(refusal);
        switch (request.Type)
        {
            case UnitEvents.Acknowledge when acting is not null:
                return none with { Acknowledge = [acting.UnitCode] };
            case UnitEvents.Progress when acting is not null:
                return none with { Report = [acting.UnitCode], ResetLevel = item.Ongoing ? [acting.UnitCode] : [] };
            case UnitEvents.Complete when acting is not null:
                return none with { Report = [acting.UnitCode], Complete = [acting.UnitCode] };
            case UnitEvents.RequestClosure:
            {
                if (acting is { IsLead: false })
                {
                    var leadName = Name(names, item.LeadUnit);
                    return Refuse($"只有牵头单位“{leadName}”可以申请销号，责任单位请报本单位整改完成 / only the lead unit {item.LeadUnit} may request closure");
                }
                var lead = active.Where(a => a.IsLead).Select(a => a.UnitCode).ToArray();
                var incomplete = active.Where(a => !a.IsLead && a.IsBehind).Select(a => a.UnitCode).ToList();
                if (incomplete.Count > 0 && d.ClosureNeedsEveryUnit)
                {
                    var list = string.Join("、", incomplete.Select(u => $"“{Name(names, u)}”"));
                    if (!d.LeadMayOverrideClosure)
                        return Refuse($"以下单位尚未完成本单位整改，不能申请销号：{list} / not completed yet: {string.Join(", ", incomplete)}", "units");
                    if (string.IsNullOrWhiteSpace(request.Note))
                        return Refuse($"以下单位尚未完成本单位整改：{list}；如确需申请销号，请写明理由 / a written reason is needed to close with units not completed", "note");
                    return none with { Report = lead, Complete = lead, Overridden = incomplete };
                }
                return none with { Report = lead, Complete = lead };
            }
            case UnitEvents.ReturnClosure:
            {
                var named = (request.ReturnUnits ?? []).Distinct().ToList();
                var unknown = named.Where(u => active.All(a => a.UnitCode != u)).ToList();
                if (unknown.Count > 0)
                    return Refuse($"退回的单位不是该问题的单位：{string.Join("、", unknown.Select(u => $"“{Name(names, u)}”"))} / not units of this item: {string.Join(", ", unknown)}", "units");
                var back = active.Where(a => a.IsLead || named.Contains(a.UnitCode)).Select(a => a.UnitCode).ToArray();
                return none with { Reactivate = back, Returned = named.Where(u => u != item.LeadUnit).ToList() };
            }
            case OfficeEvents.Withdraw:
                return none with { WithdrawAll = true };
            case OfficeEvents.Urge:
            {
                // To the units that have not completed: all of them, or the one unit the office names.
                var behind = active.Where(a => a.IsBehind && (request.Unit is null || a.UnitCode == request.Unit)).Select(a => a.UnitCode).ToList();
                if (behind.Count == 0)
                {
                    return request.Unit is { } one
                        ? Refuse($"单位“{Name(names, one)}”已完成本单位整改，无需催办 / {one} has completed its part", "unit")
                        : Refuse("各单位均已完成本单位整改，无需催办 / every unit has completed its part");
                }
                return none with { UrgedUnits = behind };
            }
            case "approveExtension":
                return none with { ResetLevel = active.Select(a => a.UnitCode).ToArray() };
            case "reopen":
            {
                var all = active.Select(a => a.UnitCode).ToArray();
                return none with { Reactivate = all, ResetLevel = all };
            }
            default:
                return none;
        }
    }

    /// <summary>
    /// Timers that depend on the units: the unacknowledged reminder stays while any unit has not signed (the first
    /// unit to sign no longer silences it for the others), and an approved extension brings it back for those units.
    /// </summary>
    /// <param name="unacknowledgedTimer">The unacknowledged reminder of a cycle, as the definition and calendar place it now.</param>
    private static Change AdjustForUnits(
        Change change, WorkflowDefinition d, ItemSubject item, IReadOnlyList<Assignment> assignments, Assignment? acting, EventRequest request,
        Func<int, IEnumerable<NewTimer>> unacknowledgedTimer)
    {
        var othersUnsigned = assignments.Any(a => a.IsUnacknowledged && a.UnitCode != acting?.UnitCode);
        if (request.Type == UnitEvents.Acknowledge && othersUnsigned)
            return change with { DeleteSteps = change.DeleteSteps.Where(s => s != "reminder:unacknowledged").ToList() };
        if (request.Type == "approveExtension" && !(item.State == d.Item.LaunchState && item.AcknowledgedAt is null) && assignments.Any(a => a.IsUnacknowledged))
            return change with { Timers = change.Timers.Concat(unacknowledgedTimer(change.Cycle)).ToList() };
        return change;
    }

    private static async Task ApplyUnitChangesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid itemId, UnitPlan units, DateTimeOffset now, CancellationToken ct)
    {
        if (!units.Changes) return;
        if (units.WithdrawAll)
        {
            await connection.ExecuteAsync(new CommandDefinition("update assignments set state = 'withdrawn' where item_id = @itemId and state <> 'withdrawn'",
                new { itemId }, tx, cancellationToken: ct));
            return;
        }
        const string sql = """
            update assignments set
                state = case when unit_code = any(@Complete) then 'completed'
                             when unit_code = any(@Reactivate) and state = 'completed' then 'inProgress'
                             when unit_code = any(@Acknowledge) then 'inProgress'
                             else state end,
                acknowledged_at = case when unit_code = any(@Acknowledge) then @now else acknowledged_at end,
                last_report_at = case when unit_code = any(@Report) then @now else last_report_at end,
                completed_at = case when unit_code = any(@Complete) then @now when unit_code = any(@Reactivate) then null else completed_at end,
                escalation_level = case when unit_code = any(@ResetLevel) then @Floor else escalation_level end,
                -- A completed part sent back (退回, 重新整改) waits in the unit's 待办 until the unit reports again (issue 13).
                returned_at = case when unit_code = any(@Reactivate) and state = 'completed' then @now
                                   when unit_code = any(@Report) then null else returned_at end
            where item_id = @itemId and state <> 'withdrawn'
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            itemId, units.Complete, units.Reactivate, units.Acknowledge, units.Report, units.ResetLevel, units.Floor, now,
        }, tx, cancellationToken: ct));
    }
}
