using Rectify.Workflows.Calendar;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Definitions;

/// <summary>
/// One unit's part of one item as the figures need it: its assignment (state, signing, completion date, the levels its
/// part reached, the periodic reports it missed) beside its item's state and deadline.
/// </summary>
public sealed record AssignmentFact(
    Guid ItemId, string Unit, string Role, string State, bool Acknowledged, DateOnly? CompletedOn, string ItemState,
    DateOnly? EffectiveDeadline, IReadOnlyList<string> LevelsReached, int MissedReports)
{
    public bool IsCompleted => State == AssignmentStates.Completed;

    /// <summary>Behind now: the part is not completed, its item is still open and past its deadline.</summary>
    public bool IsOverdue(DateOnly today) =>
        !IsCompleted && ItemState is not (ItemStates.Closed or ItemStates.Draft or ItemStates.Withdrawn)
        && EffectiveDeadline is { } deadline && deadline < today;

    public bool CompletedOnTime => IsCompleted && (EffectiveDeadline is not { } deadline || CompletedOn is not { } on || on <= deadline);

    public bool CompletedLate => IsCompleted && EffectiveDeadline is { } deadline && CompletedOn is { } on && on > deadline;

    /// <summary>
    /// Working days this unit's own part was or is late: a part completed late keeps the days until its completion, an
    /// open part counts until today, a part completed on time (or whose item was closed without it) none.
    /// </summary>
    public int WorkingDaysOverdue(CalendarSnapshot calendar, DateOnly today)
    {
        if (EffectiveDeadline is not { } deadline) return 0;
        if (IsCompleted) return CompletedOn is { } on && on > deadline ? calendar.WorkingDaysBetween(deadline, on) : 0;
        return IsOverdue(today) ? calendar.WorkingDaysBetween(deadline, today) : 0;
    }
}

/// <summary>Each unit's own record (issue 12) from its assignments, never its siblings': pure, so the API, the page and the documents agree.</summary>
public static class UnitRecords
{
    /// <summary>
    /// One record per unit in <paramref name="facts"/>. Withdrawn assignments and the parts of withdrawn or draft items
    /// count apart (they are not in the figures), as API.md says of withdrawn items.
    /// </summary>
    public static IReadOnlyList<UnitRecord> From(IEnumerable<AssignmentFact> facts, DateOnly today, CalendarSnapshot calendar) =>
        facts.Where(Counts)
            .GroupBy(f => f.Unit, StringComparer.Ordinal)
            .Select(g =>
            {
                var parts = g.ToList();
                var levels = EscalationLevels.Ordered.Skip(1).ToDictionary(
                    level => level, level => parts.Sum(p => p.LevelsReached.Count(l => l == level)), StringComparer.Ordinal);
                return new UnitRecord(g.Key, parts.Count, parts.Count(p => p.Acknowledged), parts.Count(p => p.IsCompleted),
                    parts.Count(p => p.IsOverdue(today)), parts.Count(p => p.CompletedOnTime), parts.Count(p => p.CompletedLate),
                    parts.Sum(p => p.WorkingDaysOverdue(calendar, today)), parts.Sum(p => p.MissedReports), levels);
            })
            .ToList();

    public static bool Counts(AssignmentFact fact) =>
        fact.State != AssignmentStates.Withdrawn && fact.ItemState is not (ItemStates.Draft or ItemStates.Withdrawn);
}
