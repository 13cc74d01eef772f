using Dapper;
using Npgsql;

namespace Rectify.Api.Security;

public sealed class SignInThrottleOptions
{
    /// <summary>Failed attempts allowed for one user name within <see cref="Window"/> before it is locked.</summary>
    public int MaxFailures { get; set; } = 5;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Temporary lockout after repeated failed sign-ins, per user name, kept in the database so every node enforces it.
/// Runs on the wall clock: moving the campaign clock must not lock or unlock accounts.
/// </summary>
public sealed class SignInThrottle(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<SignInThrottleOptions> options)
{
    /// <summary>When the user name is locked, until when; otherwise null.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string userName, CancellationToken ct)
    {
        const string sql = "select locked_until from sign_in_failures where user_name = lower(@userName) and locked_until > @now";
        await using var connection = await db.OpenConnectionAsync(ct);
        var until = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(sql, new { userName, now = wall.GetUtcNow() }, cancellationToken: ct));
        return until is { } u ? new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)) : null;
    }

    /// <summary>Counts a failure (a new window when the last one expired) and locks the name when the limit is reached.</summary>
    public async Task RecordFailureAsync(string userName, CancellationToken ct)
    {
        var o = options.Value;
        const string sql = """
            insert into sign_in_failures(user_name, failures, window_start, locked_until)
            values (lower(@userName), 1, @now, null)
            on conflict (user_name) do update set
                failures = case when sign_in_failures.window_start < @windowStart then 1 else sign_in_failures.failures + 1 end,
                window_start = case when sign_in_failures.window_start < @windowStart then @now else sign_in_failures.window_start end,
                locked_until = case
                    when sign_in_failures.window_start >= @windowStart and sign_in_failures.failures + 1 >= @max then @lockUntil
                    else sign_in_failures.locked_until end
            """;
        var now = wall.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            userName, now, windowStart = now - o.Window, max = o.MaxFailures, lockUntil = now + o.Lockout,
        }, cancellationToken: ct));
    }

    public async Task ResetAsync(string userName, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from sign_in_failures where user_name = lower(@userName)", new { userName }, cancellationToken: ct));
    }
}
