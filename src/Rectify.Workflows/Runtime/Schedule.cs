using System.Globalization;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>One step of a schedule: its name (part of the timer and notification keys) and when it is due.</summary>
public sealed record Step(string Name, DateTimeOffset DueAt, string Kind, string? Level = null, int? DaysBefore = null);

public static class StepKinds
{
    public const string Reminder = "reminder";
    public const string Escalation = "escalation";
    public const string Unacknowledged = "unacknowledged";
    public const string PeriodicReminder = "periodicReminder";
    public const string PeriodicEscalation = "periodicEscalation";
    public const string Phase = "phase";
}

/// <summary>
/// When things are due, from a definition, the working calendar and a campaign's time zone. Pure. Timers are
/// chained: a subject holds one pending deadline step at a time and firing it schedules the next, so a 100 000-item
/// launch writes one timer per item, and an extension or closure replaces or deletes one row.
/// </summary>
public static class Schedule
{
    /// <summary>
    /// Every deadline step of a subject in order: reminders before the deadline (09:00 local, moved to the previous
    /// working day, one per day), then the escalation ladder (09:00 on the n-th working day after the deadline).
    /// Ladder levels at or below <paramref name="floorLevel"/> are left out.
    /// </summary>
    public static IReadOnlyList<Step> DeadlineSteps(WorkflowDefinition d, CalendarSnapshot calendar, TimeZoneInfo zone, DateOnly deadline, string floorLevel)
    {
        var steps = new List<Step>();
        var at = Iso.Time(d.Reminders.At);
        var byDate = new Dictionary<DateOnly, Step>();
        foreach (var days in d.Reminders.Days)
        {
            var date = deadline.AddDays(-days);
            if (d.Reminders.OnNonWorkingDay == "previousWorkingDay") date = calendar.OnOrBefore(date);
            // Two reminders that land on one day (T-3 on a Monday holiday moved onto T-7's Friday…) send one: the nearer.
            byDate[date] = new Step($"reminder:T-{days}", LocalTime.At(date, at, zone), StepKinds.Reminder, DaysBefore: days);
        }
        steps.AddRange(byDate.Values.OrderBy(s => s.DueAt));
        var escalationAt = Iso.Time(d.Escalation.At);
        foreach (var step in d.Escalation.Ladder.Where(s => EscalationLevels.Rank(s.Level) > EscalationLevels.Rank(floorLevel)))
        {
            var date = calendar.AddWorkingDays(deadline, step.WorkingDaysAfterDeadline);
            steps.Add(new Step($"escalation:{step.Level}", LocalTime.At(date, escalationAt, zone), StepKinds.Escalation, step.Level));
        }
        return steps;
    }

    /// <summary>
    /// The first step to schedule now: the first reminder still ahead, else the first escalation above the current
    /// level (even when already due — an overdue item launched late escalates at once, once).
    /// </summary>
    public static Step? FirstStep(IReadOnlyList<Step> steps, string currentLevel, DateTimeOffset now) =>
        steps.FirstOrDefault(s => s.Kind == StepKinds.Reminder && s.DueAt > now)
        ?? steps.FirstOrDefault(s => s.Kind == StepKinds.Escalation && EscalationLevels.Rank(s.Level!) > EscalationLevels.Rank(currentLevel));

    /// <summary>The step after <paramref name="name"/> in <paramref name="steps"/>, or null after the last.</summary>
    public static Step? After(IReadOnlyList<Step> steps, string name)
    {
        for (var i = 0; i < steps.Count - 1; i++)
        {
            if (steps[i].Name == name) return steps[i + 1];
        }
        return null;
    }

    /// <summary>
    /// The moment an assigned item counts as unacknowledged: the same local time (to the minute), n working days later.
    /// </summary>
    public static DateTimeOffset AcknowledgeBy(WorkflowDefinition d, CalendarSnapshot calendar, TimeZoneInfo zone, DateTimeOffset assignedAt)
    {
        var local = TimeZoneInfo.ConvertTime(assignedAt, zone);
        var date = calendar.AddWorkingDays(DateOnly.FromDateTime(local.DateTime), d.Unacknowledged.AfterWorkingDays);
        return LocalTime.At(date, new TimeOnly(local.Hour, local.Minute), zone);
    }

