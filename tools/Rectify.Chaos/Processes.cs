using System.Diagnostics;
using System.Net.Sockets;

namespace Rectify.Chaos;

/// <summary>Ports, child processes and the external servers of a chaos run.</summary>
internal static class Net
{
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}

internal sealed class ChildProcess(string name, string file, IEnumerable<string> args, IDictionary<string, string> env, string logPath)
{
    private Process? process;

    public string Name => name;
    public bool Running => process is { HasExited: false };

    private readonly Lock gate = new();

    /// <summary>Starts the process unless it is already running (the supervisor and a restart may race).</summary>
    public void Start()
    {
        lock (gate)
        {
            if (Running) return;
            StartCore();
        }
    }

    private void StartCore()
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {name}");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown hooks, mid-whatever it was doing.</summary>
    public void Kill()
    {
        lock (gate)
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            process?.WaitForExit(10_000);
        }
    }
}

/// <summary>A PostgreSQL cluster of the run's own, run as the postgres user (it refuses root).</summary>
internal sealed class Postgres(string binDir, string dir, int port)
{
    /// <summary>
    /// The nodes' connection: a 5 s connect timeout, so a node notices the outage soon. The run's own reads and set-up
    /// (<paramref name="connectTimeoutSeconds"/>) are not what is under test and wait longer: on a loaded machine the
    /// first connection's bootstrap alone took more than 5 s, and the run ended before it began.
    /// </summary>
    public string ConnectionString(string database, int connectTimeoutSeconds = 5) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Timeout={connectTimeoutSeconds};Command Timeout=300;Maximum Pool Size=40";

    public async Task InitAsync()
    {
        Directory.CreateDirectory(dir);
        await RunAsync("chown", "postgres:postgres", dir);
        await AsPostgresAsync(Path.Combine(binDir, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust");
    }

    // fsync stays on: the run proves durability, and a cluster without fsync proves nothing about crashes.
    public Task StartAsync() => AsPostgresAsync(Path.Combine(binDir, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"),
        "-o", $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={dir} -c max_connections=400", "-w", "-t", "60", "start");

    public Task StopAsync() => AsPostgresAsync(Path.Combine(binDir, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-m", "fast", "-w", "stop");

    private static Task AsPostgresAsync(params string[] args) => RunAsync("runuser", ["-u", "postgres", "--", .. args]);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await stderr}");
    }
}
