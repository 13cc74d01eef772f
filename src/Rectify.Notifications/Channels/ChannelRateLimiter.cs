using Dapper;
using Npgsql;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Per-destination limits shared by all nodes: a fixed one-minute window per key in table channel_rate_windows.
/// Over the limit the message is deferred to the next window, never dropped.
/// </summary>
public sealed class ChannelRateLimiter(NpgsqlDataSource db)
{
    /// <summary>Null when the message may go now; otherwise the start of the next window.</summary>
    public async Task<DateTimeOffset?> AcquireAsync(string key, int perMinute, DateTimeOffset now, CancellationToken ct)
    {
        if (perMinute <= 0) return null;
        var window = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        const string sql = """
            insert into channel_rate_windows(key, window_start, used) values (@key, @window, 1)
            on conflict (key) do update set
                used = case when channel_rate_windows.window_start = excluded.window_start then channel_rate_windows.used + 1 else 1 end,
                window_start = excluded.window_start
            returning used
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var used = await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { key, window }, cancellationToken: ct));
        return used <= perMinute ? null : window.AddMinutes(1);
    }
}
