using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Rectify.Bench;

/// <summary>
/// The ceiling of firing on this machine (issue 17.3): the same writes as a sweep of reminders — claim the timers
/// <c>FOR UPDATE SKIP LOCKED</c>, lock their items, one journal row each, the outbox rows of every unit's contact on
/// each of its channels (through <c>notification_routes</c>, with a payload built in SQL), the next timer, the delete
/// of the fired rows — as ONE statement per batch, with the same workers and batch size as the node, fsync on. It has
/// no node work at all (no facts, schedules, JSON, parameter arrays) and one round trip per batch, so it says how far
/// the database alone could go; the sweep's figure beside it says how much of that the node gets.
/// </summary>
public static class Ceiling
{
    /// <summary>
    /// Fires <paramref name="count"/> pending (not yet due) <c>reminder:T-*</c> timers that the node does not touch, in
    /// batches of <paramref name="batch"/> on <paramref name="workers"/> connections (due more than 8 days ahead: past the
    /// launch's unacknowledged reminders, which the lateness phase uses); returns timers per second.
    /// Their next steps go a year ahead under a step name of their own, so nothing of this fires again in the bench.
    /// </summary>
    public static async Task<double> RunAsync(NpgsqlDataSource source, int count, int workers, int batch)
    {
        // Written here rather than shared with the product: it is the yardstick, and must stay one statement.
        const string sql = """
            with claimed as (
                select t.id, t.subject_id, t.campaign_id, t.cycle, t.step, t.due_at from timers t
                where t.step like 'reminder:T-%' and t.subject_kind = 'item' and t.due_at > now() + interval '8 days' and not t.quarantined
                order by t.id limit @batch for update skip locked
            ), locked as (
                -- one row per claimed timer whose item this statement could lock (the sweep leaves the others, too)
                select c.id, i.deadline from claimed c join items i on i.id = c.subject_id for update of i skip locked
            ), fired as (
                delete from timers t using locked l where t.id = l.id
                returning t.id, t.subject_id, t.campaign_id, t.cycle, t.step, t.due_at, l.deadline
            ), journal_rows as (
                insert into journal(campaign_id, item_id, at, actor, type, note, subject_key, data)
                select f.campaign_id, f.subject_id, now(), 'system', 'reminder', substr(f.step, 10),
                       'item:' || f.subject_id || ':' || f.step || ':c' || f.cycle,
                       jsonb_build_object('step', f.step, 'cycle', f.cycle, 'dueAt', f.due_at, 'firedAt', now(), 'lateSeconds', 0, 'outcome', 'fired')
                from fired f
                returning 1
            ), outbox_rows as (
                insert into outbox(idempotency_key, kind, campaign_id, item_id, recipient_person_id, channel, urgent, not_before, created_at, payload)
                select 'item:' || f.subject_id || ':' || f.step || ':c' || f.cycle || ':' || a.unit_code || ':' || p.id || ':' || nr.channel,
                       'reminder', f.campaign_id, f.subject_id, p.id, nr.channel, false, f.due_at, now(),
                       jsonb_build_object('type', 'reminder', 'deadline', f.deadline, 'daysBefore', substr(f.step, 12)::int, 'dueAt', f.due_at,
                                          'subject', jsonb_build_object('type', 'assignment', 'campaignId', f.campaign_id, 'itemId', f.subject_id, 'unit', a.unit_code))
                from fired f
                join assignments a on a.item_id = f.subject_id
                join people p on p.unit_code = a.unit_code and p.is_unit_contact
                join notification_routes nr on nr.person_id = p.id
                on conflict (idempotency_key) do nothing
                returning 1
            ), next_timers as (
                insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
                select f.due_at + interval '365 days', 'item', f.subject_id, f.campaign_id, f.cycle, 'ceiling:' || f.step, now() from fired f
                on conflict (subject_id, cycle, step) do nothing
                returning 1
            )
            select (select count(*) from fired)::int + 0 * ((select count(*) from journal_rows) + (select count(*) from outbox_rows) + (select count(*) from next_timers))::int
            """;
        var fired = 0;
        var watch = Stopwatch.StartNew();
        async Task Worker()
        {
            await using var c = await source.OpenConnectionAsync();
            while (Volatile.Read(ref fired) < count)
            {
                await using var tx = await c.BeginTransactionAsync();
                var n = await c.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { batch }, tx, commandTimeout: 600));
                await tx.CommitAsync();
                if (n == 0) return;
                Interlocked.Add(ref fired, n);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
        return fired / watch.Elapsed.TotalSeconds;
    }
}
