using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;
using Rectify.Workflows.Persistence;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Tests.Definitions;

namespace Rectify.Workflows.Tests.Timers;

/// <summary>
/// Timers fire exactly once: with two nodes sweeping one database, and when a node is killed in the middle of a burst
/// (its connections terminated by the server, as a crash would) and another node takes over.
/// </summary>
public sealed class TimerDurabilityTests : IAsyncLifetime
{
    private const int Burst = 3000;
    private TestDatabase db = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        DapperTypeHandlers.Register();
        await using var source = db.CreateDataSource();
        var store = new DefinitionStore(source, EmbeddedSchema.Validator());
        (await store.PublishAsync(ShippedDefinitions.Json("rectification-campaign"), DateTimeOffset.UtcNow, default)).Errors.ShouldBeEmpty();
        var org = new OrgBuilder(source);
        await org.UnitAsync("lgo", "领导小组办公室", "leadingGroup");
        await org.UnitAsync("ua", "县测试局", "department");
        await org.PersonAsync(new PersonRow("张联络", "ua", IsContact: true) { Email = "ua@example.cn" });
        await using var c = await source.OpenConnectionAsync();
        // Every item's T-7 reminder is a minute overdue: a burst of due timers, each with two outbox rows (e-mail, inbox).
        await c.ExecuteAsync("""
            insert into campaigns(id, title, issued_by_unit, workflow_id, workflow_version, state, launched_at)
            values ('00000000-0000-0000-0000-0000000000c1', '演练', 'lgo', 'rectification-campaign', 1, 'active', now());
            insert into items(id, campaign_id, seq, title, lead_unit, units, deadline, effective_deadline, state, cycle, assigned_at, acknowledged_at)
            select gen_random_uuid(), '00000000-0000-0000-0000-0000000000c1', n, '问题 ' || n, 'ua', '{ua}',
                   (now() at time zone 'Asia/Shanghai')::date + 30, (now() at time zone 'Asia/Shanghai')::date + 30, 'inProgress', 1, now(), now()
            from generate_series(1, @Burst) n;
            insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
            select now() - interval '1 minute', 'item', id, campaign_id, 1, 'reminder:T-7', now() from items;
            """, new { Burst });
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private IHost Node(string name)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rectify"] = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = name, MaxPoolSize = 10 }.ConnectionString,
            ["Rectify:Timers:BatchSize"] = "200",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddRectifyPersistence(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<INotificationOutbox, SqlNotificationOutbox>();
        builder.Services.AddRectifyRuntime(builder.Configuration);
        return builder.Build();
    }

    private async Task<long> FiredAsync()
    {
        await using var c = new NpgsqlConnection(db.ConnectionString);
        return await c.ExecuteScalarAsync<long>("select count(*) from journal where type = 'reminder'");
    }

    private async Task WaitForAsync(Func<long, bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!done(await FiredAsync()))
        {
            if (watch.Elapsed > timeout) throw new TimeoutException($"timers still pending after {timeout}: {await FiredAsync()} fired");
            await Task.Delay(25);
        }
    }

    private async Task AssertEachFiredOnceAsync()
    {
        await using var c = new NpgsqlConnection(db.ConnectionString);
        (await c.ExecuteScalarAsync<long>("select count(*) from journal where type = 'reminder'")).ShouldBe(Burst);
        (await c.ExecuteScalarAsync<long>("select count(*) from (select item_id from journal where type = 'reminder' group by item_id having count(*) <> 1) x")).ShouldBe(0);
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'reminder'")).ShouldBe(Burst * 2);
        (await c.ExecuteScalarAsync<long>("select count(*) from timers where step = 'reminder:T-7'")).ShouldBe(0);
        // Each item's next reminder is chained once: T-3, or T-1 when the calendar puts both on one day (a deadline of
        // 3 January 2027, T-1 on Saturday moved past the New Year holiday onto T-3's Thursday).
        (await c.ExecuteScalarAsync<long>("""
            select count(distinct subject_id) from timers
            where step in ('reminder:T-3', 'reminder:T-1') and subject_kind = 'item'
            having count(*) = count(distinct subject_id)
            """)).ShouldBe(Burst);
    }

    [Fact]
    public async Task TwoNodesOnOneDatabase_EachTimerFiresOnce()
    {
        using var a = Node("node-a");
        using var b = Node("node-b");
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        await WaitForAsync(n => n >= Burst, TimeSpan.FromSeconds(60));
        await Task.WhenAll(a.StopAsync(), b.StopAsync());
        await AssertEachFiredOnceAsync();
    }

    [Fact]
    public async Task NodeKilledMidBurst_AnotherNodeFinishes_NothingLostNothingDoubled()
    {
        var a = Node("node-a");
        await a.StartAsync();
        await WaitForAsync(n => n > 0, TimeSpan.FromSeconds(30));
        await using (var c = new NpgsqlConnection(db.ConnectionString))
        {
            // A crash: the server drops node A's connections, whatever transaction they were in.
            await c.ExecuteAsync("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'node-a'");
        }
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await a.StopAsync(cts.Token);
        a.Dispose();
        var afterKill = await FiredAsync();
        afterKill.ShouldBeLessThan(Burst);

        using var b = Node("node-b");
        await b.StartAsync();
        await WaitForAsync(n => n >= Burst, TimeSpan.FromSeconds(60));
        await b.StopAsync();
        await AssertEachFiredOnceAsync();
    }
}
