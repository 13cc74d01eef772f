namespace Rectify.Notifications.Calendar;

/// <summary>Which local dates are working days (weekends, statutory holidays and 调休 working weekends).</summary>
public interface IWorkingDays
{
    Task<bool> IsWorkingDayAsync(DateOnly date, CancellationToken ct);

    /// <summary>Working days in (<paramref name="after"/>, <paramref name="upTo"/>]; 0 when upTo ≤ after.</summary>
    Task<int> CountAsync(DateOnly after, DateOnly upTo, CancellationToken ct);

    /// <summary>The date <paramref name="workingDays"/> working days after <paramref name="from"/>.</summary>
    Task<DateOnly> AddAsync(DateOnly from, int workingDays, CancellationToken ct);
}
