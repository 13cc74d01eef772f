using System.Globalization;
using Dapper;
using Npgsql;

namespace Rectify.Bench;

/// <summary>
/// Where the database's time goes in one phase of the bench (issue 17.3): the statements that <c>pg_stat_statements</c>
/// saw between <see cref="StartAsync"/> and <see cref="ReportAsync"/>, top ones by execution time, per 1,000 timers.
/// Only when the server preloads the module (<c>BENCH_STATEMENTS=1 ./rectify.sh bench</c>, which also tracks the
/// statements that triggers run); otherwise nothing is printed and nothing changes. Execution time is wall-clock time
/// inside the server, so on a busy machine it counts waiting for a CPU too: the shares, not the milliseconds, carry over.
/// </summary>
public sealed class Statements
{
    private readonly NpgsqlDataSource source;

    private Statements(NpgsqlDataSource source) => this.source = source;

    /// <summary>Resets the statistics; null when the server has no pg_stat_statements loaded.</summary>
    public static async Task<Statements?> StartAsync(NpgsqlDataSource source)
    {
        await using var c = await source.OpenConnectionAsync();
        const string preloaded = "select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ','))";
        if (!await c.ExecuteScalarAsync<bool>(preloaded)) return null;
        await c.ExecuteAsync("create extension if not exists pg_stat_statements");
        await c.ExecuteAsync("select pg_stat_statements_reset(), pg_stat_reset_shared('wal')");
        return new Statements(source);
    }

    /// <summary>Prints the <paramref name="top"/> statements by total execution time since the start, per 1,000 timers.</summary>
    public async Task ReportAsync(string phase, int timers, int top, Action<string> say)
    {
        await using var c = await source.OpenConnectionAsync();
        const string sql = """
            select toplevel, calls, total_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110) as query
            from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
              and query not like '%pg_stat_statements%'
            order by total_exec_time desc limit @top
            """;
        const string sum = """
            select coalesce(sum(total_exec_time), 0) from pg_stat_statements
            where toplevel and dbid = (select oid from pg_database where datname = current_database())
            """;
        var rows = (await c.QueryAsync<(bool TopLevel, long Calls, double Total, long Rows, string Query)>(sql, new { top })).ToList();
        var all = await c.ExecuteScalarAsync<double>(sum);
        say($"{phase}: statements by execution time (pg_stat_statements), ms per 1,000 timers; top-level: {all * 1000 / timers:F0} ms");
        const string wal = "select wal_records, wal_fpi, wal_bytes from pg_stat_wal";
        var (records, images, bytes) = await c.QuerySingleAsync<(long, long, decimal)>(wal);
        double Per(double n) => n / timers;
        say(string.Create(CultureInfo.InvariantCulture,
            $"{phase}: WAL per timer (pg_stat_wal): {Per(records):F1} records, {Per(images):F2} page images, {Per((double)bytes):F0} B"));
        foreach (var r in rows)
        {
            var perCall = r.Rows / (double)Math.Max(1, r.Calls);
            say(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Total * 1000 / timers,7:F1} ms {(r.TopLevel ? "top " : "trig")} {r.Calls,7} calls {perCall,7:F1}/call {r.Query}"));
        }
    }
}
