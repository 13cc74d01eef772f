using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Persistence;

namespace Rectify.Workflows.Tests.Persistence;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task Migrate_EmptyDatabase_AppliesEveryFileThenNothingTheSecondTime()
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        await using var source = db.CreateDataSource();
        var runner = new MigrationRunner(source, NullLogger<MigrationRunner>.Instance);
        var expected = MigrationRunner.EmbeddedMigrations().Count;
        (await runner.MigrateAsync(CancellationToken.None)).ShouldBe(expected);
        (await runner.MigrateAsync(CancellationToken.None)).ShouldBe(0);
        (await runner.IsUpToDateAsync(CancellationToken.None)).ShouldBeTrue();
        await using var connection = await source.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<int>("select count(*) from schema_migrations")).ShouldBe(expected);
    }

    [Fact]
    public async Task Migrate_SeveralNodesAtOnce_AppliesEachFileOnce()
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        var sources = Enumerable.Range(0, 4).Select(_ => db.CreateDataSource()).ToList();
        var results = await Task.WhenAll(sources.Select(s => new MigrationRunner(s, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None)));
        results.Sum().ShouldBe(MigrationRunner.EmbeddedMigrations().Count);
        foreach (var s in sources) await s.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_FailingFile_StopsWithItsNameAndKeepsEarlierOnes()
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        await using var source = db.CreateDataSource();
        var runner = new MigrationRunner(source, NullLogger<MigrationRunner>.Instance);
        var migrations = new List<(string, string)>
        {
            ("9001_good.sql", "create table good_one(id int)"),
            ("9002_broken.sql", "create tabel oops(id int)"),
            ("9003_never.sql", "create table never(id int)"),
        };
        var ex = await Should.ThrowAsync<MigrationFailedException>(() => runner.MigrateAsync(migrations, CancellationToken.None));
        ex.File.ShouldBe("9002_broken.sql");
        ex.Message.ShouldContain("9002_broken.sql");
        await using var connection = await source.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('good_one') is not null")).ShouldBeTrue();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('never') is not null")).ShouldBeFalse();
    }

    [Fact]
    public async Task Migrate_FileThatRewritesRows_VacuumsAndAnalysesTheTablesItNames()
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        await using var source = db.CreateDataSource();
        var runner = new MigrationRunner(source, NullLogger<MigrationRunner>.Instance);
        var migrations = new List<(string, string)>
        {
            ("9001_table.sql", "create table rewritten(id int, v int); insert into rewritten select generate_series(1, 5000), 0"),
            ("9002_rewrite.sql", "-- every row gets a new version\n-- vacuum after migrating: rewritten\nupdate rewritten set v = id"),
            ("9003_other.sql", "create table untouched(id int); insert into untouched select generate_series(1, 100)"),
        };
        (await runner.MigrateAsync(migrations, CancellationToken.None)).ShouldBe(3);
        await using var connection = await source.OpenConnectionAsync();
        // The vacuum's own report (last_vacuum, last_analyze: a manual VACUUM, never autovacuum's columns). Not the dead
        // rows: the other tests' open transactions on the same server may keep the old versions, and the update's count
        // of dead rows can reach the statistics after the vacuum's.
        const string stats = """
            select s.last_vacuum is not null as vacuumed, s.last_analyze is not null as analysed
            from pg_stat_user_tables s where s.relname = @table
            """;
        Task<(bool Vacuumed, bool Analysed)> Stats(string table) => connection.QuerySingleAsync<(bool, bool)>(stats, new { table });
        (await Stats("rewritten")).ShouldBe((true, true));
        (await Stats("untouched")).Vacuumed.ShouldBeFalse();
    }

    [Theory]
    [InlineData("rewritten; drop table good_one")]
    [InlineData("\"Rewritten\"")]
    public async Task Migrate_VacuumLineNamingNoPlainTable_FailsByFileBeforeApplyingIt(string tables)
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        await using var source = db.CreateDataSource();
        var runner = new MigrationRunner(source, NullLogger<MigrationRunner>.Instance);
        var migrations = new List<(string, string)>
        {
            ("9001_good.sql", "create table good_one(id int)"),
            ("9002_odd.sql", $"-- vacuum after migrating: {tables}\ncreate table odd(id int)"),
        };
        var ex = await Should.ThrowAsync<MigrationFailedException>(() => runner.MigrateAsync(migrations, CancellationToken.None));
        ex.File.ShouldBe("9002_odd.sql");
        await using var connection = await source.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('good_one') is not null")).ShouldBeTrue();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('odd') is not null")).ShouldBeFalse();
    }

    [Fact]
    public async Task IsUpToDate_OnEmptyDatabase_IsFalse()
    {
        await using var db = await TestDatabase.CreateEmptyAsync();
        await using var source = db.CreateDataSource();
        (await new MigrationRunner(source, NullLogger<MigrationRunner>.Instance).IsUpToDateAsync(CancellationToken.None)).ShouldBeFalse();
    }
}
