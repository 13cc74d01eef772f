using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Calendar;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Domain;

namespace Rectify.Notifications.Digests;

/// <summary>
/// The daily digests as a job: builds today's digests when, as of the application clock, it is a working day past the
/// digest time (Rectify:Notifications:DigestAt, 08:30) and before quiet hours begin. It holds no state and may run any
/// number of times on any node: the builder's lock and its marker make that one set of digests a day. Hangfire runs it
/// as the recurring job <c>digests</c> (the host schedules it); a move of the controllable clock runs it too
/// (<see cref="DigestsOnClockMove"/>).
/// </summary>
public sealed class DailyDigests(
    DigestBuilder builder, IWorkingDays workingDays, TimeProvider clock, IOptions<NotificationOptions> options, ILogger<DailyDigests> logger)
{
    public const string JobId = "digests";

    /// <summary>What the run did, for the log and the tests.</summary>
    public enum Outcome { NotDue, NotWorkingDay, Built, BusyElsewhere }

    public async Task<Outcome> RunDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Enabled) return Outcome.NotDue;
        var now = clock.GetUtcNow();
        var today = ItemStatus.LocalToday(now, o.TimeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
        var localTime = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var endOfDay = o.QuietStart > o.DigestAt ? o.QuietStart : TimeOnly.MaxValue;
        if (localTime < o.DigestAt || localTime >= endOfDay) return Outcome.NotDue;
        if (!await workingDays.IsWorkingDayAsync(today, ct)) return Outcome.NotWorkingDay;
        if (!await builder.BuildAsync(today, now, ct)) return Outcome.BusyElsewhere;
        logger.LogInformation("Daily digests of {Date} are built", today);
        return Outcome.Built;
    }
}

/// <summary>
/// Runs <see cref="DailyDigests"/> after every move of the controllable clock (on this node or, seen within a second, on
/// another), so moving time past 08:30 builds the day's digests at once. Moves that come while a run is going are
/// folded into one more run after it. Nothing here polls: without a controllable clock it does nothing at all.
/// </summary>
public sealed class DigestsOnClockMove(RectifyClock clock, DailyDigests digests, Rectify.Workflows.Timers.JobGuard guard) : BackgroundService
{
    private readonly SemaphoreSlim moved = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!clock.Controllable) return;
        clock.Moved += Signal;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await moved.WaitAsync(stoppingToken);
                await guard.RunAsync("digests", async ct => await digests.RunDueAsync(ct), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            clock.Moved -= Signal;
        }
    }

    private void Signal()
    {
        try { moved.Release(); }
        catch (SemaphoreFullException) { /* a run is already signalled; it reads the clock when it starts */ }
    }

    public override void Dispose()
    {
        moved.Dispose();
        base.Dispose();
    }
}
