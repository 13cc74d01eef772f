namespace Rectify.Api.Ui;

/// <summary>
/// Working days left until a deadline, today and the deadline included. Monday to Friday count; statutory holidays and
/// adjusted working weekends (调休) come from the calendar once the runtime's calendar is available.
/// </summary>
public static class WorkingDays
{
    public static int? Left(DateOnly? deadline, DateOnly today, Func<DateOnly, bool>? isWorkingDay = null)
    {
        if (deadline is not { } end) return null;
        if (end < today) return 0;
        isWorkingDay ??= d => d.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday;
        var count = 0;
        for (var d = today; d <= end && count < 10_000; d = d.AddDays(1)) if (isWorkingDay(d)) count++;
        return count;
    }
}
