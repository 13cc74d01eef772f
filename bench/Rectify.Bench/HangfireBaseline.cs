using System.Diagnostics;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Rectify.Api.Jobs;

namespace Rectify.Bench;

/// <summary>
/// The peer: one delayed Hangfire.PostgreSql job per timer (schema "hangfire" in the same PostgreSQL), fired by a
/// Hangfire server, each doing the same work as a fired reminder (as <see cref="QuartzBaseline.ReminderJob"/>).
/// The server has as many workers as Quartz has threads (10) and looks for due delayed jobs every second, so the
/// figure is Hangfire's, not its idle tuning's.
/// </summary>
public static class HangfireBaseline
{
    public sealed record Result(int Timers, double ScheduledPerSecond, double FiredPerSecond, double CommitsPerJob);

    public sealed class ReminderJob(NpgsqlDataSource db, QuartzBaseline.Counter counter)
    {
        public async Task FireAsync(Guid item)
        {
            await using var c = await db.OpenConnectionAsync();
            await using var tx = await c.BeginTransactionAsync();
            await c.ExecuteAsync("""
                update items set version = version + 1, updated_at = now() where id = @item;
                insert into journal(campaign_id, item_id, at, actor, type, data) select campaign_id, id, now(), 'hangfire', 'reminder', '{}' from items where id = @item;
                insert into outbox(idempotency_key, kind, campaign_id, item_id, recipient_person_id, channel, not_before, created_at, payload)
                select 'hangfire:' || i.id || ':' || p.id || ':' || nr.channel, 'reminder', i.campaign_id, i.id, p.id, nr.channel, now(), now(), '{}'
                from items i join people p on p.unit_code = i.lead_unit and p.is_unit_contact join notification_routes nr on nr.person_id = p.id
                where i.id = @item on conflict (idempotency_key) do nothing;
                """, new { item }, tx);
            await tx.CommitAsync();
            counter.Increment();
        }
    }

    private sealed class Activator(ReminderJob job) : JobActivator
    {
        public override object ActivateJob(Type jobType) => jobType == typeof(ReminderJob) ? job : base.ActivateJob(jobType);
    }

    /// <summary>Hangfire's storage with the product's tuning (the same file as the product's), schema installed.</summary>
    public static PostgreSqlStorage Storage(string cs)
    {
        using (var c = new NpgsqlConnection(cs))
        {
            c.Open();
            PostgreSqlObjectsInstaller.Install(c, HangfireTuning.Schema);
        }
        var options = HangfireTuning.Storage(HangfireTuning.QueuePoll);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(HangfireTuning.ConnectionString(cs), options), options);
    }

    public static async Task<Result> RunAsync(string cs, IReadOnlyList<Guid> items)
    {
        HangfireTuning.Configure(GlobalConfiguration.Configuration);
        var storage = Storage(cs);
        await using var db = NpgsqlDataSource.Create(cs);
        var counter = new QuartzBaseline.Counter { Target = items.Count };
        var client = new BackgroundJobClient(storage);
        var due = DateTimeOffset.UtcNow.AddSeconds(1);
        var watch = Stopwatch.StartNew();
        foreach (var item in items) client.Schedule<ReminderJob>(j => j.FireAsync(item), due);
        var scheduled = items.Count / watch.Elapsed.TotalSeconds;

        var commitsBefore = await CommitsAsync(db);
        var options = HangfireTuning.Server(10, TimeSpan.FromSeconds(1));
        options.Activator = new Activator(new ReminderJob(db, counter));
        watch.Restart();
        using (new BackgroundJobServer(options, storage))
        {
            await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(20));
        }
        var fired = items.Count / watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1)); // the statistics of the last commits reach pg_stat_database
        var commits = (await CommitsAsync(db) - commitsBefore) / (double)items.Count;
        return new Result(items.Count, scheduled, fired, commits);
    }

    private static async Task<long> CommitsAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("select xact_commit from pg_stat_database where datname = current_database()");
    }
}
