using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Calendar;

/// <summary>
/// The reads of the working-day calendar that the API (<c>GET /api/calendar/{year}</c>) and the calendar screen share
/// (issue 18: pages call queries, not endpoint handlers). Everyone signed in reads it.
/// </summary>
public static class CalendarQueries
{
    /// <summary>Whether <paramref name="year"/> is one the calendar keeps (1900 to 2200); another is not found.</summary>
    public static bool IsKnownYear(int year) => year is >= 1900 and <= 2200;

    /// <summary>
    /// The days of a year that differ from the week's rhythm: holidays on weekdays and working weekend days (调休), by
    /// date; null for a year outside <see cref="IsKnownYear"/>.
    /// </summary>
    public static async Task<CalendarYearDto?> GetYearAsync(NpgsqlConnection connection, int year, CancellationToken ct)
    {
        if (!IsKnownYear(year)) return null;
        const string sql = """
            select day, kind, name, provisional from calendar_days
            where day >= make_date(@year, 1, 1) and day < make_date(@year + 1, 1, 1)
              and ((kind = 'holiday' and extract(isodow from day) < 6) or (kind = 'workday' and extract(isodow from day) >= 6))
            order by day
            """;
        var rows = await connection.QueryAsync<(DateTime Day, string Kind, string Name, bool Provisional)>(
            new CommandDefinition(sql, new { year }, cancellationToken: ct));
        var days = rows.Select(r => new CalendarDayDto(DateOnly.FromDateTime(r.Day), r.Kind, r.Name, r.Provisional)).ToList();
        return new CalendarYearDto(year, days);
    }
}
