using System.Globalization;
using System.Text;

namespace Rectify.Bench.Scale;

/// <summary>The "National scale" section of docs/performance.md, between its markers.</summary>
public static class ScaleReport
{
    public const string Begin = "<!-- scale:begin -->";
    public const string End = "<!-- scale:end -->";

    public sealed record DataSize(int Items, long Assignments, long Timers, long Journal, long OpenEscalations, string States, double InsertSeconds, double HistorySeconds);

    public sealed record BuildFigures(IReadOnlyList<PathFigure> Paths, DocumentFigure Ledger);

    /// <summary>One timed launch: its seconds, and the timers and outbox rows it left.</summary>
    public sealed record LaunchFigure(double Seconds, long Timers, long Outbox);

    /// <param name="Launch">The launch of the measured data set, under the first build started (the baseline when there is one).</param>
    /// <param name="CurrentLaunch">With a baseline: this build's launch of a campaign of the same size in a database of its own.</param>
    public sealed record Figures(
        DateTimeOffset Date, int Cpus, double MemoryGiB, string Postgres, string Fsync, DataSize Size,
        LaunchFigure Launch, LaunchFigure? CurrentLaunch,
        string BaselineName, double? UpgradeSeconds, BuildFigures? Before, BuildFigures After, LoadFigure Load, string LoadBefore, string LoadAfter);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static double MemoryGiB()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024;
    }

    private static string Ms(PathFigure? f) => f is null ? "—" : f.Measured ? $"{f.Median:N0} / {f.P95:N0}" : f.Note ?? "—";

    private static string Verdict(PathFigure f) => !f.Measured ? "not measured" : f.P95 <= f.TargetP95 ? "✅" : "❌";

    public static string Markdown(Figures f)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(Begin);
        s.AppendLine("## National scale");
        s.AppendLine();
        s.AppendLine(inv, $"Measured {f.Date:yyyy-MM-dd HH:mm} UTC by `./rectify.sh bench scale` (`BENCH_SCALE_ITEMS={f.Size.Items}`) on {f.Cpus} CPUs, {f.MemoryGiB:F1} GiB RAM, PostgreSQL {f.Postgres} on the same machine, **fsync={f.Fsync}**. Load average (1/5/15 min) {f.LoadBefore} at the start and {f.LoadAfter} at the end: the machine is shared with other developers, every figure is what the bench got of it.");
        s.AppendLine();
        s.AppendLine(inv, $"Data: one campaign of {f.Size.Items:N0} items × 3 units ({f.Size.Assignments:N0} assignments) — {f.Size.States}; one open item in five overdue by 1–40 days at the escalation level that delay reaches ({f.Size.OpenEscalations:N0} open escalations), one in five near its deadline; {f.Size.Journal:N0} journal rows; {f.Size.Timers:N0} timers after launch. Items inserted set-based in {f.Size.InsertSeconds:F0} s, history applied set-based in {f.Size.HistorySeconds:F0} s (with `vacuum analyze`); the secondary indexes of the tables each step writes dropped before it and built after it, as a bulk load does.");
        s.AppendLine();
        var launch = string.Create(inv, $"launch of {f.Size.Items:N0} items × 3 units through `POST /api/campaigns/{{id}}/launch` (one transaction)");
        static string Launched(LaunchFigure l) =>
            string.Create(CultureInfo.InvariantCulture, $"**{l.Seconds:F1} s** ({l.Timers:N0} timers, {l.Outbox:N0} outbox rows)");
        static string Met(LaunchFigure l) => l.Seconds <= 90 ? "✅" : "❌";
        if (f.CurrentLaunch is { } current)
        {
            s.AppendLine(inv, $"The launch twice: the baseline build (`{f.BaselineName}`) launching the data set above, and this build launching a campaign of the same size built the same way in a database of its own, after every other measurement (so neither the data nor the caches of the paths above are changed by it):");
            s.AppendLine();
            s.AppendLine("| what | target | baseline build | this build | |");
            s.AppendLine("| --- | --- | ---: | ---: | --- |");
            s.AppendLine(inv, $"| {launch} | ≤ 90 s | {Launched(f.Launch)} | {Launched(current)} | {Met(current)} |");
        }
        else
        {
            s.AppendLine("| what | target | measured | |");
            s.AppendLine("| --- | --- | --- | --- |");
            s.AppendLine(inv, $"| {launch}, this build | ≤ 90 s | {Launched(f.Launch)} | {Met(f.Launch)} |");
        }
        s.AppendLine();
        var before = f.Before?.Paths.ToDictionary(p => p.Key);
        s.AppendLine(f.Before is null
            ? "Client round trip on loopback (request sent → last byte read), sequential, after two warm-up requests; median / p95 in ms:"
            : $"Client round trip on loopback (request sent → last byte read), sequential, after two warm-up requests; median / p95 in ms. **Before**: the baseline build (`{f.BaselineName}`) on this data; **after**: this checkout's build started on the same database (its migrations applied on start{(f.UpgradeSeconds is { } u ? string.Create(inv, $", which took {u:F0} s") : "")}):");
        s.AppendLine();
        s.AppendLine(f.Before is null ? "| path | target p95 | median / p95 | |" : "| path | target p95 | before | after | |");
        s.AppendLine(f.Before is null ? "| --- | ---: | ---: | --- |" : "| --- | ---: | ---: | ---: | --- |");
        foreach (var p in f.After.Paths)
        {
            s.Append(inv, $"| {p.What} | ≤ {p.TargetP95:N0} | ");
            if (before is not null) s.Append(Ms(before.GetValueOrDefault(p.Key))).Append(" | ");
            s.AppendLine(inv, $"{Ms(p)} | {Verdict(p)} |");
        }
        s.AppendLine();
        s.AppendLine("`ledger.xlsx` (time to first byte, total, size, resident memory of the service process before → peak during the download):");
        s.AppendLine();
        s.AppendLine("| build | first byte (target ≤ 1 s) | total | size | server RSS before → peak |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        void Ledger(string name, DocumentFigure d) =>
            s.AppendLine(inv, $"| {name} | {(d.Status == 200 ? $"{d.FirstByteMs / 1000:F2} s" : d.Status == -1 && !double.IsNaN(d.FirstByteMs) ? $"{d.FirstByteMs / 1000:F2} s (the rest not read within the client's time limit)" : d.Status == -1 ? "not finished within the client's time limit" : $"HTTP {d.Status}")} | {d.TotalMs / 1000:F1} s | {d.Bytes / 1048576.0:F1} MiB | {d.RssBeforeMiB:N0} → {d.PeakRssMiB:N0} MiB |");
        if (f.Before is not null) Ledger("before", f.Before.Ledger);
        Ledger("after", f.After.Ledger);
        s.AppendLine();
        var l = f.Load;
        var errors = l.Errors == 0 ? "0" : string.Join(", ", l.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}"));
        s.AppendLine(inv, $"{l.Clients} concurrent clients for {l.Seconds:F0} s on this build (85 % reads: item lists, details, timelines, the campaign; 15 % writes: a progress report), while {l.BurstTimers:N0} reminders fall due at one instant and the service's own sweep fires them:");
        s.AppendLine();
        s.AppendLine("| what | target | measured | |");
        s.AppendLine("| --- | --- | --- | --- |");
        s.AppendLine(inv, $"| requests (all), p50 / p99 | p99 ≤ 500 ms | {l.P50:N0} / {l.P99:N0} ms ({l.Requests:N0} requests, {l.Requests / Math.Max(1, l.Seconds):N0}/s) | {(l.P99 <= 500 ? "✅" : "❌")} |");
        s.AppendLine(inv, $"| writes, p50 / p99 | — | {l.WriteP50:N0} / {l.WriteP99:N0} ms ({l.Writes:N0} writes) | |");
        s.AppendLine(inv, $"| errors | 0 | {errors} | {(l.Errors == 0 ? "✅" : "❌")} |");
        s.AppendLine(inv, $"| burst lateness p99 (due → fired; sampled every 100 ms) | ≤ 5 s | {(double.IsNaN(l.BurstLatenessP99) ? "not reached" : $"{l.BurstLatenessP99:F1} s")}; all fired {(double.IsNaN(l.BurstSeconds) ? $"no ({l.BurstLeft:N0} left)" : $"after {l.BurstSeconds:F1} s = {l.BurstTimers / Math.Max(0.1, l.BurstSeconds):N0}/s")} | {(!double.IsNaN(l.BurstLatenessP99) && l.BurstLatenessP99 <= 5 ? "✅" : "❌")} |");
        s.AppendLine(End);
        return s.ToString();
    }

    public static void WriteSection(string path, string section)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n\n";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? text[..begin] + section.TrimEnd('\n') + text[(end + End.Length)..]
            : text.TrimEnd('\n') + "\n\n" + section;
        File.WriteAllText(path, text);
    }
}
