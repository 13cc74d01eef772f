using System.Globalization;
using System.Text;

namespace Rectify.Bench;

/// <summary>The "Runtime" section of docs/performance.md, between its markers (other sections belong to other modules).</summary>
public static class Report
{
    public const string Begin = "<!-- runtime:begin -->";
    public const string End = "<!-- runtime:end -->";

    public sealed record Figures(
        DateTimeOffset Date, int Cpus, double MemoryGiB, string Postgres, string Fsync, int Items, long Assignments, double DraftSeconds,
        int LaunchTimers, long LaunchOutbox, double LaunchSeconds, int Firing, double FiredPerSecond, double OutboxPerTimer,
        long FiredParts, long Twice, bool ExactlyOnce, int Workers, int Batch, int Simultaneous,
        double P50, double P99, double Last, double IdlePerSecond, double IdleWithoutHangfire, QuartzBaseline.Result Quartz,
        HangfireBaseline.Result Hangfire, string LoadBefore, string LoadAfter)
    {
        /// <summary>One statement per batch doing the same writes (Ceiling.cs), same workers and batch size.</summary>
        public double CeilingPerSecond { get; init; }

        /// <summary>CPU per fired timer: the node process, the PostgreSQL server (all its processes), and the ceiling's server CPU.</summary>
        public double NodeCpuPerTimer { get; init; }

        public double ServerCpuPerTimer { get; init; }

        public double CeilingCpuPerTimer { get; init; }

        /// <summary>The same burst again on the same (now warm) node, and its CPU per timer: node / PostgreSQL.</summary>
        public double WarmPerSecond { get; init; }

        public double WarmNodeCpuPerTimer { get; init; }

        public double WarmServerCpuPerTimer { get; init; }

        /// <summary>The baseline commit's firing in the same run (scripts/bench.sh, BENCH_BASELINE), when it was measured.</summary>
        public Baseline? Baseline { get; init; }
    }

    /// <summary>
    /// The firing figure of the baseline commit's own bench, run by scripts/bench.sh on the same server just before this
    /// one (BENCH_BASELINE, default the main before issue 17.3), handed over as BENCH_BASELINE_NAME / _FIRED / _OUTBOX / _LOAD.
    /// </summary>
    public sealed record Baseline(string Name, double FiredPerSecond, double OutboxPerTimer, string Load)
    {
        public static Baseline? FromEnvironment()
        {
            var name = Environment.GetEnvironmentVariable("BENCH_BASELINE_NAME");
            var fired = Environment.GetEnvironmentVariable("BENCH_BASELINE_FIRED");
            if (string.IsNullOrEmpty(name) || !double.TryParse(fired, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) || perSecond <= 0) return null;
            var outbox = double.TryParse(Environment.GetEnvironmentVariable("BENCH_BASELINE_OUTBOX"), NumberStyles.Float, CultureInfo.InvariantCulture, out var o) ? o : 0;
            return new Baseline(name, perSecond, outbox, Environment.GetEnvironmentVariable("BENCH_BASELINE_LOAD") ?? "n/a");
        }
    }

