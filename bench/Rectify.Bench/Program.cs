using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Rectify.Bench;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;
using Rectify.Workflows.Persistence;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

// ./rectify.sh bench → scripts/bench.sh starts a PostgreSQL with fsync on and runs this with its connection string.
var server = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Rectify.Bench <server connection string> [report.md]");
var reportPath = args.Length > 1 ? args[1] : null;
var items = int.Parse(Environment.GetEnvironmentVariable("BENCH_ITEMS") ?? "100000", CultureInfo.InvariantCulture);
var firingCount = int.Parse(Environment.GetEnvironmentVariable("BENCH_FIRING") ?? "50000", CultureInfo.InvariantCulture);
var quartzCount = int.Parse(Environment.GetEnvironmentVariable("BENCH_QUARTZ") ?? "2000", CultureInfo.InvariantCulture);
const int Simultaneous = 10_000;
var workers = int.Parse(Environment.GetEnvironmentVariable("BENCH_WORKERS") ?? "2", CultureInfo.InvariantCulture);
var batch = int.Parse(Environment.GetEnvironmentVariable("BENCH_BATCH") ?? "500", CultureInfo.InvariantCulture);
void Say(string text) => Console.WriteLine($"[bench] {text}");
var loadBefore = Report.LoadAverage();

var cs = await BenchDatabase.CreateAsync(server, "bench_runtime");
var source = NpgsqlDataSource.Create(cs);
string pgVersion, fsync;
await using (var c = await source.OpenConnectionAsync())
{
    pgVersion = await c.ExecuteScalarAsync<string>("show server_version") ?? "?";
    fsync = await c.ExecuteScalarAsync<string>("show fsync") ?? "?";
}
Say($"PostgreSQL {pgVersion}, fsync={fsync}, {Environment.ProcessorCount} CPUs");

// 0. The draft: 100 000 items × 3 units, their 300 000 assignments written by the insert trigger (not part of the launch).
var watch = Stopwatch.StartNew();
var campaign = await BenchDatabase.DraftCampaignAsync(cs, items, DateTimeOffset.UtcNow);
var draftSeconds = watch.Elapsed.TotalSeconds;
var assignments = await Scalar("select count(*) from assignments");
Say($"draft: {items} items with {assignments} assignments inserted in {draftSeconds:F2} s");

// 1. Launch: 100 000 items, their timers and their assigned messages, one transaction.
var store = new DefinitionStore(source, EmbeddedSchema.Validator());
var launcher = new CampaignLauncher(source, store, new WorkingCalendar(source));
watch.Restart();
var launched = (Launched)await launcher.LaunchAsync(campaign, new Actor("bench", "admin", null), DateTimeOffset.UtcNow, notify: true, default);
var launchSeconds = watch.Elapsed.TotalSeconds;
var launchOutbox = await Scalar("select count(*) from outbox where kind = 'assigned'");
Say($"launch: {launched.Items} items, {launched.Timers} timers, {launchOutbox} outbox rows in {launchSeconds:F2} s");

// A node: the real TimerService on its own host, as in production.
using var host = Node(cs, workers, batch);
var lateness = new List<double>();
long firedTotal = 0;
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == TimerSweeper.MeterName) l.EnableMeasurementEvents(instrument); };
listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (lateness) lateness.Add(value); });
listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref firedTotal, value));
listener.Start();
await host.StartAsync();

// 2. Firing throughput: 50 000 due reminders, each: journal row, item, outbox rows, next timer.
// Made due in one statement while the node sleeps (a wake-up far ahead), then the node is woken by NOTIFY.
await Exec($"update timers set due_at = now() - interval '1 second' where id in (select id from timers where step like 'reminder:T-%' order by id limit {firingCount})");
var serverCpu = await ServerCpu.FindAsync(source);
var statements = await Statements.StartAsync(source);
var serverCpuBefore = serverCpu?.Used() ?? TimeSpan.Zero;
var firingBefore = Interlocked.Read(ref firedTotal);
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var allocatedBefore = GC.GetTotalAllocatedBytes();
var gcBefore = GC.CollectionCount(0);
watch.Restart();
await Exec("select pg_notify('rectify_timers', '')");
await WaitUntil(() => Interlocked.Read(ref firedTotal) - firingBefore >= firingCount, TimeSpan.FromMinutes(5));
var firingSeconds = watch.Elapsed.TotalSeconds;
var firedPerSecond = firingCount / firingSeconds;
var nodeCpuPerTimer = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / firingCount;
var serverCpuPerTimer = serverCpu is null ? 0 : (serverCpu.Used() - serverCpuBefore).TotalMicroseconds / firingCount;
var allocatedPerTimer = (GC.GetTotalAllocatedBytes() - allocatedBefore) / firingCount;
var gen0 = GC.CollectionCount(0) - gcBefore;
// Before the checks below, so that only the sweep's statements are counted (BENCH_STATEMENTS=1).
if (statements is not null) await statements.ReportAsync("firing", firingCount, 14, Say);
var outboxPerTimer = (await Scalar("select count(*) from outbox where kind = 'reminder'")) / (double)firingCount;
// Exactly once per assignment: every unit of every fired item has one reminder per channel of its contact, none twice.
var firedParts = await Scalar("""
    select count(*) from (select distinct o.item_id, p.unit_code from outbox o join people p on p.id = o.recipient_person_id where o.kind = 'reminder') x
    """);
