using Rectify.Workflows.Calendar;

namespace Rectify.Workflows.Tests.Calendar;

/// <summary>Working-day arithmetic on the shipped 2026/2027 calendar (pure, no database).</summary>
public sealed class CalendarArithmeticTests
{
    private static readonly CalendarSnapshot Cn = new(
        CalendarSeeder.Read().Years.SelectMany(y => y.Days.Select(d => new CalendarDay(DateOnly.Parse(d.Date), d.Kind, d.Name, y.Provisional))), 1);

    private static DateOnly D(string s) => DateOnly.Parse(s);

    [Theory]
    [InlineData("2026-10-01", false)] // National Day, a Thursday
    [InlineData("2026-10-10", true)]  // adjusted working Saturday (调休)
    [InlineData("2026-09-20", true)]  // adjusted working Sunday
    [InlineData("2026-10-11", false)] // ordinary Sunday
    [InlineData("2026-06-19", false)] // Dragon Boat, a Friday
    [InlineData("2026-02-14", true)]  // Spring Festival 调休 Saturday
    [InlineData("2026-11-23", true)]  // ordinary Monday
    public void IsWorkingDay_FollowsTheStateCouncilSchedule(string date, bool working) => Cn.IsWorkingDay(D(date)).ShouldBe(working);

    [Fact]
    public void AddWorkingDays_SkipsTheGoldenWeekAndCountsTheAdjustedSaturday()
    {
        // Wed 30 Sep → Oct 1-7 holidays, Thu 8, Fri 9, Sat 10 (调休), Mon 12.
        Cn.AddWorkingDays(D("2026-09-30"), 1).ShouldBe(D("2026-10-08"));
        Cn.AddWorkingDays(D("2026-09-30"), 3).ShouldBe(D("2026-10-10"));
        Cn.AddWorkingDays(D("2026-09-30"), 4).ShouldBe(D("2026-10-12"));
    }

    [Fact]
    public void AddWorkingDays_AcrossTheYearBoundary()
    {
        // Thu 31 Dec 2026 → Fri 1 Jan 2027 is New Year's Day → Mon 4 Jan 2027.
        Cn.AddWorkingDays(D("2026-12-31"), 1).ShouldBe(D("2027-01-04"));
    }

    [Fact]
    public void AddWorkingDays_NewYear2026_CountsTheWorkingSunday()
    {
        Cn.AddWorkingDays(D("2025-12-31"), 1).ShouldBe(D("2026-01-04"));
    }

    [Fact]
    public void DeadlineOnAHoliday_UrgeOnTheFirstWorkingDayAfter()
    {
        // A deadline on 1 October: the first working day after it is Thursday 8 October.
        Cn.AddWorkingDays(D("2026-10-01"), 1).ShouldBe(D("2026-10-08"));
        Cn.OnOrBefore(D("2026-10-01")).ShouldBe(D("2026-09-30"));
        Cn.OnOrAfter(D("2026-10-03")).ShouldBe(D("2026-10-08"));
    }

    [Fact]
    public void WorkingDaysBetween_CountsExclusiveInclusive()
    {
        Cn.WorkingDaysBetween(D("2026-09-30"), D("2026-10-12")).ShouldBe(4);
        Cn.WorkingDaysBetween(D("2026-10-12"), D("2026-10-12")).ShouldBe(0);
    }

    [Fact]
    public void WeekendsOnly_WithoutExceptions()
    {
        CalendarSnapshot.WeekendsOnly.AddWorkingDays(D("2030-05-03"), 1).ShouldBe(D("2030-05-06"));
    }

    [Fact]
    public void LocalTime_NineOClockShanghai_IsOneUtc()
    {
        LocalTime.At(D("2026-06-23"), new TimeOnly(9, 0), LocalTime.Zone("Asia/Shanghai")).ShouldBe(new DateTimeOffset(2026, 6, 23, 1, 0, 0, TimeSpan.Zero));
    }
}