    /// <summary>The 1/5/15-minute load averages: on a shared machine they say how much of it the bench had.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static double MemoryGiB()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        var kb = line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb / 1024 / 1024;
    }

    public static string Markdown(Figures f)
    {
        string Ok(bool pass) => pass ? "✅" : "❌";
        var s = new StringBuilder();
        s.AppendLine(Begin);
        s.AppendLine("## Runtime");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Measured {f.Date:yyyy-MM-dd HH:mm} UTC by `./rectify.sh bench` on {f.Cpus} CPUs, {f.MemoryGiB:F1} GiB RAM, PostgreSQL {f.Postgres} on the same machine, **fsync={f.Fsync}** (default synchronous_commit). The machine is shared with other developers: load average (1/5/15 min) {f.LoadBefore} at the start and {f.LoadAfter} at the end of the run, on {f.Cpus} CPUs, so every figure below is what the bench got of an oversubscribed machine and varies from run to run.");
        s.AppendLine();
        s.AppendLine("| what | target | measured | |");
        s.AppendLine("| --- | --- | --- | --- |");
        var perItem = f.Items == 0 ? 0 : (double)f.Assignments / f.Items;
        s.AppendLine(CultureInfo.InvariantCulture, $"| (set-up, not timed against a target) draft of {f.Items:N0} items × {perItem:0.#} units: one insert, {f.Assignments:N0} assignments by the statement trigger, units, people, `analyze` | — | {f.DraftSeconds:F2} s | |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| launch of one campaign: {f.Items:N0} items with {f.Assignments:N0} assignments → {f.LaunchTimers:N0} timers, {f.LaunchOutbox:N0} `assigned` outbox rows, one transaction | ≤ 15 s | {f.LaunchSeconds:F2} s | {Ok(f.LaunchSeconds <= 15)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| firing on one node ({f.Workers} workers × batch {f.Batch}): {f.Firing:N0} due reminders, each journal row + item + {f.OutboxPerTimer:F1} outbox rows (each of its {perItem:0.#} units' contact × 2 channels) + next timer | ≥ 5,000/s | {f.FiredPerSecond:N0} timers/s = {f.FiredPerSecond * perItem:N0} assignments reminded/s | {Ok(f.FiredPerSecond >= 5000)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| issue 17.3: the firing above, a fresh node (its first burst); CPU per fired timer: node / PostgreSQL (all its processes) | ≥ 10,000/s (goal 15,000/s) | {f.FiredPerSecond:N0} timers/s; {f.NodeCpuPerTimer:N0} / {f.ServerCpuPerTimer:N0} µs | {Ok(f.FiredPerSecond >= 10000)} |");
        if (f.WarmPerSecond > 0)
            s.AppendLine(CultureInfo.InvariantCulture, $"| the same burst again on the same node, now warm (the first burst of a fresh process pays the JIT; see ADR 0001); CPU per timer: node / PostgreSQL | ≥ 10,000/s (goal 15,000/s) | {f.WarmPerSecond:N0} timers/s; {f.WarmNodeCpuPerTimer:N0} / {f.WarmServerCpuPerTimer:N0} µs | {Ok(f.WarmPerSecond >= 10000)} |");
        if (f.Baseline is { } b)
            s.AppendLine(CultureInfo.InvariantCulture, $"| the same firing by the baseline commit `{b.Name}` (its own bench, run just before on this server, {b.OutboxPerTimer:F1} outbox rows per timer, load {b.Load}) | — | {b.FiredPerSecond:N0} timers/s; this code {f.FiredPerSecond / b.FiredPerSecond:F2}× | |");
        if (f.CeilingPerSecond > 0)
            s.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: the same writes as one SQL statement per batch ({f.Workers} workers × batch {f.Batch}, no node work, `bench/Rectify.Bench/Ceiling.cs`) | — | {f.CeilingPerSecond:N0} timers/s, PostgreSQL CPU {f.CeilingCpuPerTimer:N0} µs per timer; the sweep gets {f.FiredPerSecond / f.CeilingPerSecond:P0} of it | |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| exactly once per assignment: (item, unit) parts with a reminder, and (item, unit, channel) with more than one | = {f.Firing * perItem:N0}, 0 | {f.FiredParts:N0}, {f.Twice:N0} | {Ok(f.ExactlyOnce)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| baseline: one Quartz 4.7.3 trigger per timer, clustered AdoJobStore on PostgreSQL, same work per firing ({f.Quartz.Timers:N0} timers) | — | scheduled {f.Quartz.ScheduledPerSecond:N0}/s, fired {f.Quartz.FiredPerSecond:N0}/s | |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| peer: one delayed Hangfire.PostgreSql 1.21.1 job per timer (Hangfire 1.8.25, 10 workers, delayed jobs polled each second, long polling), same work per firing ({f.Hangfire.Timers:N0} timers) | — | scheduled {f.Hangfire.ScheduledPerSecond:N0}/s, fired {f.Hangfire.FiredPerSecond:N0}/s, {f.Hangfire.CommitsPerJob:F1} commits per job | |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| lateness, {f.Simultaneous:N0} timers due at the same instant (due → commit of its firing; pre-staged with a 5 s look-ahead, see the ADR) | p50 ≤ 100 ms, p99 ≤ 1 s | p50 {f.P50:F0} ms, p99 {f.P99:F0} ms, last {f.Last:F0} ms | {Ok(f.P50 <= 100 && f.P99 <= 1000)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| idle node, nothing due, with Hangfire's server running (product tuning: 2 workers, queue poll 2 min + long polling, heartbeat 60 s, no session reset, 3 recurring jobs) (pg_stat_database.xact_commit) | ≤ 1 tx/s | {f.IdlePerSecond:F2} tx/s | {Ok(f.IdlePerSecond <= 1)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| idle node, nothing due, timers alone (Hangfire stopped) | ≤ 5 tx/s | {f.IdleWithoutHangfire:F2} tx/s | {Ok(f.IdleWithoutHangfire <= 5)} |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"The timers table with a batched `FOR UPDATE SKIP LOCKED` sweep fires {f.FiredPerSecond / Math.Max(1, f.Quartz.FiredPerSecond):N0}× faster than one Quartz trigger per timer and {f.FiredPerSecond / Math.Max(1, f.Hangfire.FiredPerSecond):N0}× faster than one delayed Hangfire job per timer, and a launch writes {f.LaunchTimers / Math.Max(0.001, f.LaunchSeconds):N0} timers/s against Quartz's {f.Quartz.ScheduledPerSecond:N0} and Hangfire's {f.Hangfire.ScheduledPerSecond:N0} schedules/s; see docs/adr/0001-timers.md for the decision. Hangfire runs the product's recurring and background work (digests, retention, weekly report, big exports), never the per-item timers.");
        s.AppendLine(End);
        return s.ToString();
    }

    public const string PeersBegin = "<!-- adr0001-peers:begin -->";
    public const string PeersEnd = "<!-- adr0001-peers:end -->";

    /// <summary>ADR 0001's table: the three timer designs side by side, from this run's figures.</summary>
    public static string Peers(Figures f)
    {
        var s = new StringBuilder();
        s.AppendLine(PeersBegin);
        s.AppendLine(CultureInfo.InvariantCulture, $"From `./rectify.sh bench`, {f.Date:yyyy-MM-dd HH:mm} UTC, one run on {f.Cpus} CPUs, fsync={f.Fsync}, load {f.LoadBefore} at the start (shared machine); the same work per firing in all three (journal row, item, outbox rows, next step).");
        s.AppendLine();
        s.AppendLine("| design | schedules/s (launch) | firings/s | ratio to the sweep (firing) |");
        s.AppendLine("| --- | ---: | ---: | ---: |");
        var sweepSchedules = f.LaunchTimers / Math.Max(0.001, f.LaunchSeconds);
        s.AppendLine(CultureInfo.InvariantCulture, $"| `timers` table, batched `FOR UPDATE SKIP LOCKED` sweep ({f.Workers} workers × batch {f.Batch}; {f.Items:N0} items, {f.Firing:N0} firings) | {sweepSchedules:N0} | {f.FiredPerSecond:N0} | 1 |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Quartz 4.7.3, one trigger per timer, clustered AdoJobStore ({f.Quartz.Timers:N0} timers) | {f.Quartz.ScheduledPerSecond:N0} | {f.Quartz.FiredPerSecond:N0} | 1 / {f.FiredPerSecond / Math.Max(1, f.Quartz.FiredPerSecond):N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Hangfire 1.8.25 on Hangfire.PostgreSql 1.21.1, one delayed job per timer, 10 workers ({f.Hangfire.Timers:N0} timers, {f.Hangfire.CommitsPerJob:F1} commits per job) | {f.Hangfire.ScheduledPerSecond:N0} | {f.Hangfire.FiredPerSecond:N0} | 1 / {f.FiredPerSecond / Math.Max(1, f.Hangfire.FiredPerSecond):N0} |");
        if (f.WarmPerSecond > 0)
            s.AppendLine(CultureInfo.InvariantCulture, $"| the same sweep, its second burst on the same node (warm) | — | {f.WarmPerSecond:N0} | {f.WarmPerSecond / Math.Max(1, f.FiredPerSecond):F2} |");
        if (f.CeilingPerSecond > 0)
            s.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: the sweep's writes as one SQL statement per batch, no node work (`bench/Rectify.Bench/Ceiling.cs`) | — | {f.CeilingPerSecond:N0} | {f.CeilingPerSecond / Math.Max(1, f.FiredPerSecond):F2} |");
        if (f.Baseline is { } b)
            s.AppendLine(CultureInfo.InvariantCulture, $"| the sweep of the baseline commit `{b.Name}` (same run, just before; load {b.Load}) | — | {b.FiredPerSecond:N0} | {b.FiredPerSecond / Math.Max(1, f.FiredPerSecond):F2} |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"An idle node (nothing due) with Hangfire's server running for the recurring work: {f.IdlePerSecond:F2} tx/s; the timers alone: {f.IdleWithoutHangfire:F2} tx/s.");
        s.AppendLine(PeersEnd);
        return s.ToString();
    }

    public static void WriteSection(string path, string section) => WriteSection(path, section, Begin, End);

    public static void WriteSection(string path, string section, string begin, string end)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n\n";
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = from >= 0 && to > from
            ? text[..from] + section.TrimEnd('\n') + text[(to + end.Length)..]
            : text.TrimEnd('\n') + "\n\n" + section;
        File.WriteAllText(path, text);
    }
}
