using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Tests.Definitions;

/// <summary>Each unit's record from its own parts (issue 12): a unit is never late because a sibling is.</summary>
public sealed class UnitRecordsTests
{
    // Deadline Monday 22 June 2026; Thursday 25 June made a holiday, so lateness counts working days.
    private static readonly DateOnly Deadline = new(2026, 6, 22);
    private static readonly DateOnly Today = new(2026, 6, 30);
    private static readonly CalendarSnapshot Calendar = new([new CalendarDay(new DateOnly(2026, 6, 25), CalendarDayKinds.Holiday, "测试假日")], 1);

    private static AssignmentFact Part(string unit, string state, DateOnly? completedOn = null, string itemState = "inProgress", bool acknowledged = true,
        string[]? levels = null, int missed = 0, Guid? item = null) =>
        new(item ?? Guid.NewGuid(), unit, "responsible", state, acknowledged, completedOn, itemState, Deadline, levels ?? [], missed);

    [Fact]
    public void From_SiblingsOfOneItem_EachCountsItsOwnPart()
    {
        var item = Guid.NewGuid();
        var records = UnitRecords.From(
        [
            Part("onTime", "completed", new DateOnly(2026, 6, 22), item: item),
            Part("late", "completed", new DateOnly(2026, 6, 26), levels: ["urge"], item: item),
            Part("open", "assigned", acknowledged: false, levels: ["urge", "supervisionLetter"], item: item),
        ], Today, Calendar).ToDictionary(r => r.Unit);

        var onTime = records["onTime"];
        (onTime.Assigned, onTime.Completed, onTime.ClosedOnTime, onTime.ClosedLate, onTime.Overdue, onTime.OverdueDays, onTime.Escalations)
            .ShouldBe((1, 1, 1, 0, 0, 0, 0));
        // Tue 23, Wed 24, (Thu 25 holiday), Fri 26: three working days late.
        var late = records["late"];
        (late.ClosedOnTime, late.ClosedLate, late.Overdue, late.OverdueDays, late.Escalations).ShouldBe((0, 1, 0, 3, 1));
        // Still open on Tue 30 June: 23, 24, 26, 29, 30 = five working days; never signed.
        var open = records["open"];
        (open.Acknowledged, open.Completed, open.Overdue, open.OverdueDays, open.Escalations).ShouldBe((0, 0, 1, 5, 2));
        open.LevelsReached["supervisionLetter"].ShouldBe(1);
        open.LevelsReached["admonitoryTalk"].ShouldBe(0);
    }

    [Fact]
    public void From_WithdrawnPartsAndDraftItems_CountApart_AClosedItemMakesNoOneLate()
    {
        var records = UnitRecords.From(
        [
            Part("u", "withdrawn"),
            Part("u", "assigned", itemState: "draft"),
            Part("u", "inProgress", itemState: "withdrawn"),
            Part("u", "inProgress", itemState: "closed"),
            Part("u", "inProgress", missed: 2),
        ], Today, Calendar);
        var u = records.ShouldHaveSingleItem();
        (u.Assigned, u.Overdue, u.OverdueDays, u.MissedReports).ShouldBe((2, 1, 5, 2));
    }

    [Fact]
    public void From_NoDeadline_NeverLate()
    {
        var ongoing = new AssignmentFact(Guid.NewGuid(), "u", "lead", "inProgress", true, null, "inProgress", null, [], 1);
        var u = UnitRecords.From([ongoing], Today, Calendar).ShouldHaveSingleItem();
        (u.Overdue, u.OverdueDays, u.ClosedLate, u.MissedReports).ShouldBe((0, 0, 0, 1));
    }
}
