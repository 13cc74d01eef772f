using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Calendar;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Domain;

namespace Rectify.Notifications.Digests;

/// <summary>
/// Builds the daily digests at 08:30 local on working days (Rectify:Notifications:DigestAt), on every node; the
/// builder's lock and idempotency keys make that one set of digests. Reads the application clock, so moving the
/// controllable clock past 08:30 builds the day's digests within a second.
/// </summary>
public sealed class DigestScheduler(
    DigestBuilder builder, IWorkingDays workingDays, TimeProvider clock, IOptions<NotificationOptions> options,
    IOptions<ClockOptions> clockOptions, ILogger<DigestScheduler> logger, Rectify.Workflows.Timers.JobGuard guard) : BackgroundService
{
    private DateOnly? builtFor;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        var tick = clockOptions.Value.Controllable ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(30);
        while (!stoppingToken.IsCancellationRequested)
        {
            // A failure (database away, or one person's data the builder trips on) is logged and, when it is not the
            // database's, an incident; the next tick tries again. It never stops the host.
            await guard.RunAsync("digests", TickAsync, stoppingToken);
            try { await Task.Delay(tick, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Builds today's digests if it is a working day, past the digest time and before quiet hours begin.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var today = ItemStatus.LocalToday(now, o.TimeZone);
        if (builtFor == today) return;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
        var localTime = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var endOfDay = o.QuietStart > o.DigestAt ? o.QuietStart : TimeOnly.MaxValue;
        if (localTime < o.DigestAt || localTime >= endOfDay) return;
        if (!await workingDays.IsWorkingDayAsync(today, ct)) { builtFor = today; return; }
        if (await builder.BuildAsync(today, now, ct))
        {
            builtFor = today;
            logger.LogInformation("Daily digests built for {Date}", today);
        }
    }
}
