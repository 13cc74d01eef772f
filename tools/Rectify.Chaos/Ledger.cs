using Dapper;
using Npgsql;

namespace Rectify.Chaos;

internal sealed record LedgerResult(
    long TimersExpected, long TimersFired, long TimersDuplicated, long TimersStuck,
    long NotificationsExpected, long NotificationsLogged, long NotificationsDelivered, long LogDuplicates,
    long EmailsLogged, long EmailKeysReceived, long EmailKeysReceivedTwice, long EmailsLost, long NotDelivered)
{
    public long Lost => Math.Max(0, TimersExpected - TimersFired) + TimersStuck + NotDelivered + EmailsLost + Math.Max(0, NotificationsExpected - NotificationsLogged);
    public long Duplicates => TimersDuplicated + LogDuplicates;
    public bool Ok => Lost == 0 && Duplicates == 0 && TimersExpected > 0;

    public void Print(Faults faults, int recoveryLimit)
    {
        Console.WriteLine($"""

            ── chaos ledger ─────────────────────────────────────────────
            faults                  kill -9: {faults.Kills}, PostgreSQL outage: 1, SMTP outage: 1
            recovery                every node ready {faults.RecoverySeconds:F1} s after PostgreSQL came back (limit {recoveryLimit})
            timers expected         {TimersExpected}
            timers fired            {TimersFired}   (fired twice: {TimersDuplicated}, due but unfired: {TimersStuck})
            notifications expected  {NotificationsExpected}
            notifications logged    {NotificationsLogged}
            notifications delivered {NotificationsDelivered}   (not delivered: {NotDelivered})
            e-mails logged as sent  {EmailsLogged}
            SMTP keys received      {EmailKeysReceived}   (received more than once — at-least-once redelivery: {EmailKeysReceivedTwice})
            e-mails lost            {EmailsLost}
            duplicates in the log   {Duplicates}
            lost                    {Lost}
            ─────────────────────────────────────────────────────────────
            """);
    }
}

/// <summary>Reads what happened from the database and the SMTP server's own record, and compares it with what must have.</summary>
internal sealed class Ledger(string connectionString, string receivedFile, Guid campaignId, DateTimeOffset finalTime)
{
    public async Task WaitForDrainAsync(TimeSpan timeout, Action<string> log)
    {
        // Counting the whole outbox scans it (hundreds of thousands of rows, with their bodies) and takes CPU from the
        // drain being measured: the count is logged every 30 s; in between, one probe of the dispatcher's own index.
        var until = DateTime.UtcNow + timeout;
        var counted = DateTime.MinValue;
        while (DateTime.UtcNow < until)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var claimable = await connection.ExecuteScalarAsync<bool>("""
                select exists (select 1 from outbox where status in ('pending','failed') and not digest_hold and digested_in is null)
                """);
            if (!claimable || DateTime.UtcNow - counted >= TimeSpan.FromSeconds(30))
            {
                var open = await connection.ExecuteScalarAsync<long>("select count(*) from outbox where status in ('pending','failed')");
                if (open == 0) return;
                log($"outbox: {open} messages still to deliver");
                counted = DateTime.UtcNow;
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        log("the outbox did not drain in time");
    }

    public async Task<LedgerResult> CheckAsync(ChaosOptions options)
    {
        // Counting over a whole storm's tables takes a while on a small machine: no 30 s command limit here.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync();
        var p = new { campaignId, finalTime };

        // Expected item timers, from the definition's own schedule: every step due by the final time, once per item.
        var timersExpected = await Expectations.ItemTimersAsync(connection, campaignId, finalTime);
        // Fired (or consciously skipped by the catch-up policy): one journal row per timer, written in the transaction that deleted it.
        const string firedSql = """
            select count(*) filter (where n = 1), count(*) filter (where n > 1) from (
                select subject_key, count(*) as n from journal
                where campaign_id = @campaignId and actor = 'system' and item_id is not null and subject_key is not null
                group by subject_key) x
            """;
        var (fired, firedTwice) = await connection.QuerySingleAsync<(long, long)>(firedSql, p);
        var stuck = await connection.ExecuteScalarAsync<long>("select count(*) from timers where campaign_id = @campaignId and due_at <= @finalTime", p);

        // Every journal entry that announced messages must have its outbox rows (one per recipient route).
        // Outbox keys are {subject key}:{person}:{channel}, or {subject key}:{unit}:{person}:{channel} for a message to one
        // unit of an item (per-unit pressure); an anti-join on the subject part keeps this linear.
        const string expectedSql = """
            with announced as (
                select regexp_replace(idempotency_key, ':[^:]+:[^:]+$', '') as subject_key
                from outbox where campaign_id = @campaignId
                union
                select regexp_replace(idempotency_key, ':[^:]+:[^:]+:[^:]+$', '')
                from outbox where campaign_id = @campaignId)
            select count(*) from journal j
            left join announced a on a.subject_key = j.subject_key
            where j.campaign_id = @campaignId and j.subject_key is not null and j.type not like '%Skipped' and a.subject_key is null
            """;
        var journalWithoutMessages = await connection.ExecuteScalarAsync<long>(expectedSql, p);
        var logged = await connection.ExecuteScalarAsync<long>("select count(*) from outbox where campaign_id = @campaignId", p);
        var delivered = await connection.ExecuteScalarAsync<long>("select count(*) from outbox where campaign_id = @campaignId and status = 'sent'", p);
        var notDelivered = await connection.ExecuteScalarAsync<long>("select count(*) from outbox where campaign_id = @campaignId and status <> 'sent'", p);
        // The same message twice in the log: same subject, step, recipient and channel under two keys.
        const string dupSql = """
            select count(*) from (
                select item_id, kind, coalesce(level, ''), recipient_person_id, channel, coalesce(payload->>'step', idempotency_key), count(*)
                from outbox where campaign_id = @campaignId group by 1, 2, 3, 4, 5, 6 having count(*) > 1) x
            """;
        var logDuplicates = await connection.ExecuteScalarAsync<long>(dupSql, p);

        var sentEmailKeys = (await connection.QueryAsync<string>("select idempotency_key from outbox where channel = 'email' and status = 'sent'")).ToHashSet();
        var receivedKeys = File.ReadLines(receivedFile).Select(l => l.Split('\t')).Where(f => f.Length >= 2).GroupBy(f => f[1]).ToDictionary(g => g.Key, g => g.Count());
        var emailsLost = sentEmailKeys.Count(k => !receivedKeys.ContainsKey(k));
        return new LedgerResult(
            timersExpected, fired, firedTwice, stuck,
            logged + journalWithoutMessages, logged, delivered, logDuplicates,
            sentEmailKeys.Count, receivedKeys.Count, receivedKeys.Count(k => k.Value > 1), emailsLost, notDelivered);
    }
}
