using System.Diagnostics;
using Rectify.Chaos;

// ./rectify.sh chaos: three nodes, one PostgreSQL, one SMTP server, a campaign of many items, faults injected while
// reminders and escalations fall due in storms; then the ledger of what was expected, fired, logged and delivered.
var options = ChaosOptions.Parse(args);
var work = options.WorkDir ?? Directory.CreateTempSubdirectory("rectify-chaos-").FullName;
Directory.CreateDirectory(work);
// PostgreSQL runs as the postgres user, which must be able to reach its data directory inside this one.
if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
var stopwatch = Stopwatch.StartNew();
void Log(string message) => Console.WriteLine($"[chaos {stopwatch.Elapsed:mm\\:ss}] {message}");

var pgPort = Net.FreePort();
var pg = new Postgres(options.PgBin, Path.Combine(work, "pg"), pgPort);
await pg.InitAsync();
await pg.StartAsync();
await Database.CreateAsync(pg.ConnectionString("postgres", connectTimeoutSeconds: 60), "rectify");
var connectionString = pg.ConnectionString("rectify");

var smtpPort = Net.FreePort();
var received = Path.Combine(work, "smtp-received.tsv");
File.WriteAllText(received, "");
var smtp = new ChildProcess("smtp", "/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "smtp_sink.py"), smtpPort.ToString(), received],
    new Dictionary<string, string>(), Path.Combine(work, "smtp.log"));
smtp.Start();

var cluster = new Cluster(options.AppDll, work, new Dictionary<string, string>
{
    ["ConnectionStrings__Rectify"] = connectionString,
    ["Rectify__Smtp__Host"] = "127.0.0.1",
    ["Rectify__Smtp__Port"] = smtpPort.ToString(),
    ["Rectify__Smtp__From"] = "rectify@chaos.example.cn",
}, options.Nodes);
var exit = 1;
try
{
    cluster.Start();
    using var supervision = new CancellationTokenSource();
    var supervisor = cluster.SuperviseAsync(supervision.Token);
    await cluster.WaitAllReadyAsync(TimeSpan.FromMinutes(3));
    Log($"{options.Nodes} nodes ready; PostgreSQL on {pgPort}, SMTP on {smtpPort}; work dir {work}");
    await cluster.SignInAsync();
    var scenario = new Scenario(cluster, options, Log);
    await scenario.BuildAsync();

    var faults = new Faults(cluster, pg, smtp, options, Log);
    using var stop = new CancellationTokenSource();
    var chaos = faults.RunAsync(stop.Token);
    var storms = Scenario.Storms().ToList();
    for (var n = 0; n < storms.Count; n++)
    {
        var sw = Stopwatch.StartNew();
        var storm = cluster.JsonAsync(HttpMethod.Post, "/api/admin/clock", new { now = storms[n] });
        // Faults land in the middle of the storms: a node dies while it fires, PostgreSQL goes away while timers are due.
        await Task.Delay(TimeSpan.FromMilliseconds(250));
        faults.KillRandom("mid-storm");
        if (n == 2) faults.StartSmtpOutage();
        var outage = n == 4 ? faults.PostgresOutageAsync() : Task.CompletedTask;
        await storm;
        await outage;
        Log($"clock at {storms[n]:yyyy-MM-dd HH:mm} local: every timer due has fired ({sw.Elapsed.TotalSeconds:F1} s)");
    }
    await faults.EnsureAllFaultsAsync();
    // The kills stop here; the outbox drains on a cluster that just lived through them.
    stop.Cancel();
    await chaos;
    await cluster.WaitAllReadyAsync(TimeSpan.FromMinutes(2));
    Log("faults over; waiting for the outbox to drain");
    var ledgerConnection = pg.ConnectionString("rectify", connectTimeoutSeconds: 60);
    var ledger = new Ledger(ledgerConnection, received, scenario.CampaignId, storms[^1].ToUniversalTime());
    await ledger.WaitForDrainAsync(TimeSpan.FromMinutes(options.DrainMinutes), Log);
    LedgerResult result;
    result = await ledger.CheckAsync(options);
    result.Print(faults, options.RecoveryLimitSeconds);
    exit = result.Ok && faults.RecoverySeconds <= options.RecoveryLimitSeconds ? 0 : 1;
    Console.WriteLine(exit == 0 ? "chaos: PASS" : "chaos: FAIL");
}
catch (Exception e)
{
    Console.WriteLine($"chaos: FAIL — {e.Message}");
    Console.WriteLine(e);
}
finally
{
    cluster.StopAll();
    smtp.Kill();
    try { await pg.StopAsync(); } catch (InvalidOperationException) { }
    if (exit == 0 && options.WorkDir is null) Directory.Delete(work, recursive: true);
    else Console.WriteLine($"logs kept in {work}");
}
return exit;
