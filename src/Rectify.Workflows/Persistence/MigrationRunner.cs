using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rectify.Workflows.Persistence;

/// <summary>A migration that could not be applied; names the file so an operator knows where to look.</summary>
public sealed class MigrationFailedException(string file, Exception inner)
    : Exception($"Migration {file} failed: {inner.Message}", inner)
{
    public string File { get; } = file;
}

/// <summary>
/// Applies the numbered <c>NNNN_description.sql</c> files embedded in this assembly, in order, each in its own
/// transaction, under a session advisory lock so that several nodes starting at once apply each file once. A file that
/// rewrites the rows of a table says so in a line <c>-- vacuum after migrating: items, assignments</c>: once every file
/// is applied those tables are vacuumed and analysed (outside any transaction, still under the lock), so the upgraded
/// service does not start on a table of dead row versions and a cleared visibility map (issue 17: migration 0980 rewrote
/// every item row and a deep page of a million-item campaign took 290 ms instead of 69 until a vacuum).
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // Arbitrary but fixed: every node must use the same key.
    private const long AdvisoryLockKey = 0x5265637469667901;

    public static IReadOnlyList<(string Name, string Sql)> EmbeddedMigrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "Rectify.Workflows.Persistence.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Sql: Read(assembly, n)))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    public Task<int> MigrateAsync(CancellationToken ct) => MigrateAsync(EmbeddedMigrations(), ct);

    /// <summary>Applies the given migrations (tests pass their own list to prove failure handling).</summary>
    public async Task<int> MigrateAsync(IReadOnlyList<(string Name, string Sql)> migrations, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: ct));
        try
        {
            const string ensureTable = """
                create table if not exists schema_migrations (
                    name       text primary key,
                    applied_at timestamptz not null default now()
                )
                """;
            await connection.ExecuteAsync(new CommandDefinition(ensureTable, cancellationToken: ct));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("select name from schema_migrations", cancellationToken: ct))).ToHashSet();
            var count = 0;
            var vacuum = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, sql) in migrations)
            {
                if (applied.Contains(name)) continue;
                var tables = TablesToVacuum(name, sql);
                await using var tx = await connection.BeginTransactionAsync(ct);
                try
                {
                    await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct, commandTimeout: 600));
                    await connection.ExecuteAsync(new CommandDefinition("insert into schema_migrations(name) values (@name)", new { name }, tx, cancellationToken: ct));
                    await tx.CommitAsync(ct);
                }
                catch (PostgresException ex)
                {
                    throw new MigrationFailedException(name, ex);
                }
                logger.LogInformation("Applied migration {Migration}", name);
                foreach (var table in tables) vacuum.TryAdd(table, name);
                count++;
            }
            await VacuumAsync(connection, vacuum, ct);
            return count;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>True when every embedded migration is recorded as applied.</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select to_regclass('schema_migrations') is not null", cancellationToken: ct));
        if (!exists) return false;
        var applied = (await connection.QueryAsync<string>(new CommandDefinition("select name from schema_migrations", cancellationToken: ct))).ToHashSet();
        return EmbeddedMigrations().All(m => applied.Contains(m.Name));
    }

    /// <summary>Vacuums each table asked for (the first migration that asked it, for the error).</summary>
    private async Task VacuumAsync(NpgsqlConnection connection, IReadOnlyDictionary<string, string> tables, CancellationToken ct)
    {
        foreach (var (table, name) in tables)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await connection.ExecuteAsync(new CommandDefinition($"vacuum (analyze) {table}", cancellationToken: ct, commandTimeout: 0));
            }
            catch (PostgresException ex)
            {
                throw new MigrationFailedException(name, ex);
            }
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            logger.LogInformation("Vacuumed and analysed {Table} after migrating in {Seconds:F1} s", table, seconds);
        }
    }

    /// <summary>The tables a migration asks to vacuum after it (<c>-- vacuum after migrating: a, b</c>); a name that is
    /// not a plain lower-case identifier fails the migration by its file name, like an error in its SQL.</summary>
    private static IReadOnlyList<string> TablesToVacuum(string name, string sql)
    {
        const string marker = "-- vacuum after migrating:";
        var tables = new List<string>();
        foreach (var line in sql.Split('\n'))
        {
            if (!line.StartsWith(marker, StringComparison.Ordinal)) continue;
            foreach (var table in line[marker.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!PlainIdentifier().IsMatch(table))
                    throw new MigrationFailedException(name, new FormatException($"'{table}' is not a table name to vacuum"));
                tables.Add(table);
            }
        }
        return tables;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex PlainIdentifier();

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
