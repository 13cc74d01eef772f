using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Timers;

public sealed class TimerOptions
{
    /// <summary>Rectify__Timers__Enabled: run the sweep on this node (every node may; SKIP LOCKED shares the work).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Concurrent sweeps on this node while timers are due (each claims its own batch).</summary>
    public int Workers { get; set; } = 2;

    public int BatchSize { get; set; } = 500;

    /// <summary>The longest this node sleeps without looking at the next due time (also the bound after a missed NOTIFY).</summary>
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far ahead the node pre-stages timers due at (nearly) one instant: their effects are written ahead and
    /// committed at the due time. Zero turns staging off. Items of a staged batch stay locked until then, so a user's
    /// event on one of them waits at most this long.
    /// </summary>
    public TimeSpan Lookahead { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timers one staging transaction takes (timers due within <see cref="StageSpread"/> of the first).</summary>
    public int StageBatchSize { get; set; } = 5000;

    /// <summary>Timers due this close after the next one are staged with it (and wait at most this long for it).</summary>
    public TimeSpan StageSpread { get; set; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// The sweep loop of one node. Idle, it costs one small query per wake-up: it sleeps until the earliest due time (or
/// <see cref="TimerOptions.MaxIdle"/>), and wakes early on <c>NOTIFY rectify_timers</c>, which launches, events and the
/// controllable clock send when they add or move timers. Due, it runs <see cref="TimerOptions.Workers"/> sweeps at once
/// until nothing is due.
/// </summary>
public sealed class TimerService(
    TimerSweeper sweeper, NpgsqlDataSource db, TimeProvider clock, IOptions<TimerOptions> options, TimerServiceState state,
    ILogger<TimerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            state.Disabled = true;
            return;
        }
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await db.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"listen {CampaignLauncher.TimerChannel}", listener))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                state.Listening = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    await DrainAsync(o, stoppingToken);
                    failures = 0;
                    var next = await sweeper.NextDueAsync(stoppingToken);
                    var wait = next is { } n ? n - clock.GetUtcNow() : o.MaxIdle;
                    if (wait <= TimeSpan.Zero) continue;
                    if (next is { } due && wait <= o.Lookahead && await StageAsync(o, due, stoppingToken) > 0) continue;
                    // Nothing to stage here (another node has them, or staging is off): sleep until they are due.
                    if (o.Lookahead > TimeSpan.Zero && wait > o.Lookahead) wait -= o.Lookahead;
                    if (wait > o.MaxIdle) wait = o.MaxIdle;
                    // Returns early when a NOTIFY arrives; sub-millisecond remainders round up so we never spin.
                    await listener.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds))), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                state.Listening = false;
                failures++;
                // Pooled connections to a server that went away are dead; drop them so the next attempt dials afresh.
                // The back-off stays short (at most 5 s) so a node is ready again seconds after the database is back.
                db.Clear();
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, Math.Min(failures, 5))));
                logger.LogWarning(ex, "Timer sweep failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A row's fault is quarantined inside the sweep; anything reaching here is the loop's own. It must not
                // stop the host (BackgroundServiceExceptionBehavior.StopHost): the node reports not ready and retries.
                state.Listening = false;
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(failures, 6))));
                logger.LogError(ex, "Timer loop failed unexpectedly ({Failures} in a row); retrying in {Delay}", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    /// <summary>Pre-stages the timers due at the next instant (see <see cref="TimerOptions.Lookahead"/>) on every worker.</summary>
    private async Task<int> StageAsync(TimerOptions o, DateTimeOffset due, CancellationToken ct)
    {
        if (o.Lookahead <= TimeSpan.Zero) return 0;
        var staging = new Staging(due + o.StageSpread, clock);
        var workers = Enumerable.Range(0, Math.Max(1, o.Workers))
            .Select(_ => sweeper.SweepOnceAsync(clock.GetUtcNow(), o.StageBatchSize, ct, stage: staging));
        return (await Task.WhenAll(workers)).Sum(r => r.Fired);
    }

    private async Task DrainAsync(TimerOptions o, CancellationToken ct)
    {
        var workers = Enumerable.Range(0, Math.Max(1, o.Workers)).Select(async _ =>
        {
            while (!ct.IsCancellationRequested)
            {
                var result = await sweeper.SweepOnceAsync(clock.GetUtcNow(), o.BatchSize, ct);
                if (result.Idle) return;
                if (result.Fired == 0 && result.Quarantined == 0) await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }
        });
        await Task.WhenAll(workers);
    }
}

/// <summary>Whether this node's sweep loop is up (for /health/ready): listening for NOTIFY, or deliberately disabled.</summary>
public sealed class TimerServiceState
{
    private volatile bool listening;
    private volatile bool disabled;

    public bool Listening { get => listening; set => listening = value; }
    public bool Disabled { get => disabled; set => disabled = value; }
    public bool Ready => listening || disabled;
}
