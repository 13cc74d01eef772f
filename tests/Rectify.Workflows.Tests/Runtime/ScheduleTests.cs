using Rectify.Workflows.Calendar;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Tests.Definitions;

namespace Rectify.Workflows.Tests.Runtime;

public sealed class ScheduleTests
{
    private static readonly Workflows.Definitions.WorkflowDefinition D = ShippedDefinitions.Load("rectification-campaign");
    private static readonly CalendarSnapshot Cn = new(
        CalendarSeeder.Read().Years.SelectMany(y => y.Days.Select(d => new CalendarDay(DateOnly.Parse(d.Date), d.Kind, d.Name))), 1);
    private static readonly TimeZoneInfo Shanghai = LocalTime.Zone("Asia/Shanghai");

    private static DateTimeOffset L(int m, int d, int h = 9) => new(2026, m, d, h, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void DeadlineSteps_MoveRemindersOffHolidaysAndKeepOnePerDay()
    {
        var steps = Schedule.DeadlineSteps(D, Cn, Shanghai, new DateOnly(2026, 6, 22), "none");
        steps.Select(s => (s.Name, s.DueAt)).ShouldBe(
        [
            ("reminder:T-7", L(6, 15)), ("reminder:T-1", L(6, 18)),
            ("escalation:urge", L(6, 23)), ("escalation:supervisionLetter", L(6, 26)),
            ("escalation:listedSupervision", L(7, 7)), ("escalation:admonitoryTalk", L(7, 14)),
        ]);
    }

    [Fact]
    public void DeadlineOnAHoliday_RemindsBeforeAndUrgesAfterTheGoldenWeek()
    {
        var steps = Schedule.DeadlineSteps(D, Cn, Shanghai, new DateOnly(2026, 10, 1), "none");
        steps.Single(s => s.Name == "reminder:T-7").DueAt.ShouldBe(L(9, 24));
        steps.Single(s => s.Name == "reminder:T-1").DueAt.ShouldBe(L(9, 30));
        steps.Single(s => s.Name == "escalation:urge").DueAt.ShouldBe(L(10, 8));
        steps.Single(s => s.Name == "escalation:supervisionLetter").DueAt.ShouldBe(L(10, 12)); // 8, 9, 10 (Sat 调休), 12
    }

    [Fact]
    public void FirstStep_SkipsPassedRemindersButNotPassedEscalations()
    {
        var steps = Schedule.DeadlineSteps(D, Cn, Shanghai, new DateOnly(2026, 6, 22), "none");
        Schedule.FirstStep(steps, "none", L(6, 16))!.Name.ShouldBe("reminder:T-1");
        Schedule.FirstStep(steps, "none", L(7, 1))!.Name.ShouldBe("escalation:urge");
        Schedule.FirstStep(steps, "supervisionLetter", L(7, 1))!.Name.ShouldBe("escalation:listedSupervision");
        Schedule.After(steps, "escalation:admonitoryTalk").ShouldBeNull();
    }

    [Fact]
    public void AcknowledgeBy_OneWorkingDayLater_SameMinute()
    {
        Schedule.AcknowledgeBy(D, Cn, Shanghai, new DateTimeOffset(2026, 9, 30, 15, 30, 42, TimeSpan.FromHours(8)))
            .ShouldBe(new DateTimeOffset(2026, 10, 8, 15, 30, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void PeriodicReports_MonthlyOnThe25th_ReminderThreeDaysBeforeOnAWorkingDay()
    {
        Schedule.NextReportDate(D, "P1M", new DateOnly(2026, 5, 10), new DateOnly(2026, 5, 10)).ShouldBe(new DateOnly(2026, 5, 25));
        Schedule.NextReportDate(D, "P1M", new DateOnly(2026, 5, 23), new DateOnly(2026, 5, 23)).ShouldBe(new DateOnly(2026, 6, 25));
        Schedule.NextReportDate(D, "P1M", new DateOnly(2026, 5, 10), new DateOnly(2026, 5, 25)).ShouldBe(new DateOnly(2026, 6, 25));
        var steps = Schedule.PeriodicSteps(D, Cn, Shanghai, new DateOnly(2026, 10, 25));
        steps[0].DueAt.ShouldBe(L(10, 22)); // 22 Oct is a Thursday
        steps[1].Name.ShouldBe("periodic:2026-10-25:escalation:urge");
        steps[1].DueAt.ShouldBe(L(10, 26)); // Sunday 25 → Monday 26
    }
}
