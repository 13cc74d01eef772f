using System.Globalization;
using Dapper;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Api.Operations;
using Rectify.Notifications;
using Rectify.Notifications.Digests;
using Rectify.Workflows.Clock;

namespace Rectify.Api.Jobs;

public sealed class JobsOptions
{
    /// <summary>Rectify__Jobs__Server: run Hangfire's server (workers, schedulers) on this node. The dashboard and the
    /// enqueueing work without it; some node of the database must run it.</summary>
    public bool Server { get; set; } = true;
    public int Workers { get; set; } = 2;
    public TimeSpan QueuePollInterval { get; set; } = HangfireTuning.QueuePoll;
    /// <summary>Delayed jobs are only retries here: looking for due ones each minute is soon enough.</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromSeconds(60);
    public WeeklyReportOptions WeeklyReport { get; set; } = new();
}

/// <summary>Rectify:Jobs:WeeklyReport — the weekly progress report to each active campaign's leading group.</summary>
public sealed class WeeklyReportOptions
{
    public bool Enabled { get; set; } = true;
    public DayOfWeek Day { get; set; } = DayOfWeek.Monday;
    public TimeOnly At { get; set; } = new(9, 0);
    public string TimeZone { get; set; } = "Asia/Shanghai";
}

/// <summary>
/// Hangfire on the product's PostgreSQL (schema <c>hangfire</c>) for recurring and background work: the daily digests,
/// retention, the weekly report, big exports. Every job is a plain class that reads the application clock and is safe to
/// run twice; Hangfire only decides when. The storage and the job activator are this host's own (not Hangfire's static
/// ones), so several nodes in one process — the tests — never run each other's jobs.
/// </summary>
public static class JobsHosting
{
    public const string DashboardPath = "/admin/jobs";

    public static IServiceCollection AddRectifyJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection("Rectify:Jobs"));
        var options = configuration.GetSection("Rectify:Jobs").Get<JobsOptions>() ?? new JobsOptions();
        services.AddSingleton<JobsSchema>();
        services.AddSingleton<JobStorage>(sp =>
        {
            var storage = HangfireTuning.Storage(options.QueuePollInterval);
            var cs = sp.GetRequiredService<IConfiguration>().GetConnectionString("Rectify")
                ?? throw new InvalidOperationException("ConnectionStrings:Rectify is not set");
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(HangfireTuning.ConnectionString(cs), storage), storage);
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        // Hangfire keeps its log provider in a static: one that outlives a disposed host (tests run several in a process).
        services.AddHangfire((sp, c) => HangfireTuning.Configure(c).UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<WeeklyProgressReport>();
        services.AddSingleton<BackgroundTasks>();
        services.AddSingleton<BackgroundTaskRunner>();
        services.AddSingleton<CampaignArchive>();
        // After StartupTasks (always the first hosted service): the schema exists when the jobs are registered.
        services.AddHostedService<RecurringJobsRegistrar>();
        if (options.Server)
            services.AddHangfireServer((_, o) =>
            {
                var tuned = HangfireTuning.Server(Math.Max(1, options.Workers), options.SchedulePollInterval);
                o.ServerName = tuned.ServerName;
                o.WorkerCount = tuned.WorkerCount;
                o.Queues = tuned.Queues;
                o.SchedulePollingInterval = tuned.SchedulePollingInterval;
                o.HeartbeatInterval = tuned.HeartbeatInterval;
                o.ServerCheckInterval = tuned.ServerCheckInterval;
                o.ServerTimeout = tuned.ServerTimeout;
                o.ShutdownTimeout = tuned.ShutdownTimeout;
            });
        return services;
    }

    /// <summary>
    /// The dashboard at /admin/jobs: administrators only (anyone else is sent to sign in, or refused), always in Chinese,
    /// with Hangfire's antiforgery check on (its forms and buttons send the token from the page).
    /// </summary>
    public static IEndpointRouteBuilder MapRectifyJobsDashboard(this IEndpointRouteBuilder app)
    {
        var dashboard = new DashboardOptions
        {
            DashboardTitle = "后台任务 / Background jobs",
            AppPath = "/admin",
            DisplayStorageConnectionString = false,
            IgnoreAntiforgeryToken = false,
            DarkModeEnabled = false,
            StatsPollingInterval = 10_000,
        };
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, DashboardPath, dashboard)
            .Add(endpoint =>
            {
                var inner = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = context =>
                {
                    // Hangfire reads its texts from the current UI culture (its satellite "zh" assembly).
                    CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
                    return inner(context);
                };
            });
        return app;
    }
}

