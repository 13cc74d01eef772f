using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rectify.Workflows.Persistence;

namespace Rectify.TestSupport;

/// <summary>
/// A fresh database per test class, cloned from a template that was migrated once per test process.
/// The server is the throwaway PostgreSQL that <c>./rectify.sh test</c> starts (RECTIFY_TEST_PG).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? templateName;

    public string Name { get; }
    public string ConnectionString { get; }

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("RECTIFY_TEST_PG")
        ?? throw new InvalidOperationException("RECTIFY_TEST_PG is not set: run the tests with ./rectify.sh test, which starts a throwaway PostgreSQL.");

    /// <summary>A migrated, empty database of its own.</summary>
    public static async Task<TestDatabase> CreateAsync()
    {
        var template = await EnsureTemplateAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database {name} template {template}", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        return new TestDatabase(name, WithDatabase(name));
    }

    /// <summary>An empty database without any migration applied (to test the migrations themselves).</summary>
    public static async Task<TestDatabase> CreateEmptyAsync()
    {
        var name = "e_" + Guid.NewGuid().ToString("N")[..16];
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"create database {name}", admin);
        await cmd.ExecuteNonQueryAsync();
        return new TestDatabase(name, WithDatabase(name));
    }

    /// <summary>Wraps a database that something else created (a restore); disposing drops it.</summary>
    public static TestDatabase Existing(string name) => new(name, WithDatabase(name));

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop database if exists {Name} with (force)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string WithDatabase(string name) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;

    private static async Task<string> EnsureTemplateAsync()
    {
        if (templateName is not null) return templateName;
        await TemplateGate.WaitAsync();
        try
        {
            if (templateName is not null) return templateName;
            var name = $"tpl_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
            await using (var admin = new NpgsqlConnection(ServerConnectionString))
            {
                await admin.OpenAsync();
                await using var cmd = new NpgsqlCommand($"create database {name}", admin);
                await cmd.ExecuteNonQueryAsync();
            }
            DapperTypeHandlers.Register();
            await using (var source = NpgsqlDataSource.Create(WithDatabase(name)))
            {
                await new MigrationRunner(source, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
                // Hangfire's schema too, so each test class's node finds it installed (a version check, not DDL).
                await Rectify.Api.Jobs.JobsSchema.InstallAsync(source, CancellationToken.None);
            }
            // A template cannot be copied while anyone is connected to it.
            NpgsqlConnection.ClearAllPools();
            templateName = name;
            return name;
        }
        finally
        {
            TemplateGate.Release();
        }
    }
}
