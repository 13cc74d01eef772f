using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>One administrative change: what was done (<c>put</c>, <c>talk.recorded</c>) to which entity, with what data.</summary>
public sealed record AdminChange(string Action, string Entity, string EntityId, object? Data = null);

/// <summary>Records every administrative change with its actor and time (wall clock).</summary>
public sealed class AdminJournal([FromKeyedServices("wall")] TimeProvider wall, IOptions<JsonOptions> json)
{
    public Task RecordAsync(NpgsqlConnection connection, HttpContext http, AdminChange change, CancellationToken ct, NpgsqlTransaction? tx = null) =>
        RecordAsync(connection, http.User.FindFirstValue(ClaimTypes.Name) ?? "system", change, ct, tx);

    /// <summary>The same, for work done on a user's behalf outside a request (an import run as a background job).</summary>
    public async Task RecordAsync(NpgsqlConnection connection, string actor, AdminChange change, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var (action, entity, entityId, data) = change;
        const string sql = """
            insert into admin_journal(at, actor, action, entity, entity_id, data)
            values (@at, @actor, @action, @entity, @entityId, @data::jsonb)
            """;
        var payload = data is null ? null : JsonSerializer.Serialize(data, json.Value.SerializerOptions);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { at = wall.GetUtcNow(), actor, action, entity, entityId, data = payload }, tx, cancellationToken: ct));
    }
}
