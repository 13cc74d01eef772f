using Rectify.Workflows.Calendar;

namespace Rectify.Notifications.Calendar;

/// <summary>
/// Working days as the runtime counts them: the shared <see cref="WorkingCalendar"/> (table calendar_days, cached and
/// reloaded when any node edits it), so a message says "3 working days overdue" exactly when the ladder thinks so.
/// </summary>
public sealed class CalendarWorkingDays(WorkingCalendar calendar) : IWorkingDays
{
    public async Task<bool> IsWorkingDayAsync(DateOnly date, CancellationToken ct) =>
        (await calendar.GetAsync(ct)).IsWorkingDay(date);

    public async Task<int> CountAsync(DateOnly after, DateOnly upTo, CancellationToken ct) =>
        (await calendar.GetAsync(ct)).WorkingDaysBetween(after, upTo);

    public async Task<DateOnly> AddAsync(DateOnly from, int workingDays, CancellationToken ct) =>
        workingDays <= 0 ? from : (await calendar.GetAsync(ct)).AddWorkingDays(from, workingDays);
}
