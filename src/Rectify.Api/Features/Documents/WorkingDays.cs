using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// Working days for a date range: the exceptions maintained by the leading-group office (holidays on weekdays,
/// working weekend days 调休) over Monday–Friday. Pure once loaded, so a ledger of thousands of rows reads the
/// calendar once.
/// </summary>
public sealed class WorkingCalendar(IReadOnlyDictionary<DateOnly, bool> exceptions)
{
    public static readonly WorkingCalendar MondayToFriday = new(new Dictionary<DateOnly, bool>());

    public bool IsWorkingDay(DateOnly day) =>
        exceptions.TryGetValue(day, out var working) ? working : day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The n-th working day after <paramref name="start"/> (start itself not counted); n = 0 gives start.</summary>
    public DateOnly AddWorkingDays(DateOnly start, int n)
    {
        var day = start;
        for (var left = n; left > 0;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) left--;
        }
        return day;
    }

    /// <summary>Working days in (after, upTo]: "by 10 June" late on Friday 12 June is 2 working days late.</summary>
    public int WorkingDaysBetween(DateOnly after, DateOnly upTo)
    {
        var count = 0;
        for (var day = after.AddDays(1); day <= upTo; day = day.AddDays(1))
        {
            if (IsWorkingDay(day)) count++;
        }
        return count;
    }
}

/// <summary>Loads the working calendar for a range of dates.</summary>
public interface IWorkingCalendarSource
{
    Task<WorkingCalendar> LoadAsync(DateOnly from, DateOnly to, CancellationToken ct);
}

/// <summary>
/// Reads the runtime's <c>calendar_days(day, kind holiday|workday)</c> when that table exists and falls back to
/// Monday–Friday when it does not, so documents work before and after the runtime's calendar lands.
/// </summary>
public sealed class SqlWorkingCalendarSource(NpgsqlDataSource db) : IWorkingCalendarSource
{
    public async Task<WorkingCalendar> LoadAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await LoadAsync(connection, from, to, ct);
    }

    public static async Task<WorkingCalendar> LoadAsync(NpgsqlConnection connection, DateOnly from, DateOnly to, CancellationToken ct)
    {
        // The runtime's migration 0100 names the date column "day"; "date" is accepted too.
        const string probe = """
            select column_name from information_schema.columns
            where table_schema = current_schema() and table_name = 'calendar_days' and column_name in ('day', 'date', 'kind')
            """;
        var columns = (await connection.QueryAsync<string>(new CommandDefinition(probe, cancellationToken: ct))).ToHashSet();
        if (!columns.Contains("kind") || !(columns.Contains("day") || columns.Contains("date"))) return WorkingCalendar.MondayToFriday;
        const string byDay = "select day, kind from calendar_days where day between @from and @to";
        const string byDate = "select date as day, kind from calendar_days where date between @from and @to";
        var rows = await connection.QueryAsync<(DateOnly Day, string Kind)>(new CommandDefinition(
            columns.Contains("day") ? byDay : byDate, new { from, to }, cancellationToken: ct));
        return new WorkingCalendar(rows.ToDictionary(r => r.Day, r => r.Kind == "workday"));
    }
}
