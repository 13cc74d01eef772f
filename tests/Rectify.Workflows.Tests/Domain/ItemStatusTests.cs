using Rectify.Workflows.Domain;

namespace Rectify.Workflows.Tests.Domain;

public sealed class ItemStatusTests
{
    private static readonly DateOnly Deadline = new(2026, 6, 10);

    [Theory]
    [InlineData("2026-06-10", 0)]
    [InlineData("2026-06-11", 1)]
    [InlineData("2026-07-10", 30)]
    public void OverdueDays_CountsFromTheDayAfterTheDeadline(string today, int expected) =>
        ItemStatus.OverdueDays(ItemStates.InProgress, Deadline, DateOnly.Parse(today)).ShouldBe(expected);

    [Fact]
    public void OverdueDays_ClosedOrDraft_IsZero()
    {
        ItemStatus.OverdueDays(ItemStates.Closed, Deadline, new DateOnly(2026, 7, 1)).ShouldBe(0);
        ItemStatus.OverdueDays(ItemStates.Draft, Deadline, new DateOnly(2026, 7, 1)).ShouldBe(0);
    }

    [Theory]
    [InlineData("2026-05-14", "green")]   // all of the time left
    [InlineData("2026-06-01", "green")]   // 10 of 28 days left: above 30%
    [InlineData("2026-06-05", "yellow")]  // 6 of 28 days left: under 30%
    [InlineData("2026-06-11", "red")]     // overdue
    public void Light_FollowsTimeLeft(string today, string expected) =>
        ItemStatus.Light(ItemStates.InProgress, Deadline, new DateOnly(2026, 5, 14), false, DateOnly.Parse(today)).ShouldBe(expected);

    [Fact]
    public void Light_UnacknowledgedTooLong_IsYellow() =>
        ItemStatus.Light(ItemStates.Assigned, Deadline, new DateOnly(2026, 5, 14), true, new DateOnly(2026, 5, 16)).ShouldBe("yellow");

    [Fact]
    public void LocalToday_UsesTheCampaignTimeZone()
    {
        // 17:00 UTC on 9 June is 01:00 on 10 June in Shanghai.
        ItemStatus.LocalToday(new DateTimeOffset(2026, 6, 9, 17, 0, 0, TimeSpan.Zero), "Asia/Shanghai").ShouldBe(new DateOnly(2026, 6, 10));
    }
}
