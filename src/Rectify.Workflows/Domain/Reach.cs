using System.Globalization;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Domain;

/// <summary>
/// How far dates and periods may reach (issue 19: well-formed but extreme values made the schedule arithmetic throw —
/// a deadline in 9999 has no working day after it, <c>P100000Y</c> overflows <c>AddMonths</c>). Checked at every edge
/// that takes them: the API (campaigns, items, events, talks), the importer and workflow definitions.
/// <list type="bullet">
/// <item>Dates (deadlines, phase starts and ends, notice dates, an extension's or a reopening's new deadline, a talk's
/// date): not before <see cref="Earliest"/>, not more than <see cref="YearsAhead"/> years after the campaign's basis —
/// its notice date, or the day it was created when it has none. A campaign's own notice date: at most
/// <see cref="YearsAhead"/> years after today.</item>
/// <item>An ongoing item's report cadence (<c>reportEvery</c>): from <c>P1D</c> to <c>P1Y</c> (at most 12 months,
/// 52 weeks or 366 days; months and days not mixed beyond a year).</item>
/// </list>
/// </summary>
public static class Reach
{
    public static readonly DateOnly Earliest = new(2000, 1, 1);

    public const int YearsAhead = 10;

    public const int MaxCadenceDays = 366;

    public const int MaxCadenceMonths = 12;

    /// <summary>The latest date a campaign based on <paramref name="basis"/> may name.</summary>
    public static DateOnly Latest(DateOnly basis) => basis.Year > DateOnly.MaxValue.Year - YearsAhead ? DateOnly.MaxValue : basis.AddYears(YearsAhead);

    /// <summary>A campaign's basis: its notice date, else the local day it was created on.</summary>
    public static DateOnly Basis(DateOnly? noticeDate, DateTimeOffset createdAt, string timeZone) =>
        noticeDate ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(createdAt, Rectify.Workflows.Calendar.LocalTime.Zone(timeZone)).DateTime);

    /// <summary>The field error for <paramref name="date"/> in a campaign based on <paramref name="basis"/>, or null.</summary>
    public static string? DateProblem(DateOnly date, DateOnly basis)
    {
        if (date < Earliest)
            return $"日期不能早于 {Format(Earliest)} / the date cannot be before {Format(Earliest)}";
        var latest = Latest(basis);
        if (date > latest)
            return $"日期不能晚于 {Format(latest)}（整改工作发文或创建后 {YearsAhead} 年内）/ the date cannot be after {Format(latest)} ({YearsAhead} years after the campaign's notice or creation)";
        return null;
    }

    /// <summary>The field error for a campaign's own notice date, given today, or null.</summary>
    public static string? NoticeDateProblem(DateOnly date, DateOnly today) => DateProblem(date, today);

    /// <summary>The field error for a report cadence (an ISO 8601 period of whole days, weeks, months or years), or null.</summary>
    public static string? CadenceProblem(string duration)
    {
        if (!Iso.TryPeriod(duration, out var months, out var days))
            return "必须是 ISO 8601 时长，如 P1M、P2W、P10D / must be an ISO 8601 duration such as P1M";
        if (months > MaxCadenceMonths || days > MaxCadenceDays || (months == MaxCadenceMonths && days > 0) || (months > 0 && days > 0 && months * 31 + days > MaxCadenceDays))
            return $"报送周期不能超过一年（P1D 至 P1Y）/ the report cadence must be between P1D and P1Y";
        return null;
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
