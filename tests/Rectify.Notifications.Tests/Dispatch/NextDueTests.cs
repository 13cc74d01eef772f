using Dapper;
using Rectify.Notifications.Dispatch;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Dispatch;

/// <summary>
/// When an idle dispatcher wakes (<see cref="OutboxStore.NextDueAsync"/>): read in due order from outbox_claimable, it
/// must give what the minimum over every waiting row gives (each row's due time, a row held by a lease counting from
/// its lease's end carried over to campaign time), whatever is waiting, held, digested or sent.
/// </summary>
public sealed class NextDueTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    private sealed class Fixed(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    /// <summary>The rule as one minimum over every waiting row (what NextDueAsync read before, and still means).</summary>
    private async Task<DateTimeOffset?> ByEveryRowAsync(DateTimeOffset now, DateTimeOffset wall)
    {
        await using var c = await f.Db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<DateTimeOffset?>("""
            select min(greatest(not_before, @now + greatest(coalesce(lease_until, @wall) - @wall, interval '0'))) from outbox
            where status in ('pending','failed') and not digest_hold and digested_in is null
            """, new { now, wall });
    }

    private async Task SetAsync(string sql, object args)
    {
        await using var c = await f.Db.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    [Fact]
    public async Task NextDue_IsTheMinimumOverEveryWaitingRow_HeldOrNot()
    {
        var w = await f.Seed.WorldAsync("next");
        var person = await f.Seed.Org.PersonAsync(
            new PersonRow("冯敏", w.LeadUnit, IsContact: false) { WebhookUrl = "http://127.0.0.1:9/hook" });
        await f.Seed.PreferencesAsync(person, ["webhook"]);
        var now = NotifyHost.MondayMorning.ToUniversalTime();
        var wall = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var store = new OutboxStore(f.Db, new Fixed(wall));
        async Task CheckAsync(string what, DateTimeOffset? expected)
        {
            var reference = await ByEveryRowAsync(now, wall);
            reference.ShouldBe(expected, what + " (the rule itself)");
            (await store.NextDueAsync(now, CancellationToken.None)).ShouldBe(expected, what);
        }

        await CheckAsync("nothing waits", null);
        var requests = Enumerable.Range(1, 6).Select(n => Seed.Request($"next:{n}", "reminder", null, w, person, now)).ToArray();
        await f.Seed.EnqueueAsync(now, requests);
        async Task NotBeforeAsync(int n, DateTimeOffset at) =>
            await SetAsync("update outbox set not_before = @at where idempotency_key like @key", new { at, key = $"next:{n}%" });
        async Task LeaseAsync(int n, DateTimeOffset? until) =>
            await SetAsync("update outbox set lease_until = @until where idempotency_key like @key", new { until, key = $"next:{n}%" });
        for (var n = 1; n <= 6; n++) await NotBeforeAsync(n, now.AddHours(n));
        await CheckAsync("all later, none held: the first", now.AddHours(1));

        await LeaseAsync(1, wall.AddMinutes(10));
        await CheckAsync("the first held for ten more minutes: its lease ends before it is due", now.AddHours(1));
        await LeaseAsync(1, wall.AddHours(3));
        await CheckAsync("the first held for three hours: the second", now.AddHours(2));
        await LeaseAsync(2, wall.AddMinutes(-1));
        await CheckAsync("the second's lease over: as if not held", now.AddHours(2));

        await NotBeforeAsync(3, now.AddMinutes(-5));
        await CheckAsync("one due already: now", now);
        await LeaseAsync(3, wall.AddMinutes(2));
        await CheckAsync("that one held two more minutes, others later", now.AddMinutes(2));
        await SetAsync("update outbox set digest_hold = true where idempotency_key like 'next:3%'", new { });
        await CheckAsync("held for a digest: not waiting", now.AddHours(2));
        await SetAsync("update outbox set status = 'sent' where idempotency_key like 'next:2%'", new { });
        await CheckAsync("sent: not waiting", now.AddHours(3));
        await NotBeforeAsync(1, now.AddHours(-1));
        await SetAsync("update outbox set lease_until = @until where idempotency_key like 'next:%'", new { until = wall.AddMinutes(30) });
        await CheckAsync("every row held, one due: the end of its lease, carried over", now.AddMinutes(30));
        await SetAsync("update outbox set status = 'sent' where idempotency_key like 'next:%'", new { });
        await CheckAsync("everything sent", null);
    }
}
