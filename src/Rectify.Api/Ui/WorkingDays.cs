namespace Rectify.Api.Ui;

/// <summary>
/// Working days left until a deadline, today and the deadline included, on the working-day calendar (holidays and
/// adjusted working weekends, 调休) that the runtime keeps.
/// </summary>
public static class WorkingDays
{
    public static int? Left(DateOnly? deadline, DateOnly today, Func<DateOnly, bool> isWorkingDay)
    {
        if (deadline is not { } end) return null;
        if (end < today) return 0;
        var count = 0;
        for (var d = today; d <= end && count < 10_000; d = d.AddDays(1)) if (isWorkingDay(d)) count++;
        return count;
    }
}
