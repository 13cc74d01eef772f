using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Campaigns;

/// <summary>A filter of the campaign list (<c>GET /api/campaigns</c>): by state, and by title or document number.</summary>
public sealed record CampaignFilter(string? State = null, string? Q = null);

/// <summary>
/// The reads of campaigns that the API's handlers and the pages share (issue 18: pages call queries, not endpoint
/// handlers): each takes an open connection and what the caller may see, and returns the values the API serialises.
/// </summary>
public static class CampaignQueries
{
    /// <summary>A page of the campaigns <paramref name="user"/> may see, newest first, with their live statistics.</summary>
    public static async Task<Page<CampaignDto>> ListAsync(
        NpgsqlConnection connection, CurrentUser user, CampaignFilter filter, Paging paging, DateTimeOffset now, CancellationToken ct)
    {
        const string where = $"""
            where {Access.CampaignVisible}
              and (@state::text is null or c.state = @state)
              and (@q::text is null or c.title ilike @qLike or c.document_number ilike @qLike)
            """;
        const string sql = $"""
            select count(*) from campaigns c {where};
            select {CampaignRow.Columns} from campaigns c {where} order by c.created_at desc, c.id limit @limit offset @offset;
            """;
        var scope = new
        {
            role = user.Role, unit = user.UnitCode, state = filter.State, q = filter.Q, qLike = SqlLike.Contains(filter.Q),
            limit = paging.PageSize, offset = paging.Offset,
        };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, scope, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = (await grid.ReadAsync<CampaignRow>()).ToList();
        var stats = await CampaignStatistics.ForAsync(connection, rows.Select(r => r.Id).ToArray(), now, user, ct);
        return new Page<CampaignDto>(rows.Select(r => r.ToDto(stats[r.Id])).ToList(), total);
    }

    /// <summary>One campaign <paramref name="user"/> may see, with its live statistics; null when there is none or it is not
    /// visible.</summary>
    public static async Task<CampaignDto?> FindVisibleAsync(
        NpgsqlConnection connection, Guid id, CurrentUser user, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = $"select {CampaignRow.Columns} from campaigns c where c.id = @id and {Access.CampaignVisible}";
        var row = await connection.QuerySingleOrDefaultAsync<CampaignRow>(
            new CommandDefinition(sql, new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        if (row is null) return null;
        var stats = await CampaignStatistics.ForAsync(connection, [id], now, user, ct);
        return row.ToDto(stats[id]);
    }
}
