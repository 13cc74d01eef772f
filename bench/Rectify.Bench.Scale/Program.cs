using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Bench.Scale;

// ./rectify.sh bench scale → scripts/bench-scale.sh: its own PostgreSQL (fsync on), Release builds of the service (this
// checkout, and a baseline commit beside it), then this program. See docs/performance.md, "National scale".
var options = Args.Parse(args);
var items = Env("BENCH_SCALE_ITEMS", 1_000_000);
var repetitions = Env("BENCH_SCALE_REPS", 30);
var clients = Env("BENCH_SCALE_CLIENTS", 200);
var loadSeconds = Env("BENCH_SCALE_LOAD_SECONDS", 60);
var burst = Env("BENCH_SCALE_BURST", 100_000);
var budget = TimeSpan.FromSeconds(Env("BENCH_SCALE_PATH_BUDGET_SECONDS", 40));
const string Password = "Scale-Bench-2026!";
void Say(string text) => Console.WriteLine($"[scale {DateTimeOffset.UtcNow:HH:mm:ss}] {text}");
var loadBefore = ScaleReport.LoadAverage();
var started = DateTimeOffset.UtcNow;

await AdminAsync("drop database if exists bench_scale with (force)", "create database bench_scale");
var cs = new NpgsqlConnectionStringBuilder(options.Server) { Database = "bench_scale", MaxPoolSize = 150, CommandTimeout = 3600 }.ConnectionString;
await using var db = NpgsqlDataSource.Create(cs);
var pgVersion = await Dataset.ScalarAsync<string>(db, "show server_version");
var fsync = await Dataset.ScalarAsync<string>(db, "show fsync");
Say($"PostgreSQL {pgVersion}, fsync={fsync}; {items:N0} items × 3 units; baseline {(options.Baseline is null ? "none" : options.BaselineName)}");

var docTimeout = TimeSpan.FromSeconds(Env("BENCH_SCALE_DOC_TIMEOUT_SECONDS", 600));
HttpClient http = null!;
Probe probe = null!;
// One client per service process (its port). The time limit is per timed request (Probe, Documents): a path or document
// that takes longer is reported so; the steps that build the data set (the launch of a million items) have none.
void Connect(Uri address)
{
    http?.Dispose();
    http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, UseProxy = false }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
    probe = new Probe(http, repetitions, budget, docTimeout);
}
var serviceConnection = new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 100, CommandTimeout = 0 }.ConnectionString;

// 1. The first build (the baseline when there is one) creates the schema; the data set is built once, under it.
var firstDll = options.Baseline ?? options.Api;
var api = await ApiProcess.StartAsync(firstDll, serviceConnection, Password, Path.Combine(options.LogDirectory, "api-first.log"));
Say($"service started (empty database migrated) in {api.StartedIn.TotalSeconds:F1} s");
Connect(api.BaseAddress);
// BENCH_SCALE_BASELINE_IDS=random: the baseline's data set with item ids in no order, as its import wrote them.
var baselineRandomIds = options.Baseline is not null && Environment.GetEnvironmentVariable("BENCH_SCALE_BASELINE_IDS") == "random";
var (campaign, insertSeconds, assignments) = await DraftAsync(db, baselineRandomIds ? " (item ids in no order)" : "", baselineRandomIds);
var launch = await LaunchAsync(db, campaign, options.Baseline is null ? "" : " (baseline build)");
if (Env("BENCH_SCALE_LAUNCH_ONLY", 0) == 1)
{
    // The two launches side by side and nothing else (docs/performance.md is not written).
    await api.DisposeAsync();
    var only = await CurrentLaunchAsync();
    Say(only is null ? $"launch only: {launch.Seconds:F1} s"
        : $"launch only: baseline {launch.Seconds:F1} s, this build {only.Seconds:F1} s (ratio {launch.Seconds / only.Seconds:F2})");
    return 0;
}

var watch = Stopwatch.StartNew();
var indexSeconds = await Dataset.WithoutIndexesAsync(db, ["items", "assignments", "journal", "escalations", "timers"],
    () => Dataset.ExecAsync(db, Dataset.History, new { campaign, now = DateTimeOffset.UtcNow }));
await Dataset.ExecAsync(db, "vacuum analyze");
var historySeconds = watch.Elapsed.TotalSeconds;
var journalRows = await Dataset.ScalarAsync<long>(db, "select count(*) from journal where campaign_id = @campaign", new { campaign });
var spread = (await Query<(string State, long N)>("select state, count(*) from items where campaign_id = @campaign group by state order by 1", new { campaign }))
    .Select(r => $"{r.State} {r.N:N0}");
