using Dapper;
using Npgsql;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Timers;

/// <summary>
/// The real <see cref="IDueWorkBarrier"/>: after the controllable clock moved, drives the sweep on this node until no
/// timer due at or before the new time is left — including rows another node has claimed and not yet committed, which
/// a plain count still sees — so when it returns, every due timer has fired and its outbox rows exist. Then wakes the
/// other nodes so they re-read the next due time.
/// </summary>
public sealed class SweepBarrier(TimerSweeper sweeper, NpgsqlDataSource db) : IDueWorkBarrier
{
    /// <summary>
    /// A rehearsal (issue 14 §5, API.md): moves the clock to <paramref name="target"/> through every timer due in
    /// between, each as of its own due time and in due order — the clock stops at the earliest due time, everything
    /// due by then fires as of then, and on to the next (a fired step may chain one due before the target) — so a
    /// month in one move sends what a month of running sends and nothing counts as late because of the move. Timers
    /// already overdue before the move (a real outage) fire as of the current time, late as they really are.
    /// </summary>
    public async Task RehearseAsync(RectifyClock clock, DateTimeOffset target, CancellationToken ct)
    {
        target = target.ToUniversalTime();
        while (await sweeper.NextDueAsync(ct) is { } next && next <= target)
        {
            var current = clock.GetUtcNow();
            if (next > current) await clock.SetAsync(next, ct);
            await WaitUntilDueWorkDoneAsync(next > current ? next : current, ct);
        }
        await clock.SetAsync(target, ct);
        await WaitUntilDueWorkDoneAsync(target, ct);
    }

    public async Task WaitUntilDueWorkDoneAsync(DateTimeOffset now, CancellationToken ct)
    {
        now = now.ToUniversalTime();
        while (true)
        {
            await sweeper.DrainAsync(now, ct);
            await using var connection = await db.OpenConnectionAsync(ct);
            var left = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "select count(*) from timers where due_at <= @now and not quarantined", new { now }, cancellationToken: ct));
            if (left == 0)
            {
                await connection.ExecuteAsync(new CommandDefinition($"select pg_notify('{CampaignLauncher.TimerChannel}', '')", cancellationToken: ct));
                return;
            }
            // Another node is firing some of them; its transaction commits or rolls back shortly, either way we go on.
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }
}
