using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rectify.Workflows.Persistence;

namespace Rectify.Api.Hosting;

public static class Health
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddRectifyHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [ReadyTag])
            .AddCheck<StartupCompletedCheck>("startup", tags: [ReadyTag])
            .AddCheck<TimerSweepReadyCheck>("timers", tags: [ReadyTag]);
        return services;
    }

    public static WebApplication MapRectifyHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}

/// <summary>Ready when the database answers and every embedded migration is applied.</summary>
public sealed class DatabaseReadyCheck(MigrationRunner migrations, Npgsql.NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await migrations.IsUpToDateAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("migrations not applied");
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // Idle pooled connections outlive a database restart; drop them so the next probe dials afresh.
            db.Clear();
            return HealthCheckResult.Unhealthy("database unreachable", ex);
        }
    }
}

/// <summary>Ready once the start-up tasks (migrations, bootstrap, demo) have finished.</summary>
public sealed class StartupCompletedCheck(StartupState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Completed ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("starting"));
}
