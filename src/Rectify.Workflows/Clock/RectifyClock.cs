using System.Globalization;
using Dapper;
using Npgsql;

namespace Rectify.Workflows.Clock;

public sealed class ClockOptions
{
    /// <summary>Rectify__Clock__Controllable: lets /api/admin/clock move time. Off by default.</summary>
    public bool Controllable { get; set; }
}

/// <summary>
/// The application's clock. Normally the system clock. When controllable, it runs at real speed from an offset kept
/// in the database (app_settings 'clock.offset'), so every node on the database agrees on the time and an operator
/// can move it forward to watch timers fire. Time keeps flowing between moves, so retries and back-offs still elapse.
/// </summary>
public sealed class RectifyClock(NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<ClockOptions> options) : TimeProvider
{
    private const string OffsetKey = "clock.offset";
    private long offsetTicks;

    // One reading or writing of the shared offset at a time on this node. Without it the refresher (once a second) could
    // read the old offset, a move write and take the new one, and the refresher then put the old one back: for up to a
    // second "now" went backwards (a talk held today was refused as in the future, AccessMatrixTests under load).
    private readonly SemaphoreSlim exchange = new(1, 1);

    public bool Controllable => options.Value.Controllable;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>
    /// Raised after the clock was moved: here (<see cref="SetAsync"/>) or by another node (seen by <see cref="RefreshAsync"/>).
    /// Work that is due "as of now" and is not a timer (the daily digests) listens, so a move triggers what it would trigger.
    /// </summary>
    public event Action? Moved;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    /// <summary>Reads the shared offset from the database (other nodes may have moved the clock).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (!Controllable) return;
        bool moved;
        await exchange.WaitAsync(ct);
        try
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var value = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select value from app_settings where key = @OffsetKey", new { OffsetKey }, cancellationToken: ct));
            var offset = value is null ? 0 : long.Parse(value, CultureInfo.InvariantCulture);
            moved = Interlocked.Exchange(ref offsetTicks, offset) != offset;
        }
        finally
        {
            exchange.Release();
        }
        if (moved) Moved?.Invoke();
    }

    /// <summary>Moves the shared clock so that "now" becomes <paramref name="now"/>. Only when controllable.</summary>
    public async Task SetAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (!Controllable) throw new InvalidOperationException("the clock is not controllable");
        await exchange.WaitAsync(ct);
        try
        {
            var offset = (now - System.GetUtcNow()).Ticks;
            await using var connection = await db.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into app_settings(key, value, updated_at) values (@OffsetKey, @value, now())
                on conflict (key) do update set value = excluded.value, updated_at = now()
                """, new { OffsetKey, value = offset.ToString(CultureInfo.InvariantCulture) }, cancellationToken: ct));
            Interlocked.Exchange(ref offsetTicks, offset);
        }
        finally
        {
            exchange.Release();
        }
        Moved?.Invoke();
    }
}

/// <summary>
/// What <c>POST /api/admin/clock</c> waits on after moving time: every timer due by then has fired and its outbox
/// rows exist. The runtime registers the real one; until then nothing is due.
/// </summary>
public interface IDueWorkBarrier
{
    Task WaitUntilDueWorkDoneAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Moves <paramref name="clock"/> to <paramref name="target"/>, firing each timer in between as of its own due time.</summary>
    Task RehearseAsync(RectifyClock clock, DateTimeOffset target, CancellationToken ct);
}

public sealed class NothingDueBarrier : IDueWorkBarrier
{
    public Task WaitUntilDueWorkDoneAsync(DateTimeOffset now, CancellationToken ct) => Task.CompletedTask;

    public Task RehearseAsync(RectifyClock clock, DateTimeOffset target, CancellationToken ct) => clock.SetAsync(target, ct);
}
