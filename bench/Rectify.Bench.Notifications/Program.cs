using System.Diagnostics;
using System.Globalization;
using Rectify.Bench.Notifications;

// Notifications throughput, one node: the real dispatcher (claim, render, send, record) against a local SMTP server
// (aiosmtpd) and a local HTTP receiver. E-mail: MailKit with 1, 4 and 16 connections beside the System.Net.Mail
// SmtpClient baseline (the same dispatcher, 1 and 16 connections on dedicated threads); webhooks beside the baseline of
// one connection per message sent one at a time.
// Usage: Rectify.Bench.Notifications --pg <connection string> --smtp-port <port> [--emails N] [--baseline-emails N]
//        [--webhooks N] [--baseline-webhooks N] [--smtp-connections N] [--smtp-workers N] [--doc docs/performance.md]
var options = BenchOptions.Parse(args);
var started = DateTimeOffset.UtcNow;
var loadBefore = PerformanceDoc.LoadAverage();
await using var bench = await Bench.CreateAsync(options);
var results = new List<Result>
{
    await bench.EmailSmtpClientAsync(options.BaselineEmails, 1),
    await bench.EmailSmtpClientAsync(options.BaselineEmails * 4, 16),
    await bench.EmailDispatcherAsync(options.Emails / 4, 1),
    await bench.EmailDispatcherAsync(options.Emails / 2, 4),
    await bench.EmailDispatcherAsync(options.Emails, 16),
    await bench.WebhookBaselineAsync(options.BaselineWebhooks),
    await bench.WebhookDispatcherAsync(options.Webhooks),
};
Console.WriteLine();
Console.WriteLine($"Notifications benchmark, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, {Environment.ProcessorCount} CPUs, {Bench.CpuModel()}, PostgreSQL {await bench.ServerVersionAsync()}");
Console.WriteLine();
Console.WriteLine("| channel | how | messages | seconds | messages/s |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: |");
foreach (var r in results)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Channel} | {r.How} | {r.Count} | {r.Seconds:0.00} | {r.Count / r.Seconds:0} |"));
if (options.Doc is { Length: > 0 } doc)
{
    var run = new PerformanceDoc.Run(started, loadBefore, PerformanceDoc.LoadAverage(),
        $"{Environment.ProcessorCount} CPUs ({Bench.CpuModel()})", await bench.ServerVersionAsync(), options.SmtpConnections, options.SmtpWorkers);
    PerformanceDoc.Write(doc, PerformanceDoc.Render(run, results));
    Console.WriteLine($"written to {doc} (between {PerformanceDoc.Begin} and {PerformanceDoc.End})");
}
return results.All(r => r.Ok) ? 0 : 1;

namespace Rectify.Bench.Notifications
{
    public sealed record Result(string Channel, string How, int Count, double Seconds, bool Ok);

    public sealed record BenchOptions(string Pg, int SmtpPort, int Emails, int BaselineEmails, int Webhooks, int BaselineWebhooks, int SmtpConnections,
        int SmtpWorkers, string? Doc)
    {
        public static BenchOptions Parse(string[] args)
        {
            string Get(string name, string? fallback = null)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
            }
            int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
            return new BenchOptions(Get("--pg"), Int("--smtp-port", 0), Int("--emails", 4000), Int("--baseline-emails", 400),
                Int("--webhooks", 20000), Int("--baseline-webhooks", 1000),
                Int("--smtp-connections", 16), Int("--smtp-workers", 2), Array.IndexOf(args, "--doc") >= 0 ? Get("--doc") : null);
        }
    }

    public static class Timing
    {
        public static async Task<double> SecondsAsync(Func<Task> action)
        {
            var watch = Stopwatch.StartNew();
            await action();
            return watch.Elapsed.TotalSeconds;
        }
    }
}
