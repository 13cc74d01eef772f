using System.Diagnostics;

namespace Rectify.Chaos;

/// <summary>
/// The faults of a run: kill -9 of a random node every few seconds (started again at once), one PostgreSQL outage and
/// one SMTP outage, all while the storms are being fired.
/// </summary>
internal sealed class Faults(Cluster cluster, Postgres pg, ChildProcess smtp, ChaosOptions options, Action<string> log)
{
    private readonly Random random = new(2026);
    private Task? smtpOutage;
    private bool pgDone;
    private int kills;
    private volatile bool pgRunning;

    public int Kills => kills;
    public double RecoverySeconds { get; private set; } = double.NaN;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(options.KillEvery, stop); }
            catch (TaskCanceledException) { return; }
            if (!pgRunning) KillRandom("periodic");
        }
    }

    public void KillRandom(string why)
    {
        int node;
        lock (random) node = random.Next(cluster.Size);
        cluster.Restart(node);
        Interlocked.Increment(ref kills);
        log($"kill -9 node{node} ({why}) and start it again");
    }

    public void StartSmtpOutage() => smtpOutage ??= SmtpOutageAsync();

    /// <summary>Stops PostgreSQL, waits, starts it, and measures how long until every node is ready again.</summary>
    public async Task PostgresOutageAsync()
    {
        pgDone = true;
        pgRunning = true;
        log($"stopping PostgreSQL for {options.PostgresOutage.TotalSeconds:F0} s");
        await pg.StopAsync();
        await Task.Delay(options.PostgresOutage);
        await pg.StartAsync();
        var sw = Stopwatch.StartNew();
        await cluster.WaitAllReadyAsync(TimeSpan.FromMinutes(2));
        RecoverySeconds = sw.Elapsed.TotalSeconds;
        pgRunning = false;
        log($"PostgreSQL back; every node ready again after {RecoverySeconds:F1} s");
    }

    private async Task SmtpOutageAsync()
    {
        log($"stopping the SMTP server for {options.SmtpOutage.TotalSeconds:F0} s");
        smtp.Kill();
        await Task.Delay(options.SmtpOutage);
        smtp.Start();
        log("SMTP server back");
    }

    /// <summary>When the storms were quicker than the fault schedule, the outages still happen before the ledger is read.</summary>
    public async Task EnsureAllFaultsAsync()
    {
        smtpOutage ??= SmtpOutageAsync();
        if (!pgDone) await PostgresOutageAsync();
        await smtpOutage;
    }
}
