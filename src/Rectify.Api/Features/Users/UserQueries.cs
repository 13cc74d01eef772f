using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Users;

/// <summary>
/// The reads of user accounts that the API (<c>GET /api/users</c>, administrators only) and the users screen share
/// (issue 18: pages call queries, not endpoint handlers).
/// </summary>
public static class UserQueries
{
    /// <summary>A page of the accounts, by user name, with their live sessions at <paramref name="now"/>.</summary>
    public static async Task<Page<UserDto>> ListAsync(NpgsqlConnection connection, Paging paging, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = $"""
            select count(*) from users;
            select {UsersApi.Columns} from users u order by user_name limit @limit offset @offset;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { limit = paging.PageSize, offset = paging.Offset, now }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        return new Page<UserDto>((await grid.ReadAsync<UsersApi.UserRecord>()).Select(r => r.ToDto()).ToList(), total);
    }
}
