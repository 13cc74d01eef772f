namespace Rectify.Workflows.Domain;

/// <summary>Red / yellow / green status lights (红黄绿灯) and overdue days, derived from an item's dates.</summary>
public static class ItemStatus
{
    public const string Green = "green";
    public const string Yellow = "yellow";
    public const string Red = "red";

    /// <summary>The local date "today" in a campaign's time zone.</summary>
    public static DateOnly LocalToday(DateTimeOffset now, string timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime);

    /// <summary>Calendar days past the deadline ("by 10 June" is late from 11 June); 0 when not late, closed, or not yet assigned.</summary>
    public static int OverdueDays(string state, DateOnly? effectiveDeadline, DateOnly today) =>
        state is ItemStates.Closed or ItemStates.Draft or ItemStates.Withdrawn || effectiveDeadline is not { } deadline || today <= deadline
            ? 0
            : today.DayNumber - deadline.DayNumber;

    /// <summary>
    /// Red when overdue; yellow when 30% or less of the time from assignment to the deadline is left, or when the item
    /// is still unacknowledged a full day after assignment; green otherwise (closed, draft and ongoing items included).
    /// </summary>
    public static string Light(string state, DateOnly? effectiveDeadline, DateOnly? assignedOn, bool unacknowledgedTooLong, DateOnly today)
    {
        if (state is ItemStates.Closed or ItemStates.Draft or ItemStates.Withdrawn) return Green;
        if (OverdueDays(state, effectiveDeadline, today) > 0) return Red;
        if (unacknowledgedTooLong) return Yellow;
        if (effectiveDeadline is not { } deadline) return Green;
        var start = assignedOn ?? today;
        var total = Math.Max(1, deadline.DayNumber - start.DayNumber + 1);
        var left = deadline.DayNumber - today.DayNumber + 1;
        return left <= total * 0.3 ? Yellow : Green;
    }

    /// <summary>
    /// A unit's own overdue days (issue 12): a part completed late keeps the days it was late, a part completed on time
    /// has none whatever its siblings do, a part still open counts like its item.
    /// </summary>
    public static int AssignmentOverdueDays(string itemState, string assignmentState, DateOnly? effectiveDeadline, DateOnly? completedOn, DateOnly today) =>
        assignmentState switch
        {
            "completed" => effectiveDeadline is { } d && completedOn is { } c && c > d ? c.DayNumber - d.DayNumber : 0,
            "withdrawn" => 0,
            _ => OverdueDays(itemState, effectiveDeadline, today),
        };

    /// <summary>A unit's own light: green once its part is completed (or withdrawn), else its item's light for its own signing.</summary>
    public static string AssignmentLight(string itemState, string assignmentState, DateOnly? effectiveDeadline, DateOnly? assignedOn, bool unacknowledgedTooLong, DateOnly today) =>
        assignmentState is "completed" or "withdrawn" ? Green : Light(itemState, effectiveDeadline, assignedOn, unacknowledgedTooLong, today);
}
