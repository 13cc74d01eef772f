using Dapper;
using Npgsql;

namespace Rectify.Api.Operations;

public sealed class RetentionOptions
{
    /// <summary>How long delivered notifications (and their attempts) are kept. Journals are kept for ever.</summary>
    public TimeSpan Notifications { get; set; } = TimeSpan.FromDays(180);
    /// <summary>How long a stored Idempotency-Key answer can be replayed.</summary>
    public TimeSpan IdempotencyKeys { get; set; } = TimeSpan.FromDays(7);
    /// <summary>Expired or revoked bearer tokens are kept this long for the audit trail, then removed.</summary>
    public TimeSpan Tokens { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Finished background tasks (exports, imports) and their result files are kept this long.</summary>
    public TimeSpan BackgroundTasks { get; set; } = TimeSpan.FromDays(7);
    /// <summary>When the Hangfire recurring job <c>retention</c> runs (cron, UTC): hourly by default.</summary>
    public string Cron { get; set; } = "7 * * * *";
    /// <summary>Rows removed per statement, so a first run on a big table never holds long locks.</summary>
    public int BatchSize { get; set; } = 5_000;
}

public sealed record RetentionResult(long Notifications, long IdempotencyKeys, long Tokens, long BackgroundTasks = 0);

/// <summary>
/// Keeps the hot tables small: delivered notifications older than the retention period, stale idempotency answers and
/// dead tokens (expired or revoked sessions and bearer tokens) and finished background tasks with their files are deleted in
/// bounded batches. Fired timers need nothing here: a timer row is deleted when it fires.
/// Dead letters and pending messages are never removed — an operator must see them — and neither are the append-only
/// journals. Hangfire runs it as the recurring job <c>retention</c> (Rectify:Retention:Cron); every delete is idempotent,
/// so a second run, or two nodes at once, remove nothing twice.
/// </summary>
public sealed class Retention(
    NpgsqlDataSource db, TimeProvider clock, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<RetentionOptions> options,
    ILogger<Retention> logger)
{
    public async Task<RetentionResult> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        // Notification age follows the application clock (the one the outbox is stamped with); tokens follow the wall clock.
        var notifications = await DeleteInBatchesAsync("""
            delete from outbox where id in (
                select id from outbox where status = 'sent' and sent_at < @before order by id limit @batch)
            """, clock.GetUtcNow() - o.Notifications, o.BatchSize, ct);
        var keys = await DeleteInBatchesAsync("""
            delete from idempotency_keys where ctid in (
                select ctid from idempotency_keys where created_at < @before limit @batch)
            """, wall.GetUtcNow() - o.IdempotencyKeys, o.BatchSize, ct);
        var tokens = await DeleteInBatchesAsync("""
            delete from auth_tokens where token_hash in (
                select token_hash from auth_tokens where coalesce(revoked_at, expires_at) < @before limit @batch)
            """, wall.GetUtcNow() - o.Tokens, o.BatchSize, ct);
        var tasks = await DeleteInBatchesAsync("""
            delete from background_tasks where id in (
                select id from background_tasks where finished_at < @before order by finished_at limit @batch)
            """, wall.GetUtcNow() - o.BackgroundTasks, o.BatchSize, ct);
        var result = new RetentionResult(notifications, keys, tokens, tasks);
        if (notifications + keys + tokens + tasks > 0)
            logger.LogInformation("Retention removed {Notifications} delivered notifications, {Keys} idempotency keys, {Tokens} tokens, {Tasks} background tasks",
                notifications, keys, tokens, tasks);
        return result;
    }

    private async Task<long> DeleteInBatchesAsync(string sql, DateTimeOffset before, int batch, CancellationToken ct)
    {
        long total = 0;
        await using var connection = await db.OpenConnectionAsync(ct);
        while (true)
        {
            var n = await connection.ExecuteAsync(new CommandDefinition(sql, new { before, batch }, cancellationToken: ct));
            total += n;
            if (n < batch) return total;
        }
    }
}

public static class RetentionRegistration
{
    public static IServiceCollection AddRectifyRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration("Rectify:Retention");
        services.AddSingleton<Retention>();
        return services;
    }
}
