using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Units;

public sealed record UnitGroupRequest(IReadOnlyList<string?>? Aliases, IReadOnlyList<string?>? Units);

/// <summary>A named group of units; <c>aliases</c> are other collective names that mean it ("挂钩单位" for 帮扶单位).</summary>
public sealed record UnitGroupDto(string Name, string[] Aliases, string[] Units);

public sealed record UnitAliasRequest(string? UnitCode);

public sealed record UnitAliasDto(string Alias, string UnitCode);

/// <summary>
/// Unit groups and unit aliases (issue 15.2), which the importer uses to expand 各乡镇 / 领导小组各成员单位 and to read
/// short names. Everyone signed in may read them (the import preview shows them); the organisation right maintains them.
/// </summary>
public static class UnitGroupsApi
{
    public const int MaxMembers = 1000;

    public static IEndpointRouteBuilder MapUnitGroupsApi(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/unit-groups").WithTags("Units").RequireAuthorization();
        groups.MapGet("/", List);
        groups.MapPut("/{name}", Put).RequireAuthorization(Policies.ManageOrganisation);
        groups.MapDelete("/{name}", Delete).RequireAuthorization(Policies.ManageOrganisation);
        var aliases = app.MapGroup("/api/unit-aliases").WithTags("Units").RequireAuthorization();
        aliases.MapGet("/", ListAliases);
        aliases.MapPut("/{alias}", PutAlias).RequireAuthorization(Policies.ManageOrganisation);
        aliases.MapDelete("/{alias}", DeleteAlias).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<UnitGroupDto>>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitGroupQueries.ListAsync(connection, ct));
    }

    public static async Task<Results<Ok<UnitGroupDto>, ValidationProblem, ProblemHttpResult>> Put(
        string name, UnitGroupRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var groupName = v.Required("name", name, 100);
        var aliases = (request.Aliases ?? []).Select(a => a?.Trim() ?? "").Where(a => a.Length > 0).Distinct().ToArray();
        if (aliases.Length > 50) v.Add("aliases", "别名不能超过 50 个 / at most 50 aliases");
        for (var n = 0; n < aliases.Length; n++) v.Required($"aliases[{n}]", aliases[n], 100);
        var units = (request.Units ?? []).Select(u => u?.Trim() ?? "").Where(u => u.Length > 0).Distinct().ToArray();
        if (units.Length > MaxMembers) v.Add("units", $"分组单位不能超过 {MaxMembers} 个 / at most {MaxMembers} units");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var known = (await connection.QueryAsync<string>(new CommandDefinition("select code from units where code = any(@units)", new { units }, cancellationToken: ct))).ToHashSet();
        var unknown = units.Where(u => !known.Contains(u)).ToList();
        if (unknown.Count > 0) return Problems.Unprocessable($"单位 {string.Join("、", unknown.Take(10))} 不存在 / unknown units", "units");
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string upsert = """
            insert into unit_groups(name, aliases) values (@groupName, @aliases)
            on conflict (name) do update set aliases = excluded.aliases, updated_at = now();
            delete from unit_group_members where group_name = @groupName;
            insert into unit_group_members(group_name, unit_code) select @groupName, unnest(@units::text[]);
            """;
        await connection.ExecuteAsync(new CommandDefinition(upsert, new { groupName, aliases, units }, tx, cancellationToken: ct));
        var dto = new UnitGroupDto(groupName, aliases, [.. units.Order(StringComparer.Ordinal)]);
        await journal.RecordAsync(connection, http, new AdminChange("unitGroup.saved", "unitGroup", groupName, dto), ct, tx);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(dto);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition("delete from unit_groups where name = @name", new { name }, cancellationToken: ct));
        if (deleted == 0) return Problems.NotFound("单位分组");
        await journal.RecordAsync(connection, http, new AdminChange("unitGroup.deleted", "unitGroup", name, new { name }), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<UnitAliasDto>>> ListAliases(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitGroupQueries.ListAliasesAsync(connection, ct));
    }

    public static async Task<Results<Ok<UnitAliasDto>, ValidationProblem, ProblemHttpResult>> PutAlias(
        string alias, UnitAliasRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("alias", alias, 100);
        var code = v.Code("unitCode", request.UnitCode);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitQueries.FindAsync(connection, code, ct) is null) return Problems.Unprocessable($"单位 {code} 不存在 / unknown unit", "unitCode");
        const string sql = "insert into unit_aliases(alias, unit_code) values (@name, @code) on conflict (alias) do update set unit_code = excluded.unit_code";
        await connection.ExecuteAsync(new CommandDefinition(sql, new { name, code }, cancellationToken: ct));
        var dto = new UnitAliasDto(name, code);
        await journal.RecordAsync(connection, http, new AdminChange("unitAlias.saved", "unit", code, dto), ct);
        return TypedResults.Ok(dto);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAlias(string alias, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition("delete from unit_aliases where alias = @alias", new { alias }, cancellationToken: ct));
        if (deleted == 0) return Problems.NotFound("单位别名");
        await journal.RecordAsync(connection, http, new AdminChange("unitAlias.deleted", "unit", alias, new { alias }), ct);
        return TypedResults.NoContent();
    }
}
