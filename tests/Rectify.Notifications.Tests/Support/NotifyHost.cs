using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Persistence;

namespace Rectify.Notifications.Tests.Support;

/// <summary>
/// One Rectify node's notifications part (dispatcher, digest scheduler, channels) as a generic host on a test
/// database: what every API node runs, without the web server, so a test can run two on one database or stop one
/// mid-batch and start another.
/// </summary>
public sealed class NotifyHost : IAsyncDisposable
{
    /// <summary>Monday 2026-11-23 10:00 in Asia/Shanghai: a working day in office hours.</summary>
    public static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly IHost host;
    private bool stopped;

    private NotifyHost(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;

    public RectifyClock Clock => host.Services.GetRequiredService<RectifyClock>();

    /// <summary>Settings every test host shares: fast retries, short waits, a controllable clock.</summary>
    public static Dictionary<string, string?> Defaults(string connectionString) => new()
    {
        ["ConnectionStrings:Rectify"] = connectionString,
        ["Rectify:Clock:Controllable"] = "true",
        ["Rectify:PublicBaseUrl"] = "https://rectify.example.cn",
        ["Rectify:Notifications:RetryBaseDelay"] = "00:00:00.300",
        ["Rectify:Notifications:RetryFactor"] = "2",
        // Generous, as in production (15 s): on a loaded machine a healthy send (a TLS handshake, a robot's answer) took
        // longer than the 3 s once used here, and the test saw a timeout it was not about. The tests of the timeout set
        // their own.
        ["Rectify:Notifications:SendTimeout"] = "00:00:20",
        ["Rectify:Notifications:IdlePoll"] = "00:00:01",
        // Longer than a send plus the SMTP I/O timeout, as the service warns it must be.
        ["Rectify:Notifications:Lease"] = "00:01:00",
        ["Rectify:Smtp:From"] = "duban@rectify.example.cn",
        ["Rectify:Smtp:Connections"] = "4",
        ["Rectify:Smtp:IoTimeout"] = "00:00:10",
        // The robot and webhook receivers of the tests listen on loopback, which the outbound policy refuses unless allowed.
        ["Rectify:Notifications:AllowedHosts"] = "127.0.0.1",
    };

    public static async Task<NotifyHost> StartAsync(string connectionString, IDictionary<string, string?>? settings = null, DateTimeOffset? clockAt = null)
    {
        var values = Defaults(connectionString);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddRectifyPersistence(builder.Configuration);
        builder.Services.AddKeyedSingleton("wall", TimeProvider.System);
        builder.Services.AddOptions<ClockOptions>().BindConfiguration("Rectify:Clock");
        builder.Services.AddSingleton<RectifyClock>();
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<RectifyClock>());
        builder.Services.AddHostedService<ClockRefresher>();
        builder.Services.AddRectifyNotifications(builder.Configuration);
        var host = builder.Build();
        var clock = host.Services.GetRequiredService<RectifyClock>();
        if (clockAt is { } at) await clock.SetAsync(at.ToUniversalTime(), CancellationToken.None);
        else await clock.RefreshAsync(CancellationToken.None);
        await host.StartAsync();
        return new NotifyHost(host);
    }

    public async Task StopAsync()
    {
        if (stopped) return;
        stopped = true;
        await host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        host.Dispose();
    }
}
