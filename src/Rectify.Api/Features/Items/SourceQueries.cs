using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Items;

/// <summary>
/// The reads of the item sources (问题来源) that the API (<c>GET /api/item-sources</c>), the importer, the item form and the
/// sources screen share (issue 18: pages call queries, not endpoint handlers). Everyone signed in may read them.
/// </summary>
public static class SourceQueries
{
    /// <summary>Every source, by sort order and name, with how many items name it.</summary>
    public static async Task<IReadOnlyList<ItemSourceDto>> ListAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            select s.name, s.sort, (select count(*) from items i where i.source = s.name) as items
            from item_sources s order by s.sort, s.name
            """;
        return (await connection.QueryAsync<ItemSourceDto>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }
}