var twice = await Scalar("""
    select count(*) from (select o.item_id, p.unit_code, o.channel from outbox o join people p on p.id = o.recipient_person_id
                          where o.kind = 'reminder' group by 1, 2, 3 having count(*) > 1) x
    """);
var expectedParts = await Scalar("""
    select count(*) from assignments a where a.item_id in (select j.item_id from journal j where j.type = 'reminder')
    """);
var exactlyOnce = twice == 0 && firedParts == expectedParts && firedParts == firingCount * (assignments / items);
Say($"exactly once: {firedParts} (item, unit) parts reminded of {expectedParts} assignments of the fired items, {twice} twice");
Say($"firing: {firingCount} timers in {firingSeconds:F2} s = {firedPerSecond:F0}/s ({outboxPerTimer:F1} outbox rows each), {workers} workers × batch {batch}, node CPU {nodeCpuPerTimer:F0} µs, PostgreSQL CPU {serverCpuPerTimer:F0} µs and {allocatedPerTimer / 1024} KiB allocated per timer ({gen0} gen0 GCs), load {Report.LoadAverage()}");

// 2a. The same burst once more on the same node, now warm: the first burst of a fresh process pays the JIT (tier-0 code,
// the instrumented tier, re-compilation: in a profile of the first burst most of the node's CPU was in the JIT and the
// runtime, not in the sweep's own code), which a node that has been running for a while has paid long ago. The cold
// figure above stays the headline and the one compared with the baseline commit (whose bench has no warm burst).
await SettleAsync();
var warmCount = (int)await Scalar($"""
    with moved as (update timers set due_at = now() - interval '1 second'
                   where id in (select id from timers where step like 'reminder:T-%' and due_at > now() order by id limit {firingCount}) returning 1)
    select count(*) from moved
    """);
var warmBefore = Interlocked.Read(ref firedTotal);
var warmCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var warmServerBefore = serverCpu?.Used() ?? TimeSpan.Zero;
watch.Restart();
await Exec("select pg_notify('rectify_timers', '')");
await WaitUntil(() => Interlocked.Read(ref firedTotal) - warmBefore >= warmCount, TimeSpan.FromMinutes(5));
var warmPerSecond = warmCount / watch.Elapsed.TotalSeconds;
var warmNodeCpu = (Process.GetCurrentProcess().TotalProcessorTime - warmCpuBefore).TotalMicroseconds / Math.Max(1, warmCount);
var warmServerCpu = serverCpu is null ? 0 : (serverCpu.Used() - warmServerBefore).TotalMicroseconds / Math.Max(1, warmCount);
Say($"firing again, warm node: {warmCount} timers in {watch.Elapsed.TotalSeconds:F2} s = {warmPerSecond:F0}/s, node CPU {warmNodeCpu:F0} µs, PostgreSQL CPU {warmServerCpu:F0} µs per timer, load {Report.LoadAverage()}");

// 2b. The ceiling: the same writes as one statement per batch, same workers and batch size, no node work (Ceiling.cs).
await SettleAsync();
var ceilingLoad = Report.LoadAverage();
var ceilingCpuBefore = serverCpu?.Used() ?? TimeSpan.Zero;
var ceilingPerSecond = await Ceiling.RunAsync(source, firingCount, workers, batch);
var ceilingCpuPerTimer = serverCpu is null ? 0 : (serverCpu.Used() - ceilingCpuBefore).TotalMicroseconds / firingCount;
Say($"ceiling: one statement per batch of the same shape, {workers} workers × batch {batch}: {ceilingPerSecond:F0}/s, PostgreSQL CPU {ceilingCpuPerTimer:F0} µs per timer; the sweep got {firedPerSecond / ceilingPerSecond:P0} of it, load {ceilingLoad}");
// The baseline commit's firing, measured by scripts/bench.sh just before this run on the same server (BENCH_BASELINE).
var baseline = Report.Baseline.FromEnvironment();
if (baseline is not null) Say($"baseline {baseline.Name}: {baseline.FiredPerSecond:F0}/s → this code {firedPerSecond:F0}/s = {firedPerSecond / baseline.FiredPerSecond:F2}×");
// BENCH_FIRING_ONLY=1: a quick before/after look at firing alone (no lateness, idle, Quartz or report).
if (Environment.GetEnvironmentVariable("BENCH_FIRING_ONLY") == "1") return 0;

