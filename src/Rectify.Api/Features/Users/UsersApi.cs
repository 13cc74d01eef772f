using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.People;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Users;

public sealed record UserRequest(string? UserName, string? Password, string? Role, string? UnitCode, Guid? PersonId);

public sealed record UserDto(Guid Id, string UserName, string Role, string? UnitCode, Guid? PersonId);

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        return app;
    }

    public static async Task<Ok<Page<UserDto>>> List(NpgsqlDataSource db, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = Paging.From(page, pageSize);
        const string sql = """
            select count(*) from users;
            select id, user_name as UserName, role, unit_code as UnitCode, person_id as PersonId
            from users order by user_name limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        return TypedResults.Ok(new Page<UserDto>((await grid.ReadAsync<UserDto>()).ToList(), total));
    }

    public static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> Create(
        UserRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validator();
        var userName = v.Code("userName", request.UserName);
        var role = v.OneOf("role", request.Role, Roles.All);
        var unitCode = v.Optional("unitCode", request.UnitCode, 64);
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length < 8)
            v.Add("password", "密码至少 8 位 / at least 8 characters");
        else if (request.Password.Length > 256)
            v.Add("password", "不能超过 256 个字符 / at most 256 characters");
        if (role is Roles.Unit or Roles.LeadingGroup or Roles.Supervisor && unitCode is null)
            v.Add("unitCode", "该角色必须属于一个单位 / this role needs a unit");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (unitCode is not null && await UnitsApi.FindAsync(connection, unitCode, ct) is null)
            return Problems.Unprocessable($"单位 {unitCode} 不存在 / unit does not exist", "unitCode");
        if (request.PersonId is { } personId && await PeopleApi.FindAsync(connection, personId, ct) is null)
            return Problems.Unprocessable("人员不存在 / person does not exist", "personId");

        var user = new UserDto(Guid.CreateVersion7(clock.GetUtcNow()), userName, role!, unitCode, request.PersonId);
        const string sql = """
            insert into users(id, user_name, password_hash, role, unit_code, person_id)
            values (@Id, @UserName, @hash, @Role, @UnitCode, @PersonId)
            on conflict do nothing
            """;
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql,
            new { user.Id, user.UserName, hash = TokenStore.HashPassword(request.Password!), user.Role, user.UnitCode, user.PersonId }, cancellationToken: ct));
        if (inserted == 0) return Problems.Conflict($"用户名 {userName} 已存在 / user name already taken");
        await journal.RecordAsync(connection, http, "user.created", "user", user.Id.ToString(), user, ct);
        return TypedResults.Created($"/api/users/{user.Id}", user);
    }
}
