using Microsoft.Extensions.Options;
using Rectify.TestSupport;
using Rectify.Workflows.Clock;

namespace Rectify.Workflows.Tests.Clock;

public sealed class RectifyClockTests
{
    /// <summary>
    /// The refresher reads the shared offset while the clock is being moved. A refresh that read the offset before a move
    /// wrote it must not put the old offset back after the move: "now" never goes backwards on the node that moved it.
    /// </summary>
    [Fact]
    public async Task SetAsync_WhileAnotherTaskRefreshes_NowNeverGoesBack()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var source = db.CreateDataSource();
        var clock = new RectifyClock(source, Options.Create(new ClockOptions { Controllable = true }));
        using var stop = new CancellationTokenSource();
        long refreshes = 0;
        var refresher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await clock.RefreshAsync(CancellationToken.None);
                Interlocked.Increment(ref refreshes);
            }
        });
        var start = new DateTimeOffset(2026, 5, 11, 1, 0, 0, TimeSpan.Zero);
        var wentBack = new List<string>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var target = start.AddDays(i);
                await clock.SetAsync(target, CancellationToken.None);
                // Watch until two refreshes have begun and ended after the move: one that was under way during it, one after.
                var seen = Interlocked.Read(ref refreshes);
                while (Interlocked.Read(ref refreshes) < seen + 2 && !refresher.IsCompleted)
                {
                    var now = clock.GetUtcNow();
                    if (now < target && wentBack.Count < 10) wentBack.Add($"{target:yyyy-MM-dd}: read {now:O}");
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await refresher;
        }
        wentBack.ShouldBeEmpty();
    }
}