var escalations = await Dataset.ScalarAsync<long>(db, "select count(*) from escalations where campaign_id = @campaign and resolved_at is null", new { campaign });
Say($"history applied in {historySeconds:F1} s (of which {indexSeconds:F1} s building the indexes): {string.Join(", ", spread)}; {journalRows:N0} journal rows; {escalations:N0} open escalations");

var readable = (await Query<Guid>("select id from items where campaign_id = @campaign order by random() limit 2000", new { campaign })).ToList();
var writable = (await Query<(Guid, string)>(
    "select id, lead_unit from items where campaign_id = @campaign and state = 'inProgress' order by random() limit 5000", new { campaign })).ToList();
var sizes = new ScaleReport.DataSize(items, assignments, launch.Timers, journalRows, escalations, string.Join(", ", spread), insertSeconds, historySeconds);

var before = options.Baseline is null ? null : await MeasureAsync("before");
double? upgradeSeconds = null;
if (options.Baseline is not null)
{
    await api.DisposeAsync();
    api = await ApiProcess.StartAsync(options.Api, serviceConnection, Password, Path.Combine(options.LogDirectory, "api-current.log"));
    upgradeSeconds = api.StartedIn.TotalSeconds;
    Connect(api.BaseAddress);
    Say($"this checkout's build started on the same database (its new migrations applied) in {upgradeSeconds:F1} s");
}
var after = await MeasureAsync("after");

Say($"load: {clients} clients for {loadSeconds} s, burst of {burst:N0} timers");
var load = await Load.RunAsync(http, db, await TokenAsync("admin"), campaign, writable, readable, clients, TimeSpan.FromSeconds(loadSeconds), burst);
Say($"load: {load.Requests:N0} requests ({load.Writes:N0} writes), p50 {load.P50:F0} ms, p99 {load.P99:F0} ms, errors {load.Errors}; burst of {load.BurstTimers:N0}: p99 lateness {load.BurstLatenessP99:F1} s, all fired after {load.BurstSeconds:F1} s");
await api.DisposeAsync();

// 4. With a baseline, this build's launch, in a database of its own (CurrentLaunchAsync).
var currentLaunch = await CurrentLaunchAsync();

var report = ScaleReport.Markdown(new ScaleReport.Figures(
    started, Environment.ProcessorCount, ScaleReport.MemoryGiB(), pgVersion, fsync, sizes, launch, currentLaunch,
    options.BaselineName, upgradeSeconds, before, after, load, loadBefore, ScaleReport.LoadAverage()));
Console.WriteLine();
Console.WriteLine(report);
if (options.Doc is not null) ScaleReport.WriteSection(options.Doc, report);
return 0;

// The organisation, the three users and a draft campaign of `items` items × 3 units in `target` (through the service
// now connected, whose migrations created its schema); the secondary indexes of the tables written built after the insert.
async Task<(Guid Campaign, double Seconds, long Assignments)> DraftAsync(NpgsqlDataSource target, string label, bool randomIds = false)
{
    var adminToken = await TokenAsync("admin");
    await Dataset.ExecAsync(target, Dataset.Organisation);
    foreach (var (user, role, unit) in new[] { ("office", "leadingGroup", "lgo"), ("supervisor", "supervisor", "dcs"), ("unit17", "unit", "u17") })
        await SendAsync(HttpMethod.Post, "/api/users", adminToken, new { userName = user, password = Password, role, unitCode = unit });
    var officeToken = await TokenAsync("office");
    var noticeDate = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
    var created = await SendAsync(HttpMethod.Post, "/api/campaigns", officeToken, new
    {
        title = "全国规模整改工作（基准）", documentNumber = "基准〔2026〕1号", issuedByUnit = "lgo", supervisionUnit = "dcs",
        workflow = new { id = "rectification-campaign" }, noticeDate = noticeDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    });
    var id = created.GetProperty("id").GetGuid();
    var watch = Stopwatch.StartNew();
    // Secondary indexes of the tables a step writes are built after it (Dataset.WithoutIndexesAsync), not row by row.
    var indexSeconds = await Dataset.WithoutIndexesAsync(target, ["items", "assignments"],
        () => Dataset.ExecAsync(target, Dataset.Items, new { campaign = id, items, now = DateTimeOffset.UtcNow, randomIds }));
    await Dataset.ExecAsync(target, "analyze items; analyze assignments");
    var seconds = watch.Elapsed.TotalSeconds;
    var parts = await Dataset.ScalarAsync<long>(target, "select count(*) from assignments where campaign_id = @id", new { id });
    Say($"{items:N0} draft items, {parts:N0} assignments inserted in {seconds:F1} s (of which {indexSeconds:F1} s building the indexes){label}");
    return (id, seconds, parts);
}

