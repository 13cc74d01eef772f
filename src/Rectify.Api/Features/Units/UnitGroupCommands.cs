using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Units;

/// <summary>
/// The writes of unit groups and unit aliases that the API (<c>PUT</c>/<c>DELETE /api/unit-groups/{name}</c>,
/// <c>…/api/unit-aliases/{alias}</c>) and the unit-groups screen share (issue 18: pages call commands, not endpoint
/// handlers): validation, the SQL and the journal row, with the actor named in it.
/// </summary>
public static class UnitGroupCommands
{
    /// <summary>A group saved whole (its aliases and members replaced); 400 on a bad field, 422 when a member unit does
    /// not exist.</summary>
    public static async Task<Outcome<UnitGroupDto>> PutAsync(
        NpgsqlDataSource db, AdminJournal journal, string name, UnitGroupRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var groupName = v.Required("name", name, 100);
        var aliases = (request.Aliases ?? []).Select(a => a?.Trim() ?? "").Where(a => a.Length > 0).Distinct().ToArray();
        if (aliases.Length > 50) v.Add("aliases", "别名不能超过 50 个 / at most 50 aliases");
        for (var n = 0; n < aliases.Length; n++) v.Required($"aliases[{n}]", aliases[n], 100);
        var units = (request.Units ?? []).Select(u => u?.Trim() ?? "").Where(u => u.Length > 0).Distinct().ToArray();
        var max = UnitGroupsApi.MaxMembers;
        if (units.Length > max) v.Add("units", $"分组单位不能超过 {max} 个 / at most {max} units");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var known = (await connection.QueryAsync<string>(new CommandDefinition(
            "select code from units where code = any(@units)", new { units }, cancellationToken: ct))).ToHashSet();
        var unknown = units.Where(u => !known.Contains(u)).ToList();
        if (unknown.Count > 0) return Refusal.Unprocessable($"单位 {string.Join("、", unknown.Take(10))} 不存在 / unknown units", "units");
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string upsert = """
            insert into unit_groups(name, aliases) values (@groupName, @aliases)
            on conflict (name) do update set aliases = excluded.aliases, updated_at = now();
            delete from unit_group_members where group_name = @groupName;
            insert into unit_group_members(group_name, unit_code) select @groupName, unnest(@units::text[]);
            """;
        await connection.ExecuteAsync(new CommandDefinition(upsert, new { groupName, aliases, units }, tx, cancellationToken: ct));
        var dto = new UnitGroupDto(groupName, aliases, [.. units.Order(StringComparer.Ordinal)]);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("unitGroup.saved", "unitGroup", groupName, dto), ct, tx);
        await tx.CommitAsync(ct);
        return dto;
    }

    /// <summary>A group gone (null); 404 when there is none of that name.</summary>
    public static Task<Refusal?> DeleteAsync(
        NpgsqlDataSource db, AdminJournal journal, string name, CurrentUser actor, CancellationToken ct) =>
        DeleteAndRecordAsync(db, journal, "delete from unit_groups where name = @name", "单位分组",
            new AdminChange("unitGroup.deleted", "unitGroup", name, new { name }), actor, ct);

    /// <summary>An alias pointed at a unit (made or moved); 400 on a bad field, 422 when the unit does not exist.</summary>
    public static async Task<Outcome<UnitAliasDto>> PutAliasAsync(
        NpgsqlDataSource db, AdminJournal journal, string alias, UnitAliasRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("alias", alias, 100);
        var code = v.Code("unitCode", request.UnitCode);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitQueries.FindAsync(connection, code, ct) is null)
            return Refusal.Unprocessable($"单位 {code} 不存在 / unknown unit", "unitCode");
        const string sql = """
            insert into unit_aliases(alias, unit_code) values (@name, @code)
            on conflict (alias) do update set unit_code = excluded.unit_code
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { name, code }, cancellationToken: ct));
        var dto = new UnitAliasDto(name, code);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("unitAlias.saved", "unit", code, dto), ct);
        return dto;
    }

    /// <summary>An alias gone (null); 404 when there is no such alias.</summary>
    public static Task<Refusal?> DeleteAliasAsync(
        NpgsqlDataSource db, AdminJournal journal, string alias, CurrentUser actor, CancellationToken ct) =>
        DeleteAndRecordAsync(db, journal, "delete from unit_aliases where alias = @alias", "单位别名",
            new AdminChange("unitAlias.deleted", "unit", alias, new { alias }), actor, ct);

    /// <summary>Runs the delete with the change's data as its parameters; 404 (<paramref name="what"/>) when it removed
    /// nothing, otherwise the change goes into the administrators' journal.</summary>
    private static async Task<Refusal?> DeleteAndRecordAsync(
        NpgsqlDataSource db, AdminJournal journal, string sql, string what, AdminChange change, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(sql, change.Data, cancellationToken: ct));
        if (deleted == 0) return Refusal.NotFound(what);
        await journal.RecordAsync(connection, actor.UserName, change, ct);
        return null;
    }
}
