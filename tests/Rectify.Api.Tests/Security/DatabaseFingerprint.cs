using Dapper;
using Npgsql;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// A cheap digest of every table a client write could change (row count and a hash of the rows), taken before and after
/// refused requests: the fuzz pass and the hostile-input tests both assert that a refused request changed nothing.
/// </summary>
public sealed class DatabaseFingerprint
{
    /// <summary>Tables whose rows legitimately change without a client write (background work, sessions, throttling).</summary>
    private static readonly HashSet<string> Volatile = new(StringComparer.Ordinal)
    {
        "outbox", "outbox_attempts", "auth_tokens", "sign_in_failures", "app_settings", "schema_migrations", "timers",
        "idempotency_keys", "timer_runs", "node_heartbeats", "calendar_cache", "data_protection_keys",
    };

    private readonly NpgsqlDataSource db;
    private readonly string sql;

    private DatabaseFingerprint(NpgsqlDataSource db, IEnumerable<string> tables)
    {
        this.db = db;
        sql = string.Join(" union all ", tables.Select(t =>
            $"select '{t}' as t, count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text as h from \"{t}\" x"));
    }

    /// <summary>The fingerprint of the application's tables (not the volatile ones, not a job scheduler's own).</summary>
    public static async Task<DatabaseFingerprint> OfAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var all = await connection.QueryAsync<string>("select tablename from pg_tables where schemaname = 'public'");
        return new DatabaseFingerprint(db, all.Where(t => !Volatile.Contains(t) && !t.StartsWith("qrtz_", StringComparison.Ordinal)).Order());
    }

    public async Task<string> TakeAsync()
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string T, string H)>(sql);
        return string.Join("|", rows.Select(r => r.T + "=" + r.H));
    }
}
