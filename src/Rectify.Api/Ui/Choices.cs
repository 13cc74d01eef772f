using Dapper;
using Npgsql;

namespace Rectify.Api.Ui;

public sealed record Choice(string Value, string Label);

/// <summary>Options for the forms' drop-down lists.</summary>
public static class Choices
{
    public static async Task<IReadOnlyList<Choice>> UnitsAsync(NpgsqlConnection connection, string? kind, CancellationToken ct) =>
        (await connection.QueryAsync<Choice>(new CommandDefinition(
            "select code as Value, name as Label from units where (@kind::text is null or kind = @kind) order by kind, code",
            new { kind }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<Choice>> WorkflowsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (await connection.QueryAsync<Choice>(new CommandDefinition("""
            select distinct on (id) id as Value, name || ' (v' || version || ')' as Label
            from workflow_definitions order by id, version desc
            """, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<Choice>> PeopleAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (await connection.QueryAsync<Choice>(new CommandDefinition("""
            select p.id::text as Value, p.name || coalesce('（' || p.title || '）', '') || ' · ' || u.name as Label
            from people p join units u on u.code = p.unit_code order by u.code, p.name
            """, cancellationToken: ct))).ToList();
}
