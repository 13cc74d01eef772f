using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.People;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Users;

/// <summary>
/// An administrator's writes of accounts that the API (<c>POST /api/users</c>, <c>…/{id}/disable</c>, <c>…/enable</c>,
/// <c>DELETE …/{id}/sessions</c>) and the users screen share (issue 18: pages call commands, not endpoint handlers):
/// validation, the SQL, the sessions ended and the journal row, with the actor named in it. Disabling and "end
/// sessions" end every live session of the user at once (issue 19).
/// </summary>
public static class UserCommands
{
    /// <summary>A new account; 400 on a bad field or a weak password, 422 when the unit or person does not exist, 409 when
    /// the user name is taken.</summary>
    public static async Task<Outcome<UserDto>> CreateAsync(
        NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, UserRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var userName = v.Code("userName", request.UserName);
        var role = v.OneOf("role", request.Role, Roles.All);
        var unitCode = v.Optional("unitCode", request.UnitCode, 64);
        if (PasswordRule.Check(request.UserName, request.Password) is { } weak) v.Add("password", weak);
        if (role is Roles.Unit or Roles.LeadingGroup or Roles.Supervisor && unitCode is null)
            v.Add("unitCode", "该角色必须属于一个单位 / this role needs a unit");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (unitCode is not null && await UnitQueries.FindAsync(connection, unitCode, ct) is null)
            return Refusal.Unprocessable($"单位 {unitCode} 不存在 / unit does not exist", "unitCode");
        if (request.PersonId is { } personId && await PersonQueries.FindStoredAsync(connection, personId, ct) is null)
            return Refusal.Unprocessable("人员不存在 / person does not exist", "personId");

        var user = new UserDto(Guid.CreateVersion7(clock.GetUtcNow()), userName, role!, unitCode, request.PersonId);
        const string sql = """
            insert into users(id, user_name, password_hash, role, unit_code, person_id)
            values (@Id, @UserName, @hash, @Role, @UnitCode, @PersonId)
            on conflict do nothing
            """;
        var row = new { user.Id, user.UserName, hash = Passwords.Hash(request.Password!), user.Role, user.UnitCode, user.PersonId };
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, row, cancellationToken: ct));
        if (inserted == 0) return Refusal.Conflict($"用户名 {userName} 已存在 / user name already taken");
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("user.created", "user", user.Id.ToString(), user), ct);
        return user;
    }

    /// <summary>The account can no longer sign in and every session ends; 404 when there is no such user, 422 for the
    /// actor's own account (nobody would be left to undo it).</summary>
    public static async Task<Outcome<UserDto>> DisableAsync(
        NpgsqlDataSource db, TokenStore tokens, AdminJournal journal, TimeProvider wall, Guid id, CurrentUser actor, CancellationToken ct)
    {
        if (actor.Id == id) return Refusal.Unprocessable("不能停用自己的账号 / you cannot disable your own account");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "update users set disabled_at = coalesce(disabled_at, @now) where id = @id", new { id, now = wall.GetUtcNow() }, tx,
            cancellationToken: ct));
        if (changed == 0) return Refusal.NotFound("用户");
        var ended = await tokens.RevokeAllAsync(connection, id, "disabled", ct, tx);
        var change = new AdminChange("user.disabled", "user", id.ToString(), new { endedSessions = ended });
        await journal.RecordAsync(connection, actor.UserName, change, ct, tx);
        await tx.CommitAsync(ct);
        return (await UsersApi.FindAsync(connection, id, wall, ct))!;
    }

    /// <summary>The account may sign in again; 404 when there is no such user.</summary>
    public static async Task<Outcome<UserDto>> EnableAsync(
        NpgsqlDataSource db, AdminJournal journal, TimeProvider wall, Guid id, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "update users set disabled_at = null where id = @id", new { id }, cancellationToken: ct));
        if (changed == 0) return Refusal.NotFound("用户");
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("user.enabled", "user", id.ToString(), null), ct);
        return (await UsersApi.FindAsync(connection, id, wall, ct))!;
    }

    /// <summary>Every session of the user ended (e.g. a lost phone), the password kept; 404 when there is no such user.</summary>
    public static async Task<Outcome<EndedSessions>> EndSessionsAsync(
        NpgsqlDataSource db, TokenStore tokens, AdminJournal journal, TimeProvider wall, Guid id, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UsersApi.FindAsync(connection, id, wall, ct) is null) return Refusal.NotFound("用户");
        var ended = await tokens.RevokeAllAsync(connection, id, "ended-by-admin", ct);
        var change = new AdminChange("user.sessions-ended", "user", id.ToString(), new { ended });
        await journal.RecordAsync(connection, actor.UserName, change, ct);
        return new EndedSessions(ended);
    }
}
