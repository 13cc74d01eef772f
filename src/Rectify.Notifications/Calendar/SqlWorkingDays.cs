using Dapper;
using Npgsql;

namespace Rectify.Notifications.Calendar;

/// <summary>
/// Working days from table <c>calendar_days(date, kind holiday|workday, name)</c> when it exists (the runtime adds it),
/// otherwise Monday to Friday. Exceptions are cached per year for a short while: the calendar changes a few times a
/// year and the dispatcher asks for every message.
/// </summary>
public sealed class SqlWorkingDays(NpgsqlDataSource db, TimeProvider clock) : IWorkingDays
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly Lock gate = new();
    private readonly Dictionary<int, (DateTimeOffset LoadedAt, IReadOnlyDictionary<DateOnly, bool> Exceptions)> years = [];

    public async Task<bool> IsWorkingDayAsync(DateOnly date, CancellationToken ct)
    {
        var exceptions = await YearAsync(date.Year, ct);
        if (exceptions.TryGetValue(date, out var working)) return working;
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    public async Task<int> CountAsync(DateOnly after, DateOnly upTo, CancellationToken ct)
    {
        var count = 0;
        for (var d = after.AddDays(1); d <= upTo; d = d.AddDays(1))
            if (await IsWorkingDayAsync(d, ct)) count++;
        return count;
    }

    public async Task<DateOnly> AddAsync(DateOnly from, int workingDays, CancellationToken ct)
    {
        var d = from;
        for (var left = workingDays; left > 0;)
        {
            d = d.AddDays(1);
            if (await IsWorkingDayAsync(d, ct)) left--;
        }
        return d;
    }

    private async Task<IReadOnlyDictionary<DateOnly, bool>> YearAsync(int year, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (years.TryGetValue(year, out var cached) && now - cached.LoadedAt < CacheFor && now >= cached.LoadedAt) return cached.Exceptions;
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select to_regclass('calendar_days') is not null", cancellationToken: ct));
        var exceptions = new Dictionary<DateOnly, bool>();
        if (exists)
        {
            const string sql = """
                select "date" as Date, kind as Kind from calendar_days
                where "date" >= make_date(@year, 1, 1) and "date" < make_date(@year + 1, 1, 1)
                """;
            foreach (var row in await connection.QueryAsync<(DateOnly Date, string Kind)>(new CommandDefinition(sql, new { year }, cancellationToken: ct)))
                exceptions[row.Date] = row.Kind == "workday";
        }
        lock (gate) years[year] = (now, exceptions);
        return exceptions;
    }
}
