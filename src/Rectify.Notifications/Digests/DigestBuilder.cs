using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Digests;

/// <summary>
/// Builds one day's digests: for every person who chose a daily digest and has something to read, one digest row per
/// channel (key <c>person:{id}:digest:{date}:{id}:{channel}</c>, so building twice is a no-op), and folds that person's
/// held rows into it. Held rows of people who went back to immediate delivery are released to go out on their own.
/// </summary>
public sealed class DigestBuilder(NpgsqlDataSource db, INotificationOutbox outbox, IOptions<NotificationOptions> options)
{
    private const string MarkerKey = "notifications.digest.built";
    // Only one node builds at a time; the others try again on their next tick.
    private const long LockKey = 0x5265637469667904;

    public static string SubjectKey(Guid person, DateOnly date) =>
        $"person:{person}:digest:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>True when the date's digests exist (built now or before); false when another node holds the lock.</summary>
    public async Task<bool> BuildAsync(DateOnly date, DateTimeOffset now, CancellationToken ct)
    {
        var day = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_try_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct)))
            return false;
        var built = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select value from app_settings where key = @MarkerKey", new { MarkerKey }, tx, cancellationToken: ct));
        if (built == day) return true;

        const string candidates = """
            select np.person_id from notification_preferences np
            join people p on p.id = np.person_id
            where np.digest and (
                exists (select 1 from outbox o where o.recipient_person_id = p.id and o.digest_hold and o.digested_in is null and o.status = 'pending')
                or exists (select 1 from items i
                           where i.state not in ('draft','closed','withdrawn')
                             and (i.responsible_leader_id = p.id or (p.is_unit_contact and (i.lead_unit = p.unit_code or p.unit_code = any(i.units))))
                             and (i.escalation_level <> 'none' or i.effective_deadline <= @horizon)))
            """;
        var people = (await connection.QueryAsync<Guid>(new CommandDefinition(candidates,
            new { horizon = date.AddDays(DigestContent.DueWithinDays) }, tx, cancellationToken: ct))).ToArray();
        var requests = people.Select(p => new NotificationRequest(SubjectKey(p, date), new DigestMessage(new PersonRef(p), date), p, now, false)).ToList();
        await outbox.EnqueueAsync(connection, tx, requests, now, ct);

        const string fold = """
            update outbox h set digested_in = d.id
            from outbox d
            where h.digest_hold and h.digested_in is null and h.status = 'pending' and h.recipient_person_id = any(@people)
              and d.idempotency_key = 'person:' || h.recipient_person_id || ':digest:' || @day || ':' || h.recipient_person_id || ':' || h.channel
              and d.created_at = @now and d.status = 'pending'
            """;
        // Only into digest rows this transaction created (invisible to dispatchers until commit): a row of an earlier
        // build may already be on its way, and what is folded must be in the text that is sent.
        await connection.ExecuteAsync(new CommandDefinition(fold, new { people, day, now }, tx, cancellationToken: ct));

        // Held rows with no digest to ride in (preference changed, channel dropped) go out on their own.
        const string release = """
            update outbox set digest_hold = false, not_before = @now
            where digest_hold and digested_in is null and status = 'pending'
            """;
        await connection.ExecuteAsync(new CommandDefinition(release, new { now }, tx, cancellationToken: ct));

        await connection.ExecuteAsync(new CommandDefinition("""
            insert into app_settings(key, value, updated_at) values (@MarkerKey, @day, now())
            on conflict (key) do update set value = excluded.value, updated_at = now()
            """, new { MarkerKey, day }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    public TimeOnly DigestAt => options.Value.DigestAt;
}