    /// <summary>09:00 (the reminder time) on the start date of each phase still ahead.</summary>
    public static IEnumerable<Step> PhaseSteps(WorkflowDefinition d, IEnumerable<Domain.Phase> phases, TimeZoneInfo zone, DateTimeOffset now)
    {
        var at = Iso.Time(d.Reminders.At);
        foreach (var phase in phases)
        {
            var declared = d.Phases.FirstOrDefault(p => p.Key == phase.Key);
            if (declared?.NotifyAtStart != true) continue;
            var due = LocalTime.At(phase.Start, at, zone);
            if (due > now) yield return new Step($"phase:{phase.Key}:start", due, StepKinds.Phase);
        }
    }

    /// <summary>
    /// The periodic progress report due after <paramref name="after"/> for an ongoing item: monthly reports on the
    /// definition's day of the month, weekly or daily ones counted from assignment. The first one is never due sooner
    /// than its reminder lead time after assignment.
    /// </summary>
    public static DateOnly NextReportDate(WorkflowDefinition d, string? itemEvery, DateOnly assignedOn, DateOnly after)
    {
        var p = d.PeriodicReports!;
        var every = itemEvery ?? p.Every;
        if (!Iso.TryPeriod(every, out var months, out var days)) Iso.TryPeriod(p.Every, out months, out days);
        var lead = Iso.Days(p.ReminderBefore);
        var earliest = new[] { after.AddDays(1), assignedOn.AddDays(lead + 1) }.Max();
        if (months > 0)
        {
            var dom = p.DayOfMonth ?? Math.Min(assignedOn.Day, 28);
            var candidate = new DateOnly(assignedOn.Year, assignedOn.Month, dom);
            while (candidate < earliest) candidate = candidate.AddMonths(months);
            return candidate;
        }
        var step = Math.Max(1, days);
        var k = Math.Max(1, (int)Math.Ceiling((earliest.DayNumber - assignedOn.DayNumber) / (double)step));
        return assignedOn.AddDays(k * step);
    }

    /// <summary>The reminder and the escalation steps of one periodic report.</summary>
    public static IReadOnlyList<Step> PeriodicSteps(WorkflowDefinition d, CalendarSnapshot calendar, TimeZoneInfo zone, DateOnly due)
    {
        var p = d.PeriodicReports!;
        var key = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var reminderDate = calendar.OnOrBefore(due.AddDays(-Iso.Days(p.ReminderBefore)));
        var steps = new List<Step> { new($"periodic:{key}:reminder", LocalTime.At(reminderDate, Iso.Time(d.Reminders.At), zone), StepKinds.PeriodicReminder) };
        if (!p.Escalate) return steps;
        var at = Iso.Time(d.Escalation.At);
        foreach (var step in d.Escalation.Ladder)
        {
            var date = calendar.AddWorkingDays(due, step.WorkingDaysAfterDeadline);
            steps.Add(new Step($"periodic:{key}:escalation:{step.Level}", LocalTime.At(date, at, zone), StepKinds.PeriodicEscalation, step.Level));
        }
        return steps;
    }

    /// <summary>Calendar days before a milestone that its reminder goes out (moved to the working day on or before).</summary>
    public const int MilestoneReminderDaysBefore = 3;

    /// <summary>
    /// When a milestone's reminder is due (issue 15.4): at the reminder time, <see cref="MilestoneReminderDaysBefore"/>
    /// days before its date, on the working day on or before that; now when that moment has passed but the date has
    /// not; null when the date itself has passed (nothing left to remind of).
    /// </summary>
    public static DateTimeOffset? MilestoneReminder(WorkflowDefinition d, CalendarSnapshot calendar, TimeZoneInfo zone, DateOnly date, DateTimeOffset now)
    {
        if (date < LocalTime.Date(now, zone)) return null;
        var due = LocalTime.At(calendar.OnOrBefore(date.AddDays(-MilestoneReminderDaysBefore)), Iso.Time(d.Reminders.At), zone);
        return due > now ? due : now;
    }

    /// <summary>The step name of a milestone's reminder: <c>milestone:{seq}</c>.</summary>
    public static string MilestoneStep(int seq) => $"milestone:{seq.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The report date encoded in a periodic step name (periodic:2026-06-25:…).</summary>
    public static DateOnly PeriodicDate(string stepName) =>
        DateOnly.ParseExact(stepName.Split(':')[1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
