using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Rectify.Bench.Notifications;

/// <summary>
/// Writes the run into docs/performance.md between &lt;!-- notifications:begin --&gt; and &lt;!-- notifications:end --&gt;
/// (under "## Notifications"; the markers are added there if missing): machine, date, load average, each channel's
/// baseline beside the dispatcher in the same run, and the ratio.
/// </summary>
public static class PerformanceDoc
{
    public const string Begin = "<!-- notifications:begin -->";
    public const string End = "<!-- notifications:end -->";

    public sealed record Run(DateTimeOffset Started, string LoadBefore, string LoadAfter, string Machine, string Postgres, int SmtpConnections, int SmtpWorkers);

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public static string Render(Run run, IReadOnlyList<Result> results)
    {
        var ic = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(Begin);
        s.AppendLine(ic, $"Last run of `scripts/bench-notifications.sh` (also run by `./rectify.sh bench`): {run.Started.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {run.Machine}, PostgreSQL {run.Postgres}, .NET {RuntimeInformation.FrameworkDescription.Replace(".NET ", "", StringComparison.Ordinal)}; SMTP server aiosmtpd with {run.SmtpWorkers} processes.");
        s.AppendLine(ic, $"**Load average (1, 5, 15 min): {run.LoadBefore} at the start, {run.LoadAfter} at the end** (2 cores shared with other developers: a high load lowers every figure).");
        s.AppendLine();
        s.AppendLine("| channel | how | messages | seconds | messages/s | × baseline |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var channel in results.GroupBy(r => r.Channel))
        {
            var baseline = channel.FirstOrDefault(r => r.How.StartsWith("baseline", StringComparison.Ordinal));
            foreach (var r in channel)
            {
                var rate = r.Count / r.Seconds;
                var ratio = baseline is null || ReferenceEquals(r, baseline) ? "1" : (rate / (baseline.Count / baseline.Seconds)).ToString("0.#", ic);
                s.AppendLine(ic, $"| {r.Channel} | {r.How}{(r.Ok ? "" : " — **incomplete: not every row sent once with one attempt**")} | {r.Count} | {r.Seconds:0.00} | {rate:0} | {ratio} |");
            }
        }
        s.AppendLine();
        foreach (var (channel, how, target) in new[] { ("email", "MailKit, 1 SMTP connection", 250), ("email", "MailKit, 16 SMTP connections", 600), ("webhook", "", 1000) })
        {
            var best = results.Where(r => r.Channel == channel && !r.How.StartsWith("baseline", StringComparison.Ordinal) && r.How.EndsWith(how, StringComparison.Ordinal)).ToList();
            if (best.Count == 0) continue;
            var rate = best.Max(r => r.Count / r.Seconds);
            var label = how.Length == 0 ? channel : $"{channel} ({how})";
            s.AppendLine(ic, $"- {label}: target ≥ {target:N0}/s — {(rate >= target && best.All(r => r.Ok) ? "met" : "**not met**")} in this run ({rate:N0}/s).");
        }
        s.Append(End);
        return s.ToString();
    }

    /// <summary>Replaces the marked block, or inserts it after the "## Notifications" heading's first paragraph break.</summary>
    public static void Write(string path, string block)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            text = text[..begin] + block + text[(end + End.Length)..];
        }
        else
        {
            var heading = text.IndexOf("\n## Notifications", StringComparison.Ordinal);
            if (heading < 0) text = text.TrimEnd() + "\n\n## Notifications\n\n" + block + "\n";
            else
            {
                var lineEnd = text.IndexOf('\n', heading + 1);
                text = text[..(lineEnd + 1)] + "\n" + block + "\n" + text[(lineEnd + 1)..];
            }
        }
        File.WriteAllText(path, text);
    }
}
