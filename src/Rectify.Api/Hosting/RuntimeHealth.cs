using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Hosting;

/// <summary>Ready once this node's timer sweep listens for work (API.md: "scheduler started").</summary>
public sealed class TimerSweepReadyCheck(TimerServiceState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("timer sweep not started"));
}

/// <summary>Forgets Idempotency-Key records older than a day, once an hour (one small transaction).</summary>
public sealed class IdempotencyKeyJanitor(Npgsql.NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, ILogger<IdempotencyKeyJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), wall);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await Dapper.SqlMapper.ExecuteAsync(connection, new Dapper.CommandDefinition(
                    "delete from idempotency_keys where created_at < @cutoff", new { cutoff = wall.GetUtcNow().AddDays(-1) }, cancellationToken: stoppingToken));
            }
            catch (Npgsql.NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not delete old idempotency keys; trying again in an hour");
            }
        }
    }
}
