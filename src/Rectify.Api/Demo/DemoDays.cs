using Rectify.Workflows.Calendar;

namespace Rectify.Api.Demo;

/// <summary>
/// The demo's dates (issue 13.8): counted in working days of the calendar table from the day the demo is first loaded,
/// so on any day the campaign was launched some weeks ago, has items due this week, some late at each escalation level
/// and some closed. Day 0 is the first start's date, or the working day before it when that is a rest day.
/// </summary>
public sealed class DemoDays(CalendarSnapshot calendar, DateOnly firstStart)
{
    public CalendarSnapshot Calendar => calendar;

    /// <summary>Day 0: the first start's date, or the closest working day before it.</summary>
    public DateOnly Anchor { get; } = calendar.OnOrBefore(firstStart);

    /// <summary>The working day <paramref name="workingDays"/> from day 0 (negative: before it).</summary>
    public DateOnly At(int workingDays) => After(Anchor, workingDays);

    /// <summary>The working day <paramref name="workingDays"/> from <paramref name="date"/> (negative: before it; 0: the date itself).</summary>
    public DateOnly After(DateOnly date, int workingDays)
    {
        if (workingDays > 0) return calendar.AddWorkingDays(date, workingDays);
        var day = date;
        // The demo counts back a few dozen working days at most; a year is far beyond any calendar's rest days.
        for (var steps = 0; workingDays < 0 && steps < 366; steps++)
        {
            day = day.AddDays(-1);
            if (calendar.IsWorkingDay(day)) workingDays++;
        }
        return day;
    }
}
