namespace Rectify.Workflows.Calendar;

public static class CalendarDayKinds
{
    public const string Holiday = "holiday";
    public const string Workday = "workday";
}

/// <summary>An exception to the Monday–Friday week: a holiday on a weekday or a working weekend day (调休).</summary>
public sealed record CalendarDay(DateOnly Date, string Kind, string Name, bool Provisional = false);

/// <summary>
/// Working-day arithmetic over one version of the calendar. Pure and immutable: every "working day" computation in
/// Rectify goes through here. Days outside the exceptions follow the week: Saturday and Sunday rest, others work.
/// </summary>
public sealed class CalendarSnapshot
{
    // A guard against a calendar an operator filled with holidays: no search walks further than ten years.
    private const int MaxSteps = 3660;
    private readonly IReadOnlyDictionary<DateOnly, CalendarDay> exceptions;

    public CalendarSnapshot(IEnumerable<CalendarDay> days, long version)
    {
        exceptions = days.ToDictionary(d => d.Date);
        Version = version;
    }

    public static CalendarSnapshot WeekendsOnly { get; } = new([], 0);

    public long Version { get; }

    public IReadOnlyCollection<CalendarDay> Exceptions => (IReadOnlyCollection<CalendarDay>)exceptions.Values;

    public bool IsWorkingDay(DateOnly date) =>
        exceptions.TryGetValue(date, out var day)
            ? day.Kind == CalendarDayKinds.Workday
            : date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The <paramref name="n"/>-th working day after <paramref name="date"/> (n ≥ 1); the date itself never counts.</summary>
    public DateOnly AddWorkingDays(DateOnly date, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var day = date;
        for (var steps = 0; n > 0 && steps < MaxSteps; steps++)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) n--;
        }
        return day;
    }

    /// <summary>The date itself when it is a working day, else the closest working day before it.</summary>
    public DateOnly OnOrBefore(DateOnly date)
    {
        var day = date;
        for (var steps = 0; !IsWorkingDay(day) && steps < MaxSteps; steps++) day = day.AddDays(-1);
        return day;
    }

    /// <summary>The date itself when it is a working day, else the closest working day after it.</summary>
    public DateOnly OnOrAfter(DateOnly date)
    {
        var day = date;
        for (var steps = 0; !IsWorkingDay(day) && steps < MaxSteps; steps++) day = day.AddDays(1);
        return day;
    }

    /// <summary>Working days in (from, to]: 0 when to ≤ from.</summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var day = from.AddDays(1); day <= to; day = day.AddDays(1))
        {
            if (IsWorkingDay(day)) count++;
        }
        return count;
    }
}

/// <summary>Local dates and times of a campaign's time zone turned into instants.</summary>
public static class LocalTime
{
    public static DateTimeOffset At(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        // A local time skipped by a daylight-saving change (not in China, but campaigns may name any zone) moves on an hour.
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateOnly Date(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    public static DateTimeOffset InZone(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);
}