// Hangfire as the product runs it (schema "hangfire" in the same database, the product's tuning: 2 workers, queue poll
// 2 min with long polling, heartbeat 60 s, no session reset), with the product's three recurring jobs, from here on: the idle figure is with it running.
var hangfireStorage = HangfireBaseline.Storage(cs);
var recurring = new Hangfire.RecurringJobManager(hangfireStorage);
recurring.AddOrUpdate("digests", Hangfire.Common.Job.FromExpression(() => IdleJobs.Nothing()), "30 8 * * *", new Hangfire.RecurringJobOptions());
recurring.AddOrUpdate("retention", Hangfire.Common.Job.FromExpression(() => IdleJobs.Nothing()), "7 * * * *", new Hangfire.RecurringJobOptions());
recurring.AddOrUpdate("weekly-report", Hangfire.Common.Job.FromExpression(() => IdleJobs.Nothing()), "0 9 * * 1", new Hangfire.RecurringJobOptions());
var hangfireServer = new Hangfire.BackgroundJobServer(Rectify.Api.Jobs.HangfireTuning.Server(2, TimeSpan.FromSeconds(60)), hangfireStorage);

// 3. Lateness: 10 000 timers due at the same instant.
lock (lateness) lateness.Clear();
var instant = DateTimeOffset.UtcNow.AddSeconds(8); // beyond the node's 5 s look-ahead: it stages them, then commits at the instant
var lateBefore = Interlocked.Read(ref firedTotal);
int simultaneous;
await using (var c = await source.OpenConnectionAsync())
    // A small run (BENCH_ITEMS) may have fewer than 10 000 such timers left: it waits for the ones it moved.
    simultaneous = await c.ExecuteScalarAsync<int>($"""
        with moved as (update timers set due_at = @instant
                       where id in (select id from timers where step = 'reminder:unacknowledged' order by id limit {Simultaneous}) returning 1)
        select count(*)::int from moved
        """, new { instant });
await Exec("select pg_notify('rectify_timers', '')");
await WaitUntil(() => Interlocked.Read(ref firedTotal) - lateBefore >= simultaneous, TimeSpan.FromMinutes(5));
double[] late;
lock (lateness) late = lateness.Order().ToArray();
double P(double q) => late[Math.Min(late.Length - 1, (int)Math.Ceiling(q * late.Length) - 1)];
Say($"lateness of {late.Length} simultaneous timers: p50 {P(0.5):F0} ms, p99 {P(0.99):F0} ms, last {late[^1]:F0} ms");

// 4. Idle: nothing due (every remaining timer is days ahead); count committed transactions on this database, first with
// Hangfire's server running beside the timers (the product's node), then without it.
var idleWindow = TimeSpan.FromSeconds(BenchIdleSeconds());
async Task<double> IdleAsync(string what)
{
    await Task.Delay(TimeSpan.FromSeconds(12)); // let the last sweep's statistics reach pg_stat
    var before = await Scalar("select xact_commit from pg_stat_database where datname = current_database()");
    await Task.Delay(idleWindow + TimeSpan.FromSeconds(11));
    var after = await Scalar("select xact_commit from pg_stat_database where datname = current_database()");
    // The two reads are transactions themselves; the extra 11 s cover the statistics flush delay of idle backends.
    var perSecond = Math.Max(0, after - before - 1) / (idleWindow + TimeSpan.FromSeconds(11)).TotalSeconds;
    Say($"idle ({what}): {after - before} transactions in {(idleWindow + TimeSpan.FromSeconds(11)).TotalSeconds:F0} s = {perSecond:F2}/s");
    return perSecond;
}
var idlePerSecond = await IdleAsync("timers + Hangfire server");
hangfireServer.Dispose();
var idleWithoutHangfire = await IdleAsync("timers alone");
await host.StopAsync();

// 5. Baseline: one Quartz trigger per timer, clustered AdoJobStore on the same server, the same work per firing.
var quartzCs = await BenchDatabase.CreateAsync(server, "bench_quartz");
await BenchDatabase.DraftCampaignAsync(quartzCs, quartzCount, DateTimeOffset.UtcNow);
List<Guid> quartzItems;
await using (var c = new NpgsqlConnection(quartzCs)) quartzItems = (await c.QueryAsync<Guid>("select id from items order by seq")).ToList();
var quartz = await QuartzBaseline.RunAsync(quartzCs, quartzItems);
Say($"quartz baseline: {quartz.Timers} timers, scheduled {quartz.ScheduledPerSecond:F0}/s, fired {quartz.FiredPerSecond:F0}/s");

