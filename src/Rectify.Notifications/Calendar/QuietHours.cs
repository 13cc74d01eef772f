namespace Rectify.Notifications.Calendar;

/// <summary>
/// When a message may go out: on working days, outside the quiet window (default 20:00–08:00 local). A window whose
/// start is after its end crosses midnight; equal start and end means no quiet time within a working day.
/// </summary>
public sealed class QuietHours(IWorkingDays workingDays)
{
    /// <summary>The first instant at or after <paramref name="now"/> when sending is allowed.</summary>
    public async Task<DateTimeOffset> NextAllowedAsync(DateTimeOffset now, TimeZoneInfo zone, TimeOnly quietStart, TimeOnly quietEnd, CancellationToken ct)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        for (var day = today; day <= today.AddDays(60); day = day.AddDays(1))
        {
            if (!await workingDays.IsWorkingDayAsync(day, ct)) continue;
            foreach (var (from, to) in AllowedWindows(quietStart, quietEnd))
            {
                var start = At(day, from, zone);
                var end = to is { } t ? At(day, t, zone) : At(day.AddDays(1), TimeOnly.MinValue, zone);
                if (now < start) return start;
                if (now < end) return now;
            }
        }
        // A calendar without a working day for two months is a data error; do not hold messages forever.
        return now;
    }

    /// <summary>Allowed [from, to) windows within one day; to = null means midnight at the end of the day.</summary>
    private static IEnumerable<(TimeOnly From, TimeOnly? To)> AllowedWindows(TimeOnly quietStart, TimeOnly quietEnd)
    {
        if (quietStart == quietEnd) { yield return (TimeOnly.MinValue, null); yield break; }
        if (quietStart > quietEnd) { yield return (quietEnd, quietStart); yield break; }
        yield return (TimeOnly.MinValue, quietStart);
        yield return (quietEnd, null);
    }

    public static DateTimeOffset At(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        // A local time skipped by a DST change does not exist; move past the gap (China has no DST, other zones may).
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
