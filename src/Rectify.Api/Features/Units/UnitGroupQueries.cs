using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Units;

/// <summary>
/// The reads of unit groups and unit aliases that the API (<c>GET /api/unit-groups</c>, <c>GET /api/unit-aliases</c>), the
/// importer and the unit-groups screen share (issue 18: pages call queries, not endpoint handlers). Everyone signed in
/// may read them.
/// </summary>
public static class UnitGroupQueries
{
    /// <summary>Every group with its aliases and member units, by name.</summary>
    public static async Task<IReadOnlyList<UnitGroupDto>> ListAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            select g.name, g.aliases,
                   coalesce(array_agg(m.unit_code order by m.unit_code) filter (where m.unit_code is not null), '{}') as units
            from unit_groups g left join unit_group_members m on m.group_name = g.name
            group by g.name, g.aliases order by g.name
            """;
        return (await connection.QueryAsync<UnitGroupDto>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    /// <summary>Every unit alias, by unit and alias.</summary>
    public static async Task<IReadOnlyList<UnitAliasDto>> ListAliasesAsync(NpgsqlConnection connection, CancellationToken ct) =>
        (await connection.QueryAsync<UnitAliasDto>(new CommandDefinition(
            "select alias, unit_code as UnitCode from unit_aliases order by unit_code, alias", cancellationToken: ct))).ToList();
}
