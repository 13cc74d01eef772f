using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using Rectify.Api.Security;

namespace Rectify.Api.Features.Auth;

public sealed record UserRow(Guid Id, string UserName, string PasswordHash, string Role, string? UnitCode, Guid? PersonId, DateTime? DisabledAt)
{
    public bool IsDisabled => DisabledAt is not null;
}

/// <summary>A live session: the user it acts for and the session row's id.</summary>
public sealed record SessionUser(UserRow User, Guid SessionId, string Kind);

public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt, Guid SessionId);

/// <summary>Where a session was opened from, for the administrator's list of sessions.</summary>
public sealed record SessionOrigin(string Kind, string? Source, string? UserAgent)
{
    public static SessionOrigin Of(HttpContext http, string kind) =>
        new(kind, SignInSource.Of(http), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 200)] : null);
}

public sealed class AuthOptions
{
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A browser session ends after this long without use (sliding, like the cookie itself).</summary>
    public TimeSpan CookieIdle { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Server-side sessions, one row of auth_tokens each, for bearer tokens and for browser cookies alike: 256 random bits
/// handed to the client (the bearer token, or a claim inside the encrypted cookie), only their SHA-256 kept in the
/// database, so a leaked table cannot be replayed. Every request is checked against the row (one primary-key lookup,
/// no cache), so logging out, an administrator ending the sessions, a password change or disabling the user takes
/// effect on every node at the very next request (issue 19: a copied cookie used to keep working after logout).
/// Expiry runs on the wall clock (keyed "wall"), never on the controllable campaign clock: moving a campaign forward a
/// month must not sign everybody out.
/// </summary>
public sealed class TokenStore(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    public const string CookieKind = "cookie", BearerKind = "bearer";

    private const string UserColumns =
        "u.id, u.user_name as UserName, u.password_hash as PasswordHash, u.role, u.unit_code as UnitCode, u.person_id as PersonId, u.disabled_at as DisabledAt";

    public async Task<UserRow?> FindUserAsync(string userName, CancellationToken ct)
    {
        const string sql = $"select {UserColumns} from users u where lower(u.user_name) = lower(@userName)";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(sql, new { userName }, cancellationToken: ct));
    }

    public async Task<UserRow?> FindUserAsync(Guid id, CancellationToken ct)
    {
        const string sql = $"select {UserColumns} from users u where u.id = @id";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    public async Task<IssuedToken> IssueAsync(Guid userId, SessionOrigin origin, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = wall.GetUtcNow();
        var expires = now + (origin.Kind == CookieKind ? options.Value.CookieIdle : options.Value.TokenLifetime);
        var id = Guid.CreateVersion7(now);
        const string sql = """
            insert into auth_tokens(id, token_hash, user_id, created_at, expires_at, kind, source, user_agent)
            values (@id, @hash, @userId, @now, @expires, @Kind, @Source, @UserAgent)
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { id, hash = Hash(token), userId, now, expires, origin.Kind, origin.Source, origin.UserAgent }, cancellationToken: ct));
        return new IssuedToken(token, expires, id);
    }

    /// <summary>The session's user when the token is live (not revoked, not expired, user not disabled); else null.</summary>
    public async Task<SessionUser?> ValidateAsync(string token, string kind, CancellationToken ct)
    {
        // A browser session slides: used at least once in the second half of its idle time, it is extended (one write
        // per half-period, not one per request).
        const string sql = $"""
            with live as (
                select t.id, t.kind, t.expires_at from auth_tokens t join users u on u.id = t.user_id
                where t.token_hash = @hash and t.kind = @kind and t.revoked_at is null and t.expires_at > @now and u.disabled_at is null),
            slid as (
                update auth_tokens t set expires_at = @slideTo from live
                where t.id = live.id and live.kind = 'cookie' and live.expires_at < @slideWhen)
            select {UserColumns}, live.id as SessionId, live.kind
            from live join auth_tokens t on t.id = live.id join users u on u.id = t.user_id
            """;
        var now = wall.GetUtcNow();
        var idle = options.Value.CookieIdle;
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(sql,
            new { hash = Hash(token), kind, now, slideTo = now + idle, slideWhen = now + idle / 2 }, cancellationToken: ct));
        return row is null ? null
            : new SessionUser(new UserRow(row.Id, row.UserName, row.PasswordHash, row.Role, row.UnitCode, row.PersonId, row.DisabledAt), row.SessionId, row.Kind);
    }

    public async Task<bool> RevokeAsync(string token, string why, CancellationToken ct)
    {
        const string sql = "update auth_tokens set revoked_at = @now, revoked_why = @why where token_hash = @hash and revoked_at is null";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { hash = Hash(token), why, now = wall.GetUtcNow() }, cancellationToken: ct)) > 0;
    }

    /// <summary>Ends every live session of a user (password change or reset, disabled, an administrator's order); how many.</summary>
    public async Task<int> RevokeAllAsync(NpgsqlConnection connection, Guid userId, string why, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        const string sql = "update auth_tokens set revoked_at = @now, revoked_why = @why where user_id = @userId and revoked_at is null";
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, why, now = wall.GetUtcNow() }, tx, cancellationToken: ct));
    }

    public async Task<int> RevokeAllAsync(Guid userId, string why, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await RevokeAllAsync(connection, userId, why, ct);
    }

    private sealed record SessionRow(
        Guid Id, string UserName, string PasswordHash, string Role, string? UnitCode, Guid? PersonId, DateTime? DisabledAt, Guid SessionId, string Kind);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