/// <summary>
/// Installs (or upgrades) Hangfire's schema after our migrations, on one node at a time (an advisory lock of its own), so
/// several nodes starting together never race on it and Hangfire itself never installs anything (PrepareSchemaIfNecessary off).
/// </summary>
public sealed class JobsSchema(NpgsqlDataSource db, ILogger<JobsSchema> logger)
{
    private const long LockKey = 0x5265637469667910;

    public async Task InstallAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, HangfireTuning.Schema);
            logger.LogDebug("Hangfire schema {Schema} up to date", HangfireTuning.Schema);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>For a database no node has started on yet (the tests' template).</summary>
    public static async Task InstallAsync(NpgsqlDataSource db, CancellationToken ct) =>
        await new JobsSchema(db, Microsoft.Extensions.Logging.Abstractions.NullLogger<JobsSchema>.Instance).InstallAsync(ct);
}

/// <summary>
/// Registers the recurring jobs at start (each node; AddOrUpdate is idempotent). Their schedules only say when to look:
/// each job works out what is due as of the application clock, so a late or repeated run does the same thing once.
/// </summary>
public sealed class RecurringJobsRegistrar(
    IRecurringJobManager jobs, RectifyClock clock, Microsoft.Extensions.Options.IOptions<NotificationOptions> notifications,
    Microsoft.Extensions.Options.IOptions<JobsOptions> options, Microsoft.Extensions.Options.IOptions<RetentionOptions> retention) : IHostedService
{
    public const string RetentionJobId = "retention";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var n = notifications.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(n.TimeZone);
        // On the controllable clock (rehearsals, tests) the application's 08:30 is not the wall clock's: look each minute.
        // Moves of that clock run the digests at once anyway (DigestsOnClockMove).
        var digestCron = clock.Controllable ? Cron.Minutely() : Cron.Daily(n.DigestAt.Hour, n.DigestAt.Minute);
        jobs.AddOrUpdate<DailyDigests>(DailyDigests.JobId, d => d.RunDueAsync(CancellationToken.None), digestCron,
            new RecurringJobOptions { TimeZone = zone });
        jobs.AddOrUpdate<Retention>(RetentionJobId, r => r.RunOnceAsync(CancellationToken.None), retention.Value.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        var weekly = options.Value.WeeklyReport;
        if (weekly.Enabled)
            jobs.AddOrUpdate<WeeklyProgressReport>(WeeklyProgressReport.JobId, w => w.RunDueAsync(CancellationToken.None),
                Cron.Weekly(weekly.Day, weekly.At.Hour, weekly.At.Minute),
                new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(weekly.TimeZone) });
        else
            jobs.RemoveIfExists(WeeklyProgressReport.JobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Hangfire's logs into the host's logging. Hangfire holds its log provider (and loggers it handed out, e.g. inside cached
/// filter attributes) in statics; after the host that set them is disposed, logging through them is skipped instead of
/// failing the job or the request that logs.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    private readonly AspNetCoreLogProvider inner = new(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try { return new SafeLog(inner.GetLogger(name)); }
        catch (ObjectDisposedException) { return SafeLog.Silent; }
    }

    private sealed class SafeLog(Hangfire.Logging.ILog? log) : Hangfire.Logging.ILog
    {
        public static readonly SafeLog Silent = new(null);

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (log is null) return false;
            try { return log.Log(logLevel, messageFunc, exception); }
            catch (ObjectDisposedException) { return false; }
        }
    }
}
