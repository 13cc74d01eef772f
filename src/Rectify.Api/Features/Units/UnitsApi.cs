using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Units;

public sealed record UnitRequest(string? Code, string? Name, string? Kind, string? ParentCode);

public sealed record UnitDto(string Code, string Name, string Kind, string? ParentCode);

public static class UnitsApi
{
    public static IEndpointRouteBuilder MapUnitsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{code}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/{code}", Update).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    private const string Columns = UnitQueries.Columns;

    public static async Task<Ok<Page<UnitDto>>> List(NpgsqlDataSource db, string? kind, string? parent, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitQueries.ListAsync(connection, new UnitFilter(kind, parent, q), Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<UnitDto>, ProblemHttpResult>> Get(string code, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var unit = await UnitQueries.FindAsync(connection, code, ct);
        return unit is null ? Problems.NotFound("单位") : TypedResults.Ok(unit);
    }

    public static async Task<Results<Created<UnitDto>, ValidationProblem, ProblemHttpResult>> Create(
        UnitRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var code = v.Code("code", request.Code);
        var (name, kind, parent) = ValidateBody(v, request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (parent is not null && await UnitQueries.FindAsync(connection, parent, ct) is null)
            return Problems.Unprocessable($"上级单位 {parent} 不存在 / parent unit does not exist", "parentCode");
        const string sql = """
            insert into units(code, name, kind, parent_code) values (@code, @name, @kind, @parent)
            on conflict (code) do nothing
            """;
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new { code, name, kind, parent }, cancellationToken: ct));
        if (inserted == 0) return Problems.Conflict($"单位代码 {code} 已存在 / unit code already exists");
        var dto = new UnitDto(code, name, kind!, parent);
        await journal.RecordAsync(connection, http, new AdminChange("unit.created", "unit", code, dto), ct);
        return TypedResults.Created($"/api/units/{Uri.EscapeDataString(code)}", dto);
    }

    public static async Task<Results<Ok<UnitDto>, ValidationProblem, ProblemHttpResult>> Update(
        string code, UnitRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        if (request.Code is not null && request.Code != code) v.Add("code", "单位代码不能修改 / the code cannot be changed");
        var (name, kind, parent) = ValidateBody(v, request);
        if (parent == code) v.Add("parentCode", "不能以自身为上级 / a unit cannot be its own parent");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (parent is not null)
        {
            if (await UnitQueries.FindAsync(connection, parent, ct) is null)
                return Problems.Unprocessable($"上级单位 {parent} 不存在 / parent unit does not exist", "parentCode");
            const string cycle = """
                with recursive up as (select code, parent_code from units where code = @parent
                                      union select u.code, u.parent_code from units u join up on u.code = up.parent_code)
                select exists (select 1 from up where code = @code)
                """;
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(cycle, new { parent, code }, cancellationToken: ct)))
                return Problems.Unprocessable("上级单位形成循环 / the parent chain would form a cycle", "parentCode");
        }
        const string sql = "update units set name = @name, kind = @kind, parent_code = @parent, updated_at = now() where code = @code";
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new { code, name, kind, parent }, cancellationToken: ct));
        if (updated == 0) return Problems.NotFound("单位");
        var dto = new UnitDto(code, name, kind!, parent);
        await journal.RecordAsync(connection, http, new AdminChange("unit.updated", "unit", code, dto), ct);
        return TypedResults.Ok(dto);
    }

    private static (string Name, string? Kind, string? Parent) ValidateBody(Validator v, UnitRequest request) =>
        (v.Required("name", request.Name, 200),
         v.OneOf("kind", request.Kind, UnitKinds.All),
         v.Optional("parentCode", request.ParentCode, 64));
}
