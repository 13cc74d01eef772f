using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Rectify.Api.Features.CalendarFeeds;

/// <summary>The secret of a subscription URL: 32 random bytes, URL-safe; only its SHA-256 is stored.</summary>
public static class FeedTokens
{
    public const string Unit = "unit";
    public const string Person = "person";

    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Replaces the subject's token (the old URL stops working) and returns the new one.</summary>
    public static async Task<(string Token, DateTimeOffset CreatedAt)> RotateAsync(
        NpgsqlConnection connection, string kind, string subjectId, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var token = NewToken();
        const string sql = """
            insert into calendar_feed_tokens(subject_kind, subject_id, token_hash, created_at, created_by)
            values (@kind, @subjectId, @hash, @now, @actor)
            on conflict (subject_kind, subject_id) do update set token_hash = excluded.token_hash, created_at = excluded.created_at, created_by = excluded.created_by
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { kind, subjectId, hash = Hash(token), now, actor }, cancellationToken: ct));
        return (token, now);
    }

    public static async Task<DateTimeOffset?> CreatedAtAsync(NpgsqlConnection connection, string kind, string subjectId, CancellationToken ct)
    {
        const string sql = "select created_at from calendar_feed_tokens where subject_kind = @kind and subject_id = @subjectId";
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(
            new CommandDefinition(sql, new { kind, subjectId }, cancellationToken: ct));
    }

    public static async Task<bool> RevokeAsync(NpgsqlConnection connection, string kind, string subjectId, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from calendar_feed_tokens where subject_kind = @kind and subject_id = @subjectId", new { kind, subjectId }, cancellationToken: ct)) > 0;

    /// <summary>Whether the token is the current one of exactly this subject (a unit's token never opens another unit's feed).</summary>
    public static async Task<bool> IsValidAsync(NpgsqlConnection connection, string kind, string subjectId, string token, CancellationToken ct)
    {
        if (token.Length is 0 or > 100) return false;
        const string sql = "select exists(select 1 from calendar_feed_tokens where token_hash = @hash and subject_kind = @kind and subject_id = @subjectId)";
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { hash = Hash(token), kind, subjectId }, cancellationToken: ct));
    }
}
