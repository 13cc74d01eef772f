using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.People;

/// <summary>A filter of the people directory (<c>GET /api/people</c>): by unit, and name or e-mail.</summary>
public sealed record PersonFilter(string? Unit = null, string? Q = null);

/// <summary>
/// The reads of the people directory that the API (<c>GET /api/people</c>, <c>GET /api/people/{id}</c>) and the people
/// screen share (issue 18: pages call queries, not endpoint handlers). The directory is readable by every signed-in user;
/// robot URLs carry their secret, so what is read for an answer or a screen is <see cref="Masked"/>.
/// </summary>
public static class PersonQueries
{
    internal const string Columns = """
        id, name, title, unit_code as UnitCode, email, mobile, wecom_webhook as WecomWebhook,
        dingtalk_webhook as DingtalkWebhook, feishu_webhook as FeishuWebhook, is_unit_contact as IsUnitContact,
        is_unit_head as IsUnitHead
        """;

    /// <summary>A page of the people, by unit and name, robot URLs masked.</summary>
    public static async Task<Page<PersonDto>> ListAsync(
        NpgsqlConnection connection, PersonFilter filter, Paging paging, CancellationToken ct)
    {
        const string where = """
            where (@unit::text is null or unit_code = @unit)
              and (@q::text is null or name ilike @qLike or email ilike @qLike)
            """;
        const string sql = $"""
            select count(*) from people {where};
            select {Columns} from people {where} order by unit_code, name, id limit @limit offset @offset;
            """;
        var parameters = new
        {
            unit = filter.Unit, q = filter.Q, qLike = SqlLike.Contains(filter.Q), limit = paging.PageSize, offset = paging.Offset,
        };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        return new Page<PersonDto>((await grid.ReadAsync<PersonDto>()).Select(Masked).ToList(), total);
    }

    /// <summary>One person as answers and screens show them, robot URLs masked; null when there is none.</summary>
    public static async Task<PersonDto?> GetAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        await FindStoredAsync(connection, id, ct) is { } found ? Masked(found) : null;

    /// <summary>One person as stored, robot URLs unmasked (for writes that keep a stored secret); never shown.</summary>
    internal static async Task<PersonDto?> FindStoredAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<PersonDto>(
            new CommandDefinition($"select {Columns} from people where id = @id", new { id }, cancellationToken: ct));

    /// <summary>The person as answers show it: robot URLs masked.</summary>
    public static PersonDto Masked(PersonDto p) => p with
    {
        WecomWebhook = SecretUrl.Mask(p.WecomWebhook),
        DingtalkWebhook = SecretUrl.Mask(p.DingtalkWebhook),
        FeishuWebhook = SecretUrl.Mask(p.FeishuWebhook),
    };
}
