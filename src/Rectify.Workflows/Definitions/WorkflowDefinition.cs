using System.Globalization;
using System.Text.Json;

namespace Rectify.Workflows.Definitions;

/// <summary>A workflow definition (workflows/*.json) as the runtime reads it, after schema validation.</summary>
public sealed record WorkflowDefinition(
    string Id, string Name, string? NameEn, string? Description, IReadOnlyList<PhaseDefinition> Phases,
    IReadOnlyList<DeliverableDefinition>? Deliverables, ItemDefinition Item, ReminderDefinition Reminders,
    UnacknowledgedDefinition Unacknowledged, EscalationDefinition Escalation, PeriodicReportDefinition? PeriodicReports,
    CatchUpDefinition CatchUp, ScoringDefinition? Scoring = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<DeliverableDefinition> DeliverableList => Deliverables ?? [];

    public EventDefinition? Event(string type) => Item.Events.FirstOrDefault(e => e.Type == type);

    public bool IsClosed(string state) => Item.ClosedStates.Contains(state);

    public TimeSpan ReminderMaxLateness => Iso.TimeOfDuration(CatchUp.ReminderMaxLateness);

    /// <summary>
    /// Whether the lead unit's closure request needs every other unit's part completed (issue 12). A definition that
    /// has no <c>complete</c> event (published before assignments existed) gives units no way to complete, so its
    /// closures keep the old rule: the lead unit's request stands for the item.
    /// </summary>
    public bool ClosureNeedsEveryUnit => Item.Closure?.RequireAllUnitsCompleted ?? Event("complete") is not null;

    public bool LeadMayOverrideClosure => Item.Closure?.LeadMayOverride ?? false;

    public ScoringDefinition ScoringRules => Scoring ?? ScoringDefinition.Default;
}

public sealed record PhaseDefinition(string Key, string Name, string? NameEn, bool? NotifyAtStart);

public sealed record DeliverableDue(string Phase, string Edge);

public sealed record DeliverableDefinition(string Key, string Name, string? NameEn, string Owners, DeliverableDue Due);

public sealed record StateDefinition(string Key, string Name, string? NameEn);

public sealed record EventDefinition(
    string Type, string Name, string? NameEn, IReadOnlyList<string> From, string? To, IReadOnlyList<string> Roles,
    IReadOnlyList<string>? Guards, IReadOnlyList<string>? Notify)
{
    public IReadOnlyList<string> GuardList => Guards ?? [];
    public IReadOnlyList<string> NotifyList => Notify ?? [];
}

/// <param name="ReopenWindow">A reopened item's deadline when the event names none (API.md): days from the day it is reopened; P30D when unset.</param>
public sealed record ItemDefinition(
    IReadOnlyList<StateDefinition> States, string InitialState, string LaunchState, IReadOnlyList<string> ClosedStates,
    string? LaunchEscalationLevel, IReadOnlyList<EventDefinition> Events, string? ReopenWindow = null, ClosureDefinition? Closure = null)
{
    public const string DefaultReopenWindow = "P30D";

    /// <summary>The deadline of an item reopened on <paramref name="today"/> without a new deadline.</summary>
    public DateOnly ReopenDeadline(DateOnly today) => today.AddDays(Iso.Days(ReopenWindow ?? DefaultReopenWindow));
}

public sealed record ClosureDefinition(bool? RequireAllUnitsCompleted, bool? LeadMayOverride);

public sealed record ReminderDefinition(IReadOnlyList<string> BeforeDeadline, string At, string OnNonWorkingDay, IReadOnlyList<string> Recipients)
{
    /// <summary>Days before the deadline, largest first (P7D, P3D, P1D → 7, 3, 1).</summary>
    public IReadOnlyList<int> Days => BeforeDeadline.Select(Iso.Days).OrderDescending().ToList();
}

public sealed record UnacknowledgedDefinition(int AfterWorkingDays, IReadOnlyList<string> Recipients);

public sealed record LadderStep(string Level, int WorkingDaysAfterDeadline, string Office, IReadOnlyList<string> Recipients);

public sealed record EscalationDefinition(string At, IReadOnlyList<LadderStep> Ladder);

public sealed record PeriodicReportDefinition(string Every, int? DayOfMonth, string ReminderBefore, IReadOnlyList<string> Recipients, bool Escalate);

public sealed record CatchUpDefinition(string ReminderMaxLateness);

/// <summary>Escalation levels in ladder order (API.md): none, urge, supervisionLetter, listedSupervision, admonitoryTalk.</summary>
public static class EscalationLevels
{
    public const string None = "none";
    public static readonly IReadOnlyList<string> Ordered = [None, "urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];
    public static int Rank(string level) => Math.Max(0, Ordered.ToList().IndexOf(level));
}

/// <summary>The few ISO 8601 forms definitions use: P7D, PT12H, PT30M, P1M, P2W, and a local time HH:mm.</summary>
public static class Iso
{
    public static int Days(string duration) => int.Parse(duration[1..^1], CultureInfo.InvariantCulture);

    public static TimeSpan TimeOfDuration(string duration)
    {
        var number = int.Parse(duration[2..^1], CultureInfo.InvariantCulture);
        return duration[^1] == 'H' ? TimeSpan.FromHours(number) : TimeSpan.FromMinutes(number);
    }

    public static TimeOnly Time(string hhmm) => TimeOnly.ParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture);

    private const int MaxPeriodNumber = 100_000;

    /// <summary>A period of whole months, weeks or days: (months, days). False for anything else, never an exception.</summary>
    public static bool TryPeriod(string? duration, out int months, out int days)
    {
        months = 0; days = 0;
        if (string.IsNullOrEmpty(duration) || duration[0] != 'P' || duration.Contains('T')) return false;
        var number = 0;
        foreach (var ch in duration.AsSpan(1))
        {
            if (char.IsAsciiDigit(ch))
            {
                // Larger numbers are no period anyone means (and would overflow the month arithmetic): not a period.
                number = number * 10 + (ch - '0');
                if (number > MaxPeriodNumber) { months = 0; days = 0; return false; }
                continue;
            }
            switch (ch)
            {
                case 'Y': months += 12 * number; break;
                case 'M': months += number; break;
                case 'W': days += 7 * number; break;
                case 'D': days += number; break;
                default: return false;
            }
            number = 0;
        }
        return months + days > 0;
    }
}
