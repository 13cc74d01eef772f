using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rectify.Workflows.Clock;

/// <summary>Keeps a controllable clock in step with the offset other nodes write (one small query a second).</summary>
public sealed class ClockRefresher(RectifyClock clock, ILogger<ClockRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!clock.Controllable) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                await clock.RefreshAsync(stoppingToken);
            }
            catch (Npgsql.NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not refresh the controllable clock; keeping the last offset");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
