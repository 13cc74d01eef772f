using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rectify.Workflows.Calendar;

/// <summary>
/// The calendar as the runtime uses it: a cached <see cref="CalendarSnapshot"/>, reloaded when
/// <c>calendar_state.version</c> moved (every edit bumps it in the same transaction). Checking the version is one
/// primary-key read, so every node notices another node's edit at its next use without polling.
/// </summary>
public sealed class WorkingCalendar(NpgsqlDataSource db)
{
    private volatile CalendarSnapshot current = new([], -1);
    private readonly SemaphoreSlim reload = new(1, 1);

    private sealed record Row(DateOnly Day, string Kind, string Name, bool Provisional);

    /// <summary>The current calendar, read through <paramref name="connection"/> (inside the caller's transaction if any).</summary>
    public async Task<CalendarSnapshot> GetAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("select version from calendar_state where id = 1", transaction: tx, cancellationToken: ct));
        var snapshot = current;
        if (snapshot.Version == version) return snapshot;
        await reload.WaitAsync(ct);
        try
        {
            if (current.Version == version) return current;
            var loaded = await ReadAsync(connection, version, tx, ct);
            current = loaded;
            return loaded;
        }
        finally
        {
            reload.Release();
        }
    }

    /// <summary>
    /// The calendar as stored now, read without the cache: for one-off readers (documents, import) that hold a
    /// connection but not this service.
    /// </summary>
    public static async Task<CalendarSnapshot> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("select version from calendar_state where id = 1", cancellationToken: ct));
        return await ReadAsync(connection, version, null, ct);
    }

    private static async Task<CalendarSnapshot> ReadAsync(NpgsqlConnection connection, long version, NpgsqlTransaction? tx, CancellationToken ct)
    {
        const string sql = "select day, kind, name, provisional from calendar_days";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
        return new CalendarSnapshot(rows.Select(r => new CalendarDay(r.Day, r.Kind, r.Name, r.Provisional)), version);
    }

    /// <summary>
    /// The current calendar for a reader outside any transaction (message text, pages): the version is checked at most
    /// once per <see cref="Freshness"/>, so a storm of messages does not cost a connection and a query each. An edit on
    /// this node is seen at once (<see cref="Invalidate"/>); another node's edit within that second.
    /// The runtime's transactions use <see cref="GetAsync(NpgsqlConnection, CancellationToken, NpgsqlTransaction?)"/>,
    /// which always checks.
    /// </summary>
    public async Task<CalendarSnapshot> GetAsync(CancellationToken ct)
    {
        var snapshot = current;
        if (snapshot.Version >= 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref checkedAt)) < Freshness) return snapshot;
        var started = Stopwatch.GetTimestamp();
        await using var connection = await db.OpenConnectionAsync(ct);
        var result = await GetAsync(connection, ct);
        Interlocked.Exchange(ref checkedAt, started);
        return result;
    }

    /// <summary>How long a reader outside a transaction trusts the last version check.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private long checkedAt;

    /// <summary>Forgets the cache (after an edit on this node; other nodes notice the version).</summary>
    public void Invalidate() => current = new CalendarSnapshot([], -1);
}

/// <summary>
/// Loads the shipped holiday file (embedded holidays-cn.json, source noted inside) for each year not loaded before.
/// A year is loaded once: days an operator edits or deletes later stay as the operator left them.
/// </summary>
public sealed class CalendarSeeder(NpgsqlDataSource db, WorkingCalendar calendar, ILogger<CalendarSeeder> logger)
{
    public sealed record SeedFile(string Source, List<SeedYear> Years);
    public sealed record SeedYear(int Year, bool Provisional, List<SeedDay> Days);
    public sealed record SeedDay(string Date, string Kind, string Name);

    public static SeedFile Read()
    {
        using var stream = typeof(CalendarSeeder).Assembly.GetManifestResourceStream("Rectify.Workflows.Calendar.holidays-cn.json")
            ?? throw new InvalidOperationException("holidays-cn.json is not embedded");
        return JsonSerializer.Deserialize<SeedFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public async Task SeedAsync(CancellationToken ct)
    {
        var file = Read();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seeded = await connection.ExecuteScalarAsync<int[]>(new CommandDefinition(
            "select seeded_years from calendar_state where id = 1 for update", transaction: tx, cancellationToken: ct)) ?? [];
        var added = 0;
        foreach (var year in file.Years.Where(y => !seeded.Contains(y.Year)))
        {
            const string sql = """
                insert into calendar_days(day, kind, name, provisional)
                select d, k, n, @provisional from unnest(@dates, @kinds, @names) as t(d, k, n)
                on conflict (day) do nothing
                """;
            added += await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                provisional = year.Provisional,
                dates = year.Days.Select(d => DateOnly.ParseExact(d.Date, "yyyy-MM-dd")).ToArray(),
                kinds = year.Days.Select(d => d.Kind).ToArray(),
                names = year.Days.Select(d => d.Name).ToArray(),
            }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "update calendar_state set seeded_years = array_append(seeded_years, @year), version = version + 1 where id = 1",
                new { year = year.Year }, tx, cancellationToken: ct));
            logger.LogInformation("Calendar {Year} loaded from the shipped holiday file{Provisional}", year.Year, year.Provisional ? " (provisional)" : "");
        }
        await tx.CommitAsync(ct);
        if (added > 0) calendar.Invalidate();
    }
}
