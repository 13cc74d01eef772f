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
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Rows removed per statement, so a first run on a big table never holds long locks.</summary>
    public int BatchSize { get; set; } = 5_000;
}

public sealed record RetentionResult(long Notifications, long IdempotencyKeys, long Tokens);

/// <summary>
/// Keeps the hot tables small: delivered notifications older than the retention period, stale idempotency answers and
/// dead tokens are deleted in bounded batches. Fired timers need nothing here: a timer row is deleted when it fires.
/// Dead letters and pending messages are never removed — an operator must see them.
/// </summary>
public sealed class Retention(NpgsqlDataSource db, TimeProvider clock, [FromKeyedServices("wall")] TimeProvider wall, Microsoft.Extensions.Options.IOptions<RetentionOptions> options)
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
        return new RetentionResult(notifications, keys, tokens);
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

/// <summary>Runs the retention once an interval on every node; the deletes are idempotent, so nodes need no coordination.</summary>
public sealed class RetentionService(
    Retention retention, Microsoft.Extensions.Options.IOptions<RetentionOptions> options, ILogger<RetentionService> logger, Rectify.Workflows.Timers.JobGuard guard)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // The database may be briefly away (fail-over, restart), or a row may trip the run: either way the next tick
            // tries again (a failure other than the database's is an incident on /admin/incidents).
            await guard.RunAsync("retention", async ct =>
            {
                var result = await retention.RunOnceAsync(ct);
                if (result.Notifications + result.IdempotencyKeys + result.Tokens > 0)
                    logger.LogInformation("Retention removed {Notifications} delivered notifications, {Keys} idempotency keys, {Tokens} tokens",
                        result.Notifications, result.IdempotencyKeys, result.Tokens);
            }, stoppingToken);
        }
    }
}

public static class RetentionRegistration
{
    public static IServiceCollection AddRectifyRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration("Rectify:Retention");
        services.AddSingleton<Retention>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
