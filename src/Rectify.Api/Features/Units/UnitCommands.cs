using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Units;

/// <summary>
/// The writes of units that the API (<c>POST /api/units</c>, <c>PUT /api/units/{code}</c>) and the units screen share
/// (issue 18: pages call commands, not endpoint handlers): validation, the SQL and the journal row, with the actor
/// named in it. Those who manage the organisation reach them (<see cref="Policies.ManageOrganisation"/>).
/// </summary>
public static class UnitCommands
{
    /// <summary>A new unit; 400 on a bad field, 422 when the parent does not exist, 409 when the code is taken.</summary>
    public static async Task<Outcome<UnitDto>> CreateAsync(
        NpgsqlDataSource db, AdminJournal journal, UnitRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var code = v.Code("code", request.Code);
        var (name, kind, parent) = ValidateBody(v, request);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (parent is not null && await UnitQueries.FindAsync(connection, parent, ct) is null)
            return Refusal.Unprocessable($"上级单位 {parent} 不存在 / parent unit does not exist", "parentCode");
        const string sql = """
            insert into units(code, name, kind, parent_code) values (@code, @name, @kind, @parent)
            on conflict (code) do nothing
            """;
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new { code, name, kind, parent }, cancellationToken: ct));
        if (inserted == 0) return Refusal.Conflict($"单位代码 {code} 已存在 / unit code already exists");
        var dto = new UnitDto(code, name, kind!, parent);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("unit.created", "unit", code, dto), ct);
        return dto;
    }

    /// <summary>A unit's name, kind and parent (the code stays); 400 on a bad field, 422 when the parent does not exist or
    /// would make a cycle, 404 when there is no such unit.</summary>
    public static async Task<Outcome<UnitDto>> UpdateAsync(
        NpgsqlDataSource db, AdminJournal journal, string code, UnitRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        if (request.Code is not null && request.Code != code) v.Add("code", "单位代码不能修改 / the code cannot be changed");
        var (name, kind, parent) = ValidateBody(v, request);
        if (parent == code) v.Add("parentCode", "不能以自身为上级 / a unit cannot be its own parent");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (parent is not null)
        {
            if (await UnitQueries.FindAsync(connection, parent, ct) is null)
                return Refusal.Unprocessable($"上级单位 {parent} 不存在 / parent unit does not exist", "parentCode");
            const string cycle = """
                with recursive up as (select code, parent_code from units where code = @parent
                                      union select u.code, u.parent_code from units u join up on u.code = up.parent_code)
                select exists (select 1 from up where code = @code)
                """;
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(cycle, new { parent, code }, cancellationToken: ct)))
                return Refusal.Unprocessable("上级单位形成循环 / the parent chain would form a cycle", "parentCode");
        }
        const string sql = "update units set name = @name, kind = @kind, parent_code = @parent, updated_at = now() where code = @code";
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new { code, name, kind, parent }, cancellationToken: ct));
        if (updated == 0) return Refusal.NotFound("单位");
        var dto = new UnitDto(code, name, kind!, parent);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("unit.updated", "unit", code, dto), ct);
        return dto;
    }

    private static (string Name, string? Kind, string? Parent) ValidateBody(Validator v, UnitRequest request) =>
        (v.Required("name", request.Name, 200),
         v.OneOf("kind", request.Kind, UnitKinds.All),
         v.Optional("parentCode", request.ParentCode, 64));
}
