using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

public sealed partial class ItemEventService
{
    /// <summary>What an allowed event changes besides the state.</summary>
    internal sealed record Change(
        bool Acknowledge, bool Progress, bool Close, bool Reopen, bool Extend, DateOnly? Deadline, string Level, int Cycle,
        DateOnly? PendingExtension, string? PendingNote, bool DeleteAllTimers, IReadOnlyList<string> DeleteSteps,
        string? ResolveAbove, IReadOnlyList<NewTimer> Timers);

    /// <summary>
    /// The side effects of each event type (issue 3): acknowledge cancels the unacknowledged reminder; an approved
    /// closure cancels every timer and resolves open escalations; an approved extension or a reopen starts a new cycle
    /// (new deadline, escalations above the launch level resolved, a fresh chain of timers); progress on an ongoing item
    /// clears a missed periodic report's escalation.
    /// </summary>
    internal static Change Plan(ItemSubject item, WorkflowDefinition d, CalendarSnapshot calendar, EventRequest request, Allowed allowed, DateTimeOffset now)
    {
        var floor = d.Item.LaunchEscalationLevel ?? EscalationLevels.None;
        var none = new Change(false, false, false, false, false, item.EffectiveDeadline, item.EscalationLevel, item.Cycle,
            item.PendingExtension, item.PendingExtensionNote, false, [], null, []);
        switch (request.Type)
        {
            case "acknowledge":
                return none with { Acknowledge = true, DeleteSteps = ["reminder:unacknowledged"] };
            case "progress":
                return item.Ongoing && EscalationLevels.Rank(item.EscalationLevel) > EscalationLevels.Rank(floor)
                    ? none with { Progress = true, Level = floor, ResolveAbove = floor }
                    : none with { Progress = true };
            case "requestExtension":
                return none with { PendingExtension = request.NewDeadline, PendingNote = request.Note };
            case "rejectExtension":
                return none with { PendingExtension = null, PendingNote = null };
            case "approveExtension":
            {
                var deadline = item.PendingExtension!.Value;
                var cycle = item.Cycle + 1;
                var timers = DeadlineTimers(item, d, calendar, deadline, floor, cycle, now).ToList();
                if (item.State == d.Item.LaunchState && item.AcknowledgedAt is null)
                    timers.AddRange(UnacknowledgedTimer(item, d, calendar, cycle, now));
                return Restart(none, floor) with { Extend = true, Deadline = deadline, Cycle = cycle, Timers = timers };
            }
            case "reopen":
            {
                var cycle = item.Cycle + 1;
                // Without a new deadline the definition's window for reopened items applies (API.md).
                DateOnly? deadline = item.Ongoing ? null : request.NewDeadline ?? d.Item.ReopenDeadline(LocalTime.Date(now, item.Zone));
                var timers = deadline is { } dl
                    ? DeadlineTimers(item, d, calendar, dl, floor, cycle, now).ToList()
                    : PeriodicTimers(item, d, calendar, cycle, now).ToList();
                return Restart(none, floor) with { Reopen = true, Deadline = deadline, Cycle = cycle, Timers = timers };
            }
            case OfficeEvents.Withdraw:
                // 撤销: the item is taken off the campaign; timers end and open pressure is resolved, but it is not 销号.
                return Restart(none, EscalationLevels.None);
            case OfficeEvents.Urge:
                // A manual 催办 pushes, it does not climb the ladder (API.md): the level and the timers stay as they are.
                return none;
            default:
                if (d.IsClosed(allowed.ToState))
                {
                    return Restart(none, EscalationLevels.None) with { Close = true };
                }
                return none;
        }
    }

    private static IEnumerable<NewTimer> DeadlineTimers(ItemSubject item, WorkflowDefinition d, CalendarSnapshot calendar, DateOnly deadline, string level, int cycle, DateTimeOffset now)
    {
        var first = Schedule.FirstStep(Schedule.DeadlineSteps(d, calendar, item.Zone, deadline, level), level, now);
        if (first is not null) yield return new NewTimer(first.DueAt, "item", item.Id, item.CampaignId, cycle, first.Name);
    }

    /// <summary>Every timer of the item ends, open pressure above <paramref name="level"/> is resolved and no extension stays
    /// pending (an extension, a reopening, a withdrawal, a closure); the caller adds what starts anew.</summary>
    private static Change Restart(Change none, string level) =>
        none with { Level = level, PendingExtension = null, PendingNote = null, DeleteAllTimers = true, ResolveAbove = level };

    private static IEnumerable<NewTimer> UnacknowledgedTimer(ItemSubject item, WorkflowDefinition d, CalendarSnapshot calendar, int cycle, DateTimeOffset now)
    {
        var assigned = item.AssignedAt!.Value;
        var due = Schedule.AcknowledgeBy(d, calendar, item.Zone, assigned);
        if (due > now) yield return new NewTimer(due, "item", item.Id, item.CampaignId, cycle, "reminder:unacknowledged");
    }

    private static IEnumerable<NewTimer> PeriodicTimers(ItemSubject item, WorkflowDefinition d, CalendarSnapshot calendar, int cycle, DateTimeOffset now)
    {
        if (d.PeriodicReports is null) yield break;
        var today = LocalTime.Date(now, item.Zone);
        var first = Schedule.PeriodicSteps(d, calendar, item.Zone, Schedule.NextReportDate(d, item.ReportEvery, today, today))[0];
        yield return new NewTimer(first.DueAt, "item", item.Id, item.CampaignId, cycle, first.Name);
    }
}
