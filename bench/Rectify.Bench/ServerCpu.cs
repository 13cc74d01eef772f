using System.Globalization;
using Dapper;
using Npgsql;

namespace Rectify.Bench;

/// <summary>
/// CPU time used by the bench's PostgreSQL (the postmaster and all its children: backends, WAL writer, checkpointer,
/// autovacuum), read from /proc. On a machine shared with other work, CPU time per timer varies far less than
/// wall-clock throughput, so the bench reports both (issue 17.3).
/// </summary>
public sealed class ServerCpu
{
    private readonly int postmaster;

    private ServerCpu(int postmaster) => this.postmaster = postmaster;

    /// <summary>Null when /proc is not readable (another OS, or the server on another machine).</summary>
    public static async Task<ServerCpu?> FindAsync(NpgsqlDataSource source)
    {
        try
        {
            await using var c = await source.OpenConnectionAsync();
            var backend = await c.ExecuteScalarAsync<int>("select pg_backend_pid()");
            var parent = int.Parse(Stat(backend)[1], CultureInfo.InvariantCulture);
            return File.Exists($"/proc/{parent}/stat") ? new ServerCpu(parent) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>User + system CPU of the server's processes so far (exited backends are counted in the postmaster's cutime).</summary>
    public TimeSpan Used()
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var f = Stat(pid);
                var ppid = int.Parse(f[1], CultureInfo.InvariantCulture);
                if (pid != postmaster && ppid != postmaster) continue;
                // fields after the name: [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime
                ticks += double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture);
                if (pid == postmaster) ticks += double.Parse(f[13], CultureInfo.InvariantCulture) + double.Parse(f[14], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
            {
                // the process ended meanwhile
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static string[] Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }
}
