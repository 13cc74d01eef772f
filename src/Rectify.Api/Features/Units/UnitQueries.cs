using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Units;

/// <summary>A filter of the unit list (<c>GET /api/units</c>): by kind, parent, and name or code.</summary>
public sealed record UnitFilter(string? Kind = null, string? Parent = null, string? Q = null);

/// <summary>
/// The reads of units that the API (<c>GET /api/units</c>) and the units screen share (issue 18: pages call queries, not
/// endpoint handlers). The directory of units is readable by every signed-in user.
/// </summary>
public static class UnitQueries
{
    internal const string Columns = "code, name, kind, parent_code as ParentCode";

    /// <summary>A page of the units, by code.</summary>
    public static async Task<Page<UnitDto>> ListAsync(NpgsqlConnection connection, UnitFilter filter, Paging paging, CancellationToken ct)
    {
        const string where = """
            where (@kind::text is null or kind = @kind)
              and (@parent::text is null or parent_code = @parent)
              and (@q::text is null or name ilike @qLike or code ilike @qLike)
            """;
        const string sql = $"""
            select count(*) from units {where};
            select {Columns} from units {where} order by code limit @limit offset @offset;
            """;
        var parameters = new
        {
            kind = filter.Kind, parent = filter.Parent, q = filter.Q, qLike = SqlLike.Contains(filter.Q), limit = paging.PageSize,
            offset = paging.Offset,
        };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var items = (await grid.ReadAsync<UnitDto>()).ToList();
        return new Page<UnitDto>(items, total);
    }

    /// <summary>One unit; null when there is none.</summary>
    public static async Task<UnitDto?> FindAsync(NpgsqlConnection connection, string code, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<UnitDto>(
            new CommandDefinition($"select {Columns} from units where code = @code", new { code }, cancellationToken: ct));
}
