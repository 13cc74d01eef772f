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

public sealed record UserDto(Guid Id, string UserName, string Role, string? UnitCode, Guid? PersonId)
{
    /// <summary>When an administrator disabled the account; null while it is enabled.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    public bool Disabled => DisabledAt is not null;
    /// <summary>Live sessions (signed-in browsers and bearer tokens).</summary>
    public int ActiveSessions { get; init; }
}

public static partial class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/disable", Disable);
        group.MapPost("/{id:guid}/enable", Enable);
        group.MapPost("/{id:guid}/reset-password", ResetPassword);
        group.MapGet("/{id:guid}/sessions", Sessions);
        group.MapDelete("/{id:guid}/sessions", EndSessions);
        return app;
    }

    public static async Task<Ok<Page<UserDto>>> List(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UserQueries.ListAsync(connection, Paging.From(page, pageSize), wall.GetUtcNow(), ct));
    }

    public static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> Create(
        UserRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validator();
        var userName = v.Code("userName", request.UserName);
        var role = v.OneOf("role", request.Role, Roles.All);
        var unitCode = v.Optional("unitCode", request.UnitCode, 64);
        if (PasswordRule.Check(request.UserName, request.Password) is { } weak) v.Add("password", weak);
        if (role is Roles.Unit or Roles.LeadingGroup or Roles.Supervisor && unitCode is null)
            v.Add("unitCode", "该角色必须属于一个单位 / this role needs a unit");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (unitCode is not null && await UnitQueries.FindAsync(connection, unitCode, ct) is null)
            return Problems.Unprocessable($"单位 {unitCode} 不存在 / unit does not exist", "unitCode");
        if (request.PersonId is { } personId && await PersonQueries.FindStoredAsync(connection, personId, ct) is null)
            return Problems.Unprocessable("人员不存在 / person does not exist", "personId");

        var user = new UserDto(Guid.CreateVersion7(clock.GetUtcNow()), userName, role!, unitCode, request.PersonId);
        const string sql = """
            insert into users(id, user_name, password_hash, role, unit_code, person_id)
            values (@Id, @UserName, @hash, @Role, @UnitCode, @PersonId)
            on conflict do nothing
            """;
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql,
            new { user.Id, user.UserName, hash = Passwords.Hash(request.Password!), user.Role, user.UnitCode, user.PersonId }, cancellationToken: ct));
        if (inserted == 0) return Problems.Conflict($"用户名 {userName} 已存在 / user name already taken");
        await journal.RecordAsync(connection, http, new AdminChange("user.created", "user", user.Id.ToString(), user), ct);
        return TypedResults.Created($"/api/users/{user.Id}", user);
    }
}
