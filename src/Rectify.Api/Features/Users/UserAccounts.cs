using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Users;

public sealed record ResetPasswordRequest(string? NewPassword);

public sealed record SessionDto(Guid Id, string Kind, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? Source, string? UserAgent);

public sealed record EndedSessions(int Ended);

/// <summary>
/// An administrator's hold on accounts (issue 19): disable and enable, reset a password, see and end sessions.
/// Disabling, a reset and "end sessions" all end every live session of the user at once, on every node.
/// </summary>
public static partial class UsersApi
{
    internal const string Columns = """
        u.id, u.user_name as UserName, u.role, u.unit_code as UnitCode, u.person_id as PersonId, u.disabled_at as DisabledAt,
        (select count(*)::int from auth_tokens t where t.user_id = u.id and t.revoked_at is null and t.expires_at > @now) as ActiveSessions
        """;

    internal sealed record UserRecord(Guid Id, string UserName, string Role, string? UnitCode, Guid? PersonId, DateTimeOffset? DisabledAt, int ActiveSessions)
    {
        public UserDto ToDto() => new(Id, UserName, Role, UnitCode, PersonId)
        {
            DisabledAt = DisabledAt,
            ActiveSessions = ActiveSessions,
        };
    }

    private sealed record SessionRecord(Guid Id, string Kind, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? Source, string? UserAgent);

    internal static async Task<UserDto?> FindAsync(NpgsqlConnection connection, Guid id, TimeProvider wall, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition($"select {Columns} from users u where u.id = @id",
            new { id, now = wall.GetUtcNow() }, cancellationToken: ct)))?.ToDto();

    public static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Get(Guid id, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await FindAsync(connection, id, wall, ct) is { } user ? TypedResults.Ok(user) : Problems.NotFound("用户");
    }

    /// <summary>The account can no longer sign in and every session ends. Administrators cannot disable themselves (nobody
    /// would be left to undo it).</summary>
    public static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Disable(
        Guid id, HttpContext http, NpgsqlDataSource db, TokenStore tokens, AdminJournal journal,
        [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var outcome = await UserCommands.DisableAsync(db, tokens, journal, wall, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }

    public static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Enable(
        Guid id, HttpContext http, NpgsqlDataSource db, AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall,
        CancellationToken ct)
    {
        var outcome = await UserCommands.EnableAsync(db, journal, wall, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }

    /// <summary>Sets a new password chosen by the administrator (the same rule as any new password); the user's sessions end.</summary>
    public static Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> ResetPassword(
        Guid id, ResetPasswordRequest request, HttpContext http, PasswordReset reset, CancellationToken ct) => reset.RunAsync(http, id, request, ct);

    public static async Task<Results<Ok<List<SessionDto>>, ProblemHttpResult>> Sessions(
        Guid id, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        const string sql = """
            select id, kind, created_at as CreatedAt, expires_at as ExpiresAt, source, user_agent as UserAgent from auth_tokens
            where user_id = @id and revoked_at is null and expires_at > @now order by created_at desc limit 500
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await FindAsync(connection, id, wall, ct) is null) return Problems.NotFound("用户");
        var rows = await connection.QueryAsync<SessionRecord>(new CommandDefinition(sql, new { id, now = wall.GetUtcNow() }, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new SessionDto(r.Id, r.Kind, r.CreatedAt, r.ExpiresAt, r.Source, r.UserAgent)).ToList());
    }

    /// <summary>Ends every session of the user (e.g. a lost phone); the password stays.</summary>
    public static async Task<Results<Ok<EndedSessions>, ProblemHttpResult>> EndSessions(
        Guid id, HttpContext http, NpgsqlDataSource db, TokenStore tokens, AdminJournal journal,
        [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var outcome = await UserCommands.EndSessionsAsync(db, tokens, journal, wall, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }
}
