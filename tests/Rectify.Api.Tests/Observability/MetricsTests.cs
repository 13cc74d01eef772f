using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Tests.Runtime;

namespace Rectify.Api.Tests.Observability;

/// <summary>The node on a real loopback socket (Kestrel), so a Prometheus on the same machine can scrape it.</summary>
public sealed class LoopbackRuntimeApp : RuntimeApp
{
    public string BaseUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        await base.InitializeAsync();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }
}

/// <summary>The controllable clock with the dispatcher on (the in-app inbox delivers; e-mail waits, SMTP is not configured).</summary>
public sealed class DeliveringRuntimeApp : RuntimeApp
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Rectify:Notifications:Enabled"] = "true" };
}

/// <summary>
/// The metrics tests run alone: OpenTelemetry's MeterProvider listens to every meter of a name in the process, so the
/// instruments of another test's node are merged into the same series, and that node shutting down ends the series for
/// this node too (the inbox counter's line vanished while 24 rows were sent). One node per process, as in production.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics, alone";
}

/// <summary>
/// GET /metrics: the Prometheus text format with the series API.md names, to loopback and administrators only; and
/// Debian's real Prometheus scraping a node and answering a query for rectify_timers_fired_total after timers fired.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    private static async Task<(Org Org, Guid Campaign)> FireSomeTimersAsync(RuntimeApp app, string prefix)
    {
        var org = await Org.CreateAsync(app, prefix);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, _) = await org.CampaignAsync([org.Item("扶贫资金拨付不及时", "2026-06-22"), org.Item("台账不全", "2026-06-19")]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        // Past both deadlines: reminders and the first escalation steps fire.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 24, 10));
        return (org, campaign);
    }

    [Fact]
    public async Task Metrics_AdministratorGetsPrometheusText_OthersRefused()
    {
        await using var app = new DeliveringRuntimeApp();
        await app.InitializeAsync();
        var (org, _) = await FireSomeTimersAsync(app, "mx");

        // The in-process test server has no remote address: not loopback.
        var anonymous = await app.CreateClient().GetAsync("/metrics");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.Content.ReadAsStringAsync()).ShouldContain("管理员令牌");
        (await org.Lgo.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await org.Admin.PostAsync("/metrics", null)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);

        var response = await org.Admin.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        var fired = Sample(text, "rectify_timers_fired_total");
        fired.ShouldBeGreaterThan(0);
        text.ShouldContain("# TYPE rectify_timer_lateness_seconds histogram");
        text.ShouldContain("rectify_timer_lateness_seconds_bucket{");
        Sample(text, "rectify_timer_lateness_seconds_count").ShouldBe(fired);
        // The dispatcher is on, so the rows waiting change while we read; the gauge is a reading at most five seconds old.
        // It must agree with the table once the table holds still between two counts around one scrape.
        await PendingGaugeAgreesWithTheTableAsync(app, org);
        Sample(text, "rectify_outbox_dead").ShouldBe(0);
        Sample(text, "rectify_incidents_open").ShouldBe(0);
        text.ShouldContain("http_server_request_duration_seconds");

        // Deliveries per channel: the counter catches up with the rows the dispatcher marked sent. It counts sends, and
        // delivery is at least once: the clock jump above ends leases at once, so a row may be sent again before its
        // first outcome is written (the inbox absorbs the repeat); hence at least, not exactly.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var sentRows = await app.QueryAsync<long>("select count(*) from outbox where status = 'sent' and channel = 'inbox'");
            text = await (await org.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("rectify_notifications_sent_total{", StringComparison.Ordinal) && l.Contains("channel=\"inbox\"", StringComparison.Ordinal));
            if (sentRows > 0 && line is not null && Sample(line, "rectify_notifications_sent_total") >= sentRows) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"inbox rows sent: {sentRows}; metric line: {line}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Prometheus_ScrapesNodeOnLoopback_QueryReturnsTimersFired()
    {
        await using var app = new LoopbackRuntimeApp();
        await app.InitializeAsync();
        await FireSomeTimersAsync(app, "px");
        // From loopback, no token needed: what this node says it fired.
        using var local = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var text = await local.GetStringAsync("/metrics");
        var fired = Sample(text, "rectify_timers_fired_total");
        var lateness = Sample(text, "rectify_timer_lateness_seconds_count");
        fired.ShouldBeGreaterThan(0);
        lateness.ShouldBeGreaterThan(0);

        // What Prometheus holds is what the node said (at least: the node records a batch's figures just after its
        // commit, so a read right after the clock move may come a batch early). Equality of the two series is
        // Metrics_AdministratorGetsPrometheusText_OthersRefused's business, on one rendering of /metrics.
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(app.BaseUrl));
        (await prometheus.WaitForAsync("sum(rectify_timers_fired_total)", v => v >= fired, TimeSpan.FromSeconds(90))).ShouldBeGreaterThanOrEqualTo(fired);
        (await prometheus.WaitForAsync("sum(rectify_timer_lateness_seconds_count)", v => v >= lateness, TimeSpan.FromSeconds(60))).ShouldBeGreaterThanOrEqualTo(lateness);
        (await prometheus.WaitForAsync("up{job=\"rectify\"}", v => v == 1, TimeSpan.FromSeconds(30))).ShouldBe(1);
    }

    private static async Task PendingGaugeAgreesWithTheTableAsync(RuntimeApp app, Org org)
    {
        const string waiting = "select count(*) from outbox where status in ('pending','failed')";
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var before = await app.QueryAsync<long>(waiting);
            var gauge = Sample(await (await org.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync(), "rectify_outbox_pending");
            var after = await app.QueryAsync<long>(waiting);
            if (before == after && gauge == after) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"rectify_outbox_pending {gauge}; rows waiting {before}, then {after}");
            await Task.Delay(500);
        }
    }

    /// <summary>The value of an unlabelled sample, or the sum over a series' label sets.</summary>
    private static double Sample(string text, string name)
    {
        var values = text.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') is var b && b > 0 ? b + 1 : name.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        values.ShouldNotBeEmpty($"no sample {name} in /metrics");
        return values.Sum();
    }
}

/// <summary>
/// Debian's prometheus (installed by rectify.sh) on a free loopback port, scraping one target every second. A scrape may
/// take up to 10 s (a loaded 2-core machine answers /metrics slowly the first time); a scrape that fails says why in
/// the time-out message (Prometheus's own lastError for the target).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;
    private readonly HttpClient http;

    private PrometheusServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
    }

    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        const string binary = "/usr/bin/prometheus";
        if (!File.Exists(binary)) throw new InvalidOperationException("Prometheus is not installed (Debian package prometheus; ./rectify.sh test installs it)");
        var dir = Directory.CreateTempSubdirectory("rectify-prometheus-").FullName;
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: rectify
                scrape_interval: 10s
                scrape_timeout: 10s
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']

            """);
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", $"--web.listen-address=127.0.0.1:{port}" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prometheus");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, dir, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await server.http.GetAsync("/-/ready")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException("Prometheus did not become ready");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Queries until the (single) result satisfies the condition; fails with the last answer after the timeout.</summary>
    public async Task<double> WaitForAsync(string query, Func<double, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (true)
        {
            last = await http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
            using var json = JsonDocument.Parse(last);
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() > 0)
            {
                var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                if (condition(value)) return value;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Prometheus query {query}: {last}; targets: {await http.GetStringAsync("/api/v1/targets")}");
            await Task.Delay(250);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { /* a leftover temp directory is harmless */ }
    }
}
