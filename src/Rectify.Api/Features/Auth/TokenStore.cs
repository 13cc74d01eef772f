using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Rectify.Api.Features.Auth;

public sealed record UserRow(Guid Id, string UserName, string PasswordHash, string Role, string? UnitCode, Guid? PersonId);

public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);

public sealed class AuthOptions
{
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Opaque bearer tokens: 256 random bits handed to the client, only their SHA-256 kept in the database,
/// so a leaked table cannot be replayed. Expiry and revocation are read on every request.
/// Token expiry runs on the wall clock (keyed "wall"), never on the controllable campaign clock:
/// moving a campaign forward a month must not sign everybody out.
/// </summary>
public sealed class TokenStore(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    private static readonly PasswordHasher<string> Hasher = new();

    public static string HashPassword(string password) => Hasher.HashPassword("rectify", password);

    public static bool VerifyPassword(string hash, string password) =>
        Hasher.VerifyHashedPassword("rectify", hash, password) != PasswordVerificationResult.Failed;

    public async Task<UserRow?> FindUserAsync(string userName, CancellationToken ct)
    {
        const string sql = """
            select id, user_name as UserName, password_hash as PasswordHash, role, unit_code as UnitCode, person_id as PersonId
            from users where lower(user_name) = lower(@userName)
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(sql, new { userName }, cancellationToken: ct));
    }

    public async Task<IssuedToken> IssueAsync(Guid userId, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = wall.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        const string sql = "insert into auth_tokens(token_hash, user_id, created_at, expires_at) values (@hash, @userId, @now, @expires)";
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { hash = Hash(token), userId, now, expires }, cancellationToken: ct));
        return new IssuedToken(token, expires);
    }

    public async Task<UserRow?> ValidateAsync(string token, CancellationToken ct)
    {
        const string sql = """
            select u.id, u.user_name as UserName, u.password_hash as PasswordHash, u.role, u.unit_code as UnitCode, u.person_id as PersonId
            from auth_tokens t join users u on u.id = t.user_id
            where t.token_hash = @hash and t.revoked_at is null and t.expires_at > @now
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(sql, new { hash = Hash(token), now = wall.GetUtcNow() }, cancellationToken: ct));
    }

    public async Task<bool> RevokeAsync(string token, CancellationToken ct)
    {
        const string sql = "update auth_tokens set revoked_at = @now where token_hash = @hash and revoked_at is null";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { hash = Hash(token), now = wall.GetUtcNow() }, cancellationToken: ct)) > 0;
    }

    /// <summary>Revokes every token of a user (password change, user removed).</summary>
    public async Task RevokeAllAsync(Guid userId, CancellationToken ct)
    {
        const string sql = "update auth_tokens set revoked_at = @now where user_id = @userId and revoked_at is null";
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, now = wall.GetUtcNow() }, cancellationToken: ct));
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