// With a baseline, the launch of step 1 ran under it: this build's launch is timed on a draft campaign of its own in a
// database of its own (built the same way, under this build), after everything else, so the measured data, the caches
// of the paths and the load are as they were; the database is dropped afterwards.
async Task<ScaleReport.LaunchFigure?> CurrentLaunchAsync()
{
    if (options.Baseline is null) return null;
    ScaleReport.LaunchFigure figure;
    var launchDatabase = "bench_scale_launch";
    await AdminAsync($"drop database if exists {launchDatabase} with (force)", $"create database {launchDatabase}");
    var launchCs = new NpgsqlConnectionStringBuilder(cs) { Database = launchDatabase }.ConnectionString;
    await using (var launchDb = NpgsqlDataSource.Create(launchCs))
    {
        var launchConnection = new NpgsqlConnectionStringBuilder(serviceConnection) { Database = launchDatabase }.ConnectionString;
        api = await ApiProcess.StartAsync(options.Api, launchConnection,
            Password, Path.Combine(options.LogDirectory, "api-launch.log"));
        Connect(api.BaseAddress);
        var (draft, _, _) = await DraftAsync(launchDb, " (this build's launch, own database)");
        figure = await LaunchAsync(launchDb, draft, " (this build, own database)");
        await api.DisposeAsync();
    }
    NpgsqlConnection.ClearAllPools();
    await AdminAsync($"drop database if exists {launchDatabase} with (force)");
    return figure;
}

// Statements on the server's own database (creating and dropping the bench's databases), one after the other.
async Task AdminAsync(params string[] statements)
{
    await using var admin = new NpgsqlConnection(options.Server);
    await admin.OpenAsync();
    foreach (var statement in statements) await admin.ExecuteAsync(statement);
}

async Task<ScaleReport.LaunchFigure> LaunchAsync(NpgsqlDataSource target, Guid id, string label)
{
    var officeToken = await TokenAsync("office");
    var watch = Stopwatch.StartNew();
    await SendAsync(HttpMethod.Post, $"/api/campaigns/{id}/launch", officeToken, null);
    var seconds = watch.Elapsed.TotalSeconds;
    var timerRows = await Dataset.ScalarAsync<long>(target, "select count(*) from timers where campaign_id = @id", new { id });
    var outboxRows = await Dataset.ScalarAsync<long>(target, "select count(*) from outbox where campaign_id = @id", new { id });
    Say($"launch through POST /api/campaigns/{{id}}/launch{label}: {seconds:F1} s ({timerRows:N0} timers, {outboxRows:N0} outbox rows)");
    return new ScaleReport.LaunchFigure(seconds, timerRows, outboxRows);
}

