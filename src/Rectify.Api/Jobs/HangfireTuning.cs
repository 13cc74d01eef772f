using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;

namespace Rectify.Api.Jobs;

/// <summary>
/// How Hangfire is tuned for this product: cheap when idle, because every node runs it and nothing here is urgent
/// (per-item timers and the outbox are ours, docs/adr/0001). The bench (bench/Rectify.Bench) compiles this same file,
/// so its idle figure is the product's.
/// </summary>
public static class HangfireTuning
{
    public const string Schema = "hangfire";

    /// <summary>An idle worker looks for work this often; long polling wakes it the moment a job is enqueued.</summary>
    public static readonly TimeSpan QueuePoll = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Hangfire's own connection string: the product's, without the session reset (<c>DISCARD ALL</c>) a pooled
    /// connection gets when it is reopened. Hangfire keeps no session state (it sets isolation per transaction, locks in a
    /// table, listens on a connection of its own), and on an idle node the reset was a third of its transactions
    /// (measured with <c>BENCH_PG_EXTRA="-c log_statement=all" ./rectify.sh bench</c>).
    /// </summary>
    public static string ConnectionString(string cs) => new NpgsqlConnectionStringBuilder(cs) { NoResetOnClose = true }.ConnectionString;

    /// <param name="queuePoll">How often an idle worker looks for work; long polling (LISTEN/NOTIFY) wakes it at once
    /// when a job is enqueued, so a large interval delays nothing that was enqueued.</param>
    public static PostgreSqlStorageOptions Storage(TimeSpan queuePoll) => new()
    {
        SchemaName = Schema,
        // The node installs the schema itself after our migrations, under their lock (JobsSchema): never two at once.
        PrepareSchemaIfNecessary = false,
        QueuePollInterval = queuePoll,
        EnableLongPolling = true,
        // A job whose node died is taken up again after this; every job here is safe to run twice.
        InvisibilityTimeout = TimeSpan.FromMinutes(30),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
        JobExpirationCheckInterval = TimeSpan.FromHours(1),
        CountersAggregateInterval = TimeSpan.FromMinutes(5),
    };

    public static BackgroundJobServerOptions Server(int workers, TimeSpan schedulePoll) => new()
    {
        ServerName = $"{Environment.MachineName}:{Environment.ProcessId}",
        WorkerCount = workers,
        Queues = ["default"],
        // Delayed jobs (retries, scheduled work) are moved to the queue this often.
        SchedulePollingInterval = schedulePoll,
        // A server is counted dead after ServerTimeout (5 min) without one: a heartbeat a minute is plenty.
        HeartbeatInterval = TimeSpan.FromSeconds(60),
        ServerCheckInterval = TimeSpan.FromMinutes(5),
        ServerTimeout = TimeSpan.FromMinutes(5),
        ShutdownTimeout = TimeSpan.FromSeconds(15),
    };

    public static IGlobalConfiguration Configure(IGlobalConfiguration configuration) => configuration
        .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
        .UseSimpleAssemblyNameTypeSerializer()
        .UseRecommendedSerializerSettings();
}
