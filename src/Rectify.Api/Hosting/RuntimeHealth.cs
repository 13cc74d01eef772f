using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Hosting;

/// <summary>Ready once this node's timer sweep listens for work (API.md: "scheduler started").</summary>
public sealed class TimerSweepReadyCheck(TimerServiceState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("timer sweep not started"));
}
