using Dapper;
using Rectify.Notifications.Dispatch;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Dispatch;

/// <summary>Several nodes on one database, a node stopped mid-batch, a node that died holding a lease.</summary>
public sealed class ClusterTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private HttpReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    private async Task<(Guid Person, Seed.World W)> WebhookPersonAsync(string suffix)
    {
        var w = await f.Seed.WorldAsync(suffix);
        var person = await f.Seed.Org.PersonAsync(new PersonRow("郑洁", w.LeadUnit, IsContact: false)
        {
            WebhookUrl = $"{receiver.BaseUrl}/hooks/{suffix}",
        });
        await f.Seed.PreferencesAsync(person, ["webhook"]);
        return (person, w);
    }

    private static Workflows.Notifications.NotificationRequest[] Requests(int count, Seed.World w, Guid person, DateTimeOffset now, string prefix) =>
        Enumerable.Range(1, count).Select(n => Seed.Request($"{prefix}{n}", "reminder", null, w, person, now)).ToArray();

    [Fact]
    public async Task TwoDispatchersOnOneDatabase_NoMessageSentTwice()
    {
        receiver.Respond = async (_, _, ct) => { await Task.Delay(2, ct); return (200, "{}"); };
        var settings = new Dictionary<string, string?> { ["Rectify:Notifications:BatchSize"] = "20", ["Rectify:Notifications:MaxParallel"] = "8" };
        await using var a = await NotifyHost.StartAsync(f.ConnectionString, settings, NotifyHost.MondayMorning);
        await using var b = await NotifyHost.StartAsync(f.ConnectionString, settings);
        var (person, w) = await WebhookPersonAsync("two");
        var now = a.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Requests(400, w, person, now, "two:"));

        var rows = await f.Seed.WaitForAsync("two:", r => r.Status == "sent", TimeSpan.FromSeconds(60), expected: 400);
        rows.ShouldAllBe(r => r.Attempts == 1);
        var keys = receiver.Requests.Select(r => r.Header("X-Rectify-Idempotency-Key")).ToList();
        keys.Count.ShouldBe(400);
        keys.Distinct().Count().ShouldBe(400);
        await using var c = await f.Db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox_attempts a join outbox o on o.id = a.outbox_id where o.idempotency_key like 'two:%'")).ShouldBe(400);
    }

    [Fact]
    public async Task InboxStorm_OnTwoNodes_EveryMessageOnceInTheInbox_OneAttemptEach()
    {
        // Inbox deliveries in flight together are written with one statement and one commit (group commit).
        var settings = new Dictionary<string, string?> { ["Rectify:Notifications:BatchSize"] = "100", ["Rectify:Notifications:MaxParallel"] = "64" };
        await using var a = await NotifyHost.StartAsync(f.ConnectionString, settings, NotifyHost.MondayMorning);
        await using var b = await NotifyHost.StartAsync(f.ConnectionString, settings);
        var w = await f.Seed.WorldAsync("inbox-storm");
        var person = await f.Seed.Org.PersonAsync(new PersonRow("吴敏", w.LeadUnit, IsContact: false));
        await f.Seed.PreferencesAsync(person, ["inbox"]);
        var now = a.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Requests(600, w, person, now, "inbox-storm:"));

        var rows = await f.Seed.WaitForAsync("inbox-storm:", r => r.Status == "sent", TimeSpan.FromSeconds(60), expected: 600);
        rows.ShouldAllBe(r => r.Attempts == 1);
        await using var c = await f.Db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<long>("select count(*) from inbox_messages m join outbox o on o.id = m.outbox_id where o.idempotency_key like 'inbox-storm:%'")).ShouldBe(600);
        (await c.ExecuteScalarAsync<long>("select count(distinct m.outbox_id) from inbox_messages m where m.person_id = @person", new { person })).ShouldBe(600);
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox_attempts a join outbox o on o.id = a.outbox_id where o.idempotency_key like 'inbox-storm:%'")).ShouldBe(600);
    }

    [Fact]
    public async Task HostStoppedMidBatchAndRestarted_NothingLostNothingDoubled()
    {
        var firstFive = new TaskCompletionSource();
        receiver.Respond = async (_, n, ct) =>
        {
            if (n == 5) firstFive.TrySetResult();
            await Task.Delay(200, ct);
            return (200, "{}");
        };
        var settings = new Dictionary<string, string?> { ["Rectify:Notifications:MaxParallel"] = "4" };
        var (person, w) = await WebhookPersonAsync("stop");
        var first = await NotifyHost.StartAsync(f.ConnectionString, settings, NotifyHost.MondayMorning);
        var now = first.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Requests(30, w, person, now, "stop:"));

        await firstFive.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.DisposeAsync();
        var afterStop = await f.Seed.OutboxAsync("stop:");
        afterStop.Count(r => r.Status == "sent").ShouldBeInRange(5, 29);
        afterStop.Where(r => r.Status == "pending").ShouldAllBe(r => r.Attempts == 0);

        await using var second = await NotifyHost.StartAsync(f.ConnectionString, settings);
        var rows = await f.Seed.WaitForAsync("stop:", r => r.Status == "sent", TimeSpan.FromSeconds(60), expected: 30);
        rows.ShouldAllBe(r => r.Attempts == 1);
        var keys = receiver.Requests.Where(r => r.Accepted).Select(r => r.Header("X-Rectify-Idempotency-Key")).ToList();
        keys.Distinct().Count().ShouldBe(30);
        keys.Count.ShouldBe(30);
    }

    [Fact]
    public async Task NodeDiedHoldingLease_RowsComeBackWhenLeaseEnds()
    {
        receiver.Respond = (_, _, _) => Task.FromResult((200, "{}"));
        var (person, w) = await WebhookPersonAsync("lease");
        var t0 = NotifyHost.MondayMorning.ToUniversalTime();
        await f.Seed.EnqueueAsync(t0, Requests(10, w, person, t0, "lease:"));

        // A node claims the rows with a 3-second lease and dies without sending or recording anything. The lease runs on
        // real time (bug 14), so it ends no sooner than 3 s of real time after this reading.
        var claimedNoSoonerThan = TimeProvider.System.GetUtcNow();
        var claimed = await new OutboxStore(f.Db).ClaimAsync(100, t0, TimeSpan.FromSeconds(3), CancellationToken.None);
        claimed.Count(r => r.IdempotencyKey.StartsWith("lease:", StringComparison.Ordinal)).ShouldBe(10);

        await using var survivor = await NotifyHost.StartAsync(f.ConnectionString, null, t0);
        var rows = await f.Seed.WaitForAsync("lease:", r => r.Status == "sent", TimeSpan.FromSeconds(30), expected: 10);
        rows.ShouldAllBe(r => r.Attempts == 1);
        receiver.Requests.Count.ShouldBe(10);
        // Compared on real time: sent_at is on the survivor's campaign clock, which starts at t0 when the survivor starts
        // (later than the claim), so it says nothing about when the lease ended.
        receiver.Requests.Min(r => r.At).ShouldBeGreaterThanOrEqualTo(claimedNoSoonerThan.AddSeconds(3));
    }

    [Fact]
    public async Task Bug_14_ClockMovedAMonthAhead_LeaseAndBackOffHoldOnRealTime()
    {
        // Rehearsals delivered some e-mails twice with one attempt logged: the lease lived in not_before, on the
        // controllable clock, so moving the clock a month ended every lease in flight and another claim sent again.
        var (person, w) = await WebhookPersonAsync("rehearse");
        var t0 = NotifyHost.MondayMorning.ToUniversalTime();
        await f.Seed.EnqueueAsync(t0, Requests(3, w, person, t0, "rehearse:"));
        var store = new OutboxStore(f.Db);
        var claimed = (await store.ClaimAsync(100, t0, TimeSpan.FromMinutes(2), CancellationToken.None))
            .Where(r => r.IdempotencyKey.StartsWith("rehearse:", StringComparison.Ordinal)).ToList();
        claimed.Count.ShouldBe(3);

        // The campaign clock jumps a month; the sends are still in flight in real time.
        var monthLater = t0.AddDays(30);
        (await store.ClaimAsync(100, monthLater, TimeSpan.FromMinutes(2), CancellationToken.None))
            .ShouldNotContain(r => r.IdempotencyKey.StartsWith("rehearse:", StringComparison.Ordinal));

        // A failed attempt's back-off is real time too: the month-long jump does not bring the retry forward.
        var failed = claimed[0];
        await store.CompleteAsync([new Outcome(failed.Id, failed.ClaimToken, OutcomeKind.Failed, failed.Status, monthLater, monthLater,
            "HTTP 500", null, null, 5, TimeSpan.FromMinutes(1))], CancellationToken.None);
        (await store.ClaimAsync(100, monthLater.AddDays(30), TimeSpan.FromMinutes(2), CancellationToken.None))
            .ShouldNotContain(r => r.Id == failed.Id);
        (await f.Seed.AttemptsAsync(failed.Id)).Count.ShouldBe(1);
    }
}