async Task<ScaleReport.BuildFigures> MeasureAsync(string label)
{
    var office = await TokenAsync("office");
    var unit = await TokenAsync("unit17");
    var supervisor = await TokenAsync("supervisor");
    var c = campaign;
    var deep = Math.Max(1, items / 50 / 2);
    var list = $"/api/items?campaignId={c}&pageSize=50";
    var figures = new List<PathFigure>();
    async Task Time(string key, string what, double target, string token, Func<int, string> url, bool optional = false, string? unsupportedUnless400 = null)
    {
        // A query parameter an older build does not know is ignored by it (the plain list comes back): such a build is
        // asked with a bad value first, and only one that refuses it (400) is timed.
        if (unsupportedUnless400 is not null && await StatusAsync(unsupportedUnless400, token) != 400)
        {
            figures.Add(new PathFigure(key, what, target, 0, 0, 0, "not on this build"));
            Say($"{label}: {what}: not on this build");
            return;
        }
        var f = await probe.TimeAsync(key, what, target, token, url, optional);
        figures.Add(f);
        Say($"{label}: {what}: " + (f.Measured ? $"median {f.Median:F0} ms, p95 {f.P95:F0} ms ({f.Samples} samples)" : f.Note));
    }
    await Time("first", "item list, first page", 50, office, _ => list);
    await Time("deep", $"item list, deep page (page ≈ {deep:N0}, row ≈ {deep * 50:N0})", 100, office, i => $"{list}&page={deep + i}");
    await Time("next", "item list, next page by cursor (`after=`) from the deep page", 100, office, i => $"{list}&after={deep * 50 + i * 50}", unsupportedUnless400: $"{list}&after=x");
    await Time("unit", "item list filtered by unit", 50, office, i => $"{list}&unit=u{1 + i * 37 % Dataset.Units}");
    await Time("state", "item list filtered by state (closureRequested)", 50, office, _ => $"{list}&state=closureRequested");
    await Time("light", "item list filtered by light (yellow)", 50, office, _ => $"{list}&light=yellow", unsupportedUnless400: $"{list}&light=x");
    await Time("overdue", "item list, overdue", 50, office, _ => $"{list}&overdue=true");
    await Time("search", "item list, search text (生活污水直排, 6 characters)", 50, office, _ => $"{list}&q={Uri.EscapeDataString("生活污水直排")}");
    await Time("search-place", "item list, search text (a place and a problem, 东河镇垃圾)", 50, office, _ => $"{list}&q={Uri.EscapeDataString("东河镇垃圾")}");
    await Time("unit-user", "a unit user's list (their own items, all campaigns)", 50, unit, _ => "/api/items?pageSize=50");
    await Time("detail", "item detail", 100, office, i => $"/api/items/{readable[i % readable.Count]}");
    await Time("timeline", "item timeline", 100, office, i => $"/api/items/{readable[i % readable.Count]}/timeline");
    await Time("todo-admin", "待办, administrator", 100, await TokenAsync("admin"), _ => "/api/todo", optional: true);
    await Time("todo-office", "待办 (`GET /api/todo`), leading-group office", 100, office, _ => "/api/todo", optional: true);
    await Time("todo-unit", "待办, unit user", 100, unit, _ => "/api/todo", optional: true);
    await Time("todo-supervisor", "待办, supervision office", 100, supervisor, _ => "/api/todo", optional: true);
    await Time("campaign", "campaign detail with stats", 100, office, _ => $"/api/campaigns/{c}");
    await Time("campaigns", "campaign list with stats", 100, office, _ => "/api/campaigns");
    await Time("units", "per-unit figures (`GET /api/campaigns/{id}/units`)", 100, office, _ => $"/api/campaigns/{c}/units", optional: true);
    await Time("escalations", "open escalations (`GET /api/escalations?open=true`)", 100, supervisor, _ => "/api/escalations?open=true&pageSize=50");
    await Time("dashboard", "dashboard page (`/campaigns/{id}`)", 300, office, _ => $"/campaigns/{c}");
    await Time("supervision", "supervision inbox page (`/supervision`)", 300, supervisor, _ => "/supervision");
    await Time("report", "report.docx", 1000, office, _ => $"/api/campaigns/{c}/report.docx");
    var ledger = await Documents.DownloadAsync(http, api, office, $"/api/campaigns/{c}/ledger.xlsx", "ledger.xlsx", docTimeout);
    Say($"{label}: ledger.xlsx HTTP {ledger.Status}: first byte {ledger.FirstByteMs:F0} ms, total {ledger.TotalMs:F0} ms, {ledger.Bytes / 1048576.0:F1} MiB, server RSS {ledger.RssBeforeMiB:F0} → peak {ledger.PeakRssMiB:F0} MiB");
    return new ScaleReport.BuildFigures(figures, ledger);
}

async Task<int> StatusAsync(string path, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, path);
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    return (int)response.StatusCode;
}

async Task<string> TokenAsync(string user)
{
    var body = await SendAsync(HttpMethod.Post, "/api/auth/token", null, new { userName = user, password = Password });
    return body.GetProperty("accessToken").GetString()!;
}

async Task<JsonElement> SendAsync(HttpMethod method, string path, string? token, object? payload)
{
    using var request = new HttpRequestMessage(method, path);
    if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (payload is not null) request.Content = JsonContent.Create(payload);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: HTTP {(int)response.StatusCode} {text}");
    return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
}

async Task<IEnumerable<T>> Query<T>(string sql, object? param = null)
{
    await using var connection = await db.OpenConnectionAsync();
    return await connection.QueryAsync<T>(sql, param, commandTimeout: 3600);
}

static int Env(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

internal sealed record Args(string Server, string Api, string? Baseline, string BaselineName, string? Doc, string LogDirectory)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        return new Args(
            Value("--pg") ?? throw new ArgumentException("usage: Rectify.Bench.Scale --pg <server> --api <Rectify.Api.dll> [--baseline <dll> --baseline-name <ref>] [--doc <md>] [--logs <dir>]"),
            Value("--api") ?? throw new ArgumentException("--api <Rectify.Api.dll> is required"),
            Value("--baseline"), Value("--baseline-name") ?? "", Value("--doc"), Value("--logs") ?? Path.GetTempPath());
    }
}
