using System.Reflection;
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
/// transaction, under a session advisory lock so that several nodes starting at once apply each file once.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
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
            foreach (var (name, sql) in migrations)
            {
                if (applied.Contains(name)) continue;
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
                count++;
            }
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

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
