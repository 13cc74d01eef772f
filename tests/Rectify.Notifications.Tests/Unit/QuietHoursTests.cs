using Microsoft.Extensions.Options;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Dispatch;

namespace Rectify.Notifications.Tests.Unit;

public sealed class QuietHoursTests
{
    /// <summary>Weekends off, plus the given holidays and working weekend days.</summary>
    private sealed class FixedCalendar(DateOnly[] holidays, DateOnly[] workdays) : IWorkingDays
    {
        public Task<bool> IsWorkingDayAsync(DateOnly date, CancellationToken ct) =>
            Task.FromResult(workdays.Contains(date) || (!holidays.Contains(date) && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)));

        public Task<int> CountAsync(DateOnly after, DateOnly upTo, CancellationToken ct) => throw new NotSupportedException();
        public Task<DateOnly> AddAsync(DateOnly from, int workingDays, CancellationToken ct) => throw new NotSupportedException();
    }

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeOnly Eight = new(8, 0), Twenty = new(20, 0);
    private static DateTimeOffset Local(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    private static Task<DateTimeOffset> Next(DateTimeOffset now, DateOnly[]? holidays = null, DateOnly[]? workdays = null, TimeOnly? start = null, TimeOnly? end = null) =>
        new QuietHours(new FixedCalendar(holidays ?? [], workdays ?? [])).NextAllowedAsync(now, Shanghai, start ?? Twenty, end ?? Eight, CancellationToken.None);

    [Fact]
    public async Task NextAllowed_WorkingDayOfficeHours_IsNow() =>
        (await Next(Local(11, 23, 10))).ShouldBe(Local(11, 23, 10));

    [Fact]
    public async Task NextAllowed_EarlyMorning_IsEightSameDay() =>
        (await Next(Local(11, 24, 6, 30))).ShouldBe(Local(11, 24, 8));

    [Fact]
    public async Task NextAllowed_FridayEvening_IsMondayEight() =>
        (await Next(Local(11, 27, 20, 0))).ShouldBe(Local(11, 30, 8));

    [Fact]
    public async Task NextAllowed_BeforeHolidayWeek_SkipsHolidaysAndUsesAdjustedSaturday() =>
        (await Next(Local(9, 30, 21), holidays: [new(2026, 10, 1), new(2026, 10, 2)], workdays: [new(2026, 10, 3)])).ShouldBe(Local(10, 3, 8));

    [Fact]
    public async Task NextAllowed_DaytimeQuietWindow_WaitsUntilItEnds() =>
        (await Next(Local(11, 23, 12, 30), start: new TimeOnly(12, 0), end: new TimeOnly(14, 0))).ShouldBe(Local(11, 23, 14));

    [Fact]
    public async Task NextAllowed_ResultIsUtc() =>
        (await Next(Local(11, 24, 6))).Offset.ShouldBe(TimeSpan.Zero);
}

public sealed class RetryScheduleTests
{
    [Fact]
    public void DefaultSchedule_EightAttempts_SpanAboutADay()
    {
        var schedule = new RetrySchedule(Options.Create(new NotificationOptions()));
        var low = Enumerable.Range(1, 7).Sum(n => schedule.DelayAfter(n, 0).TotalHours);
        var high = Enumerable.Range(1, 7).Sum(n => schedule.DelayAfter(n, 1).TotalHours);
        low.ShouldBeInRange(12, 24);
        high.ShouldBeInRange(18, 30);
        schedule.DelayAfter(1, 0.5).ShouldBe(TimeSpan.FromMinutes(1));
        schedule.DelayAfter(3, 0.5).ShouldBe(TimeSpan.FromMinutes(9));
        schedule.IsLast(7).ShouldBeFalse();
        schedule.IsLast(8).ShouldBeTrue();
    }

    [Fact]
    public void Delay_IsCappedAndJittered()
    {
        var schedule = new RetrySchedule(Options.Create(new NotificationOptions { RetryMaxDelay = TimeSpan.FromHours(1) }));
        schedule.DelayAfter(20, 1).ShouldBe(TimeSpan.FromHours(1.2));
        schedule.DelayAfter(20, 0).ShouldBe(TimeSpan.FromHours(0.8));
    }
}
