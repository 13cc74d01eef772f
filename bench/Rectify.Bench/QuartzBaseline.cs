using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Rectify.Bench;

/// <summary>The baseline: one Quartz trigger per timer, clustered AdoJobStore on the same PostgreSQL.</summary>
public static class QuartzBaseline
{
    public sealed record Result(int Timers, double ScheduledPerSecond, double FiredPerSecond);

    public sealed class Counter
    {
        private int count;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Target { get; set; }
        public void Increment() { if (Interlocked.Increment(ref count) == Target) Done.TrySetResult(); }
    }

    /// <summary>The same work as a fired reminder: journal row, item version, one outbox row per contact route of each unit of the item.</summary>
    public sealed class ReminderJob(NpgsqlDataSource db, Counter counter) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var item = Guid.Parse(context.MergedJobDataMap.GetString("item")!);
            await using var c = await db.OpenConnectionAsync(cancellationToken);
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            await c.ExecuteAsync("""
                update items set version = version + 1, updated_at = now() where id = @item;
                insert into journal(campaign_id, item_id, at, actor, type, data) select campaign_id, id, now(), 'quartz', 'reminder', '{}' from items where id = @item;
                insert into outbox(idempotency_key, kind, campaign_id, item_id, recipient_person_id, channel, not_before, created_at, payload)
                select 'quartz:' || i.id || ':' || p.id || ':' || nr.channel, 'reminder', i.campaign_id, i.id, p.id, nr.channel, now(), now(), '{}'
                from items i join assignments a on a.item_id = i.id join people p on p.unit_code = a.unit_code and p.is_unit_contact join notification_routes nr on nr.person_id = p.id
                where i.id = @item on conflict (idempotency_key) do nothing;
                """, new { item }, tx);
            await tx.CommitAsync(cancellationToken);
            counter.Increment();
        }
    }

    public static async Task<Result> RunAsync(string cs, IReadOnlyList<Guid> items)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(NpgsqlDataSource.Create(cs));
        var counter = new Counter { Target = items.Count };
        services.AddSingleton(counter);
        services.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 10);
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(cs);
                s.UseSystemTextJsonSerializer();
                s.UseClustering();
                s.ProvisionSchema();
            });
        });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var due = DateTimeOffset.UtcNow.AddSeconds(1);
        var watch = Stopwatch.StartNew();
        foreach (var item in items)
        {
            var job = JobBuilder.Create<ReminderJob>().WithIdentity($"reminder-{item}").UsingJobData("item", item.ToString()).Build();
            var trigger = TriggerBuilder.Create().WithIdentity($"due-{item}").StartAt(due).Build();
            await scheduler.ScheduleJob(job, trigger);
        }
        var scheduled = items.Count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        await scheduler.Start();
        await counter.Done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        var fired = items.Count / watch.Elapsed.TotalSeconds;
        await scheduler.Shutdown(waitForJobsToComplete: true);
        return new Result(items.Count, scheduled, fired);
    }
}
