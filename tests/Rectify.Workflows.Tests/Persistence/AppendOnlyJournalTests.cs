using Dapper;
using Npgsql;
using Rectify.TestSupport;

namespace Rectify.Workflows.Tests.Persistence;

public sealed class AppendOnlyJournalTests
{
    public static TheoryData<string> Journals => new() { "admin_journal", "journal" };

    [Theory]
    [MemberData(nameof(Journals))]
    public async Task Journal_AcceptsInsertsButRefusesUpdateDeleteAndTruncate(string table)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var source = db.CreateDataSource();
        await using var connection = await source.OpenConnectionAsync();
        var columns = (await connection.QueryAsync<string>(
            "select column_name from information_schema.columns where table_name = @table and is_nullable = 'NO' and column_default is null and is_identity = 'NO'",
            new { table })).ToList();
        if (await connection.ExecuteScalarAsync<long>($"select count(*) from {table}") == 0)
        {
            // The journal's references are checked when it is written (0101): give its row a campaign to name.
            if (table == "journal")
            {
                await new OrgBuilder(source).UnitAsync("aoj-lg", "审计测试办公室", "leadingGroup");
                await connection.ExecuteAsync("""
                    insert into workflow_definitions(id, version, name, definition) values ('aoj-flow', 1, '审计测试流程', '{}') on conflict do nothing;
                    insert into campaigns(id, title, issued_by_unit, workflow_id, workflow_version)
                    values ('00000000-0000-0000-0000-00000000a0a0', '审计测试', 'aoj-lg', 'aoj-flow', 1) on conflict do nothing;
                    """);
            }
            // A row of plausible values for the required columns, so there is something to try to change.
            var types = (await connection.QueryAsync<(string Name, string Type)>(
                "select column_name, data_type from information_schema.columns where table_name = @table", new { table })).ToDictionary(c => c.Name, c => c.Type);
            var values = columns.Select(c => types[c] switch
            {
                "uuid" when c == "campaign_id" => "'00000000-0000-0000-0000-00000000a0a0'",
                "uuid" => "gen_random_uuid()",
                "timestamp with time zone" => "now()",
                "integer" or "bigint" => "1",
                "jsonb" => "'{}'::jsonb",
                "boolean" => "false",
                _ => "'x'",
            });
            await connection.ExecuteAsync($"insert into {table}({string.Join(",", columns)}) values ({string.Join(",", values)})");
        }
        (await connection.ExecuteScalarAsync<long>($"select count(*) from {table}")).ShouldBeGreaterThan(0);
        foreach (var statement in new[] { $"update {table} set {columns[0]} = {columns[0]}", $"delete from {table}", $"truncate {table} cascade" })
        {
            var ex = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync(statement));
            ex.MessageText.ShouldContain("append-only");
        }
    }
}
