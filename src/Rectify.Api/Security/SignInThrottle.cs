using System.Net;
using Dapper;
using Npgsql;

namespace Rectify.Api.Security;

public sealed class SignInThrottleOptions
{
    /// <summary>Failures of one user name from one source, within <see cref="Window"/>, before back-off starts.</summary>
    public int FreeFailures { get; set; } = 5;
    /// <summary>The first back-off; it doubles with every further failure, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan Backoff { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Failures from one source (whatever the user names) within <see cref="Window"/> before the source waits <see cref="SourceBlock"/>.</summary>
    public int SourceMaxFailures { get; set; } = 50;
    public TimeSpan SourceBlock { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>The source of a sign-in: the client's IP address (an IPv6 client by its /64, which one host usually holds whole).</summary>
public static class SignInSource
{
    public static string Of(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(ip))
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return ip.ToString();
    }
}

/// <summary>
/// Sign-in limits, kept in the database so every node enforces them (table sign_in_failures, migration 0660):
/// <list type="bullet">
/// <item>per user name and source: after <see cref="SignInThrottleOptions.FreeFailures"/> failures that source waits a
/// back-off that doubles with each further failure; another source is not affected, so a stranger guessing the
/// administrator's password cannot lock the administrator out (issue 19: five wrong passwords used to lock any
/// account for everyone);</item>
/// <item>per source: too many failures from one address, whatever the names, and that address waits
/// <see cref="SignInThrottleOptions.SourceBlock"/>.</item>
/// </list>
/// Runs on the wall clock: moving the campaign clock must not block or unblock anyone.
/// </summary>
public sealed class SignInThrottle(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<SignInThrottleOptions> options)
{
    private const string Account = "account", Source = "source";

    private static string AccountKey(string userName, string source) => userName.Trim().ToLowerInvariant() + "|" + source;

    /// <summary>Until when this attempt must wait (the later of the source's and the account-from-source's block); null when it may go on.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(string userName, string source, CancellationToken ct)
    {
        const string sql = """
            select max(blocked_until) from sign_in_failures
            where ((scope = 'account' and key = @account) or (scope = 'source' and key = @source)) and blocked_until > @now
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var until = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(sql,
            new { account = AccountKey(userName, source), source, now = wall.GetUtcNow() }, cancellationToken: ct));
        return until;
    }

    /// <summary>Counts a failure for the name from this source and for the source (a new window when the last one expired).</summary>
    public async Task RecordFailureAsync(string userName, string source, CancellationToken ct)
    {
        var o = options.Value;
        // blocked_until: for the account, Backoff × 2^(failures − FreeFailures), capped; for the source, SourceBlock
        // once SourceMaxFailures is reached. Exponents are capped so the arithmetic stays small.
        const string sql = """
            insert into sign_in_failures as f (scope, key, failures, window_start, blocked_until)
            values (@scope, @key, 1, @now, case when @scope = 'account' and @free <= 1 then @now + @backoff else null end)
            on conflict (scope, key) do update set
                failures = case when f.window_start < @windowStart then 1 else f.failures + 1 end,
                window_start = case when f.window_start < @windowStart then @now else f.window_start end,
                blocked_until = case
                    when f.window_start < @windowStart then null
                    when f.scope = 'account' and f.failures + 1 >= @free
                        then @now + least(@maxBackoff, @backoff * power(2, least(f.failures + 1 - @free, 20)))
                    when f.scope = 'source' and f.failures + 1 >= @sourceMax then @now + @sourceBlock
                    else f.blocked_until end
            """;
        var now = wall.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        foreach (var (scope, key) in new[] { (Account, AccountKey(userName, source)), (Source, source) })
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                scope, key, now, windowStart = now - o.Window, free = o.FreeFailures, backoff = o.Backoff, maxBackoff = o.MaxBackoff,
                sourceMax = o.SourceMaxFailures, sourceBlock = o.SourceBlock,
            }, cancellationToken: ct));
        }
    }

    /// <summary>A successful sign-in clears that name's failures from that source (not the source's: one good account must not launder guesses).</summary>
    public async Task ResetAsync(string userName, string source, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from sign_in_failures where scope = 'account' and key = @key",
            new { key = AccountKey(userName, source) }, cancellationToken: ct));
    }
}