// 6. Peer: one delayed Hangfire.PostgreSql job per timer, the same work per firing, on a database of its own.
var hangfireCount = int.Parse(Environment.GetEnvironmentVariable("BENCH_HANGFIRE") ?? quartzCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var hangfireCs = await BenchDatabase.CreateAsync(server, "bench_hangfire");
await BenchDatabase.DraftCampaignAsync(hangfireCs, hangfireCount, DateTimeOffset.UtcNow);
List<Guid> hangfireItems;
await using (var c = new NpgsqlConnection(hangfireCs)) hangfireItems = (await c.QueryAsync<Guid>("select id from items order by seq")).ToList();
var hangfire = await HangfireBaseline.RunAsync(hangfireCs, hangfireItems);
Say($"hangfire peer: {hangfire.Timers} jobs, scheduled {hangfire.ScheduledPerSecond:F0}/s, fired {hangfire.FiredPerSecond:F0}/s, {hangfire.CommitsPerJob:F1} commits per job");

var figures = new Report.Figures(
    DateTimeOffset.UtcNow, Environment.ProcessorCount, Report.MemoryGiB(), pgVersion, fsync, items, assignments, draftSeconds, launched.Timers, launchOutbox, launchSeconds,
    firingCount, firedPerSecond, outboxPerTimer, firedParts, twice, exactlyOnce, workers, batch, late.Length, P(0.5), P(0.99), late[^1], idlePerSecond, idleWithoutHangfire, quartz, hangfire, loadBefore, Report.LoadAverage())
{
    CeilingPerSecond = ceilingPerSecond,
    NodeCpuPerTimer = nodeCpuPerTimer,
    WarmPerSecond = warmPerSecond,
    WarmNodeCpuPerTimer = warmNodeCpu,
    WarmServerCpuPerTimer = warmServerCpu,
    ServerCpuPerTimer = serverCpuPerTimer,
    CeilingCpuPerTimer = ceilingCpuPerTimer,
    Baseline = baseline,
};
var report = Report.Markdown(figures);
Console.WriteLine();
Console.WriteLine(report);
if (reportPath is not null)
{
    Report.WriteSection(reportPath, report);
    // ADR 0001 shows the three designs side by side from the same run (docs/adr beside docs/performance.md).
    var adr = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(reportPath))!, "adr", "0001-timers.md");
    if (File.Exists(adr)) Report.WriteSection(adr, Report.Peers(figures), Report.PeersBegin, Report.PeersEnd);
}
return 0;

// Before the warm burst and the ceiling: the autovacuum of the burst before has run (at most 2 minutes) and a checkpoint
// is taken, so neither counts the other's clean-up in its server CPU, and both pay the same full-page writes after it.
async Task SettleAsync()
{
    var w = Stopwatch.StartNew();
    while (w.Elapsed < TimeSpan.FromMinutes(2)
           && await Scalar("select count(*) from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database()") > 0)
        await Task.Delay(500);
    await Exec("checkpoint /* a lone word would be taken for a procedure name */");
}

async Task<long> Scalar(string sql)
{
    await using var c = await source.OpenConnectionAsync();
    return await c.ExecuteScalarAsync<long>(sql);
}

async Task Exec(string sql, object? param = null)
{
    await using var c = await source.OpenConnectionAsync();
    await c.ExecuteAsync(sql, param, commandTimeout: 600);
}

// In-process: the node's own "fired" counter, so waiting costs the database nothing.
static async Task WaitUntil(Func<bool> done, TimeSpan timeout)
{
    var w = Stopwatch.StartNew();
    while (!done())
    {
        if (w.Elapsed > timeout) throw new TimeoutException("timers did not fire in time");
        await Task.Delay(5);
    }
}

static int BenchIdleSeconds() => int.Parse(Environment.GetEnvironmentVariable("BENCH_IDLE_SECONDS") ?? "60", CultureInfo.InvariantCulture);

static IHost Node(string cs, int workers, int batch)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Rectify"] = new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "bench-node", MaxPoolSize = 20 }.ConnectionString,
        ["Rectify:Timers:Workers"] = workers.ToString(CultureInfo.InvariantCulture),
        ["Rectify:Timers:BatchSize"] = batch.ToString(CultureInfo.InvariantCulture),
    });
    builder.Logging.ClearProviders();
    builder.Services.AddRectifyPersistence(builder.Configuration);
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton<INotificationOutbox, SqlNotificationOutbox>();
    builder.Services.AddRectifyRuntime(builder.Configuration);
    return builder.Build();
}

/// <summary>What the bench's recurring Hangfire jobs do: they stand for the product's three, whose schedules never come due in the idle window.</summary>
public static class IdleJobs
{
    public static void Nothing() { }
}
