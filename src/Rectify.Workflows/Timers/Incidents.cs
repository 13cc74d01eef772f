using Dapper;
using Npgsql;

namespace Rectify.Workflows.Timers;

/// <summary>
/// Incidents (migration 0640): a timer whose step throws, an outbox row whose processing crashed, a background job
/// that failed for a reason other than the database. Each is recorded once while open (a repeat counts another
/// attempt and refreshes the error), shown on /admin/incidents and counted by <c>rectify_incidents_open</c>.
/// </summary>
public static class Incidents
{
    public const int MaxErrorLength = 4000;

    /// <summary>
    /// Whether <paramref name="ex"/> is one subject's (one row's) fault, to be quarantined, rather than the engine's
    /// (the database away, the node stopping), which the loop retries with back-off.
    /// </summary>
    public static bool IsSubjectFault(Exception ex, CancellationToken ct)
    {
        if (ex is OperationCanceledException && ct.IsCancellationRequested) return false;
        return ex switch
        {
            PostgresException pg => !IsTransient(pg.SqlState),
            NpgsqlException => false,
            TimeoutException => false,
            ObjectDisposedException => false,
            OutOfMemoryException => false,
            _ => true,
        };
    }

    /// <summary>
    /// SQLSTATE classes that say nothing about the row: connection (08), rollback/deadlock (40), resources (53),
    /// lock not available (55), operator intervention and cancellations (57), system (58), internal (XX).
    /// </summary>
    public static bool IsTransient(string sqlState) =>
        sqlState.Length >= 2 && sqlState[..2] is "08" or "40" or "53" or "55" or "57" or "58" or "XX";

    /// <summary>The text stored for an exception: type, message and the first frames, without NUL (PostgreSQL text refuses it).</summary>
    public static string Describe(Exception ex)
    {
        var text = ex.ToString().Replace("\0", "", StringComparison.Ordinal);
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    internal static async Task OpenTimersAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<(TimerRow Timer, Exception Error)> poisoned, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            insert into incidents(source, subject_kind, subject_id, campaign_id, timer_id, step, error, first_seen, last_seen)
            select 'timer', k, s, c, t, p, e, @now, @now from unnest(@kinds, @subjects, @campaigns, @timers, @steps, @errors) as u(k, s, c, t, p, e)
            on conflict (timer_id) where resolved_at is null and timer_id is not null
            do update set error = excluded.error, last_seen = excluded.last_seen, attempts = incidents.attempts + 1
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            kinds = poisoned.Select(p => p.Timer.SubjectKind).ToArray(),
            subjects = poisoned.Select(p => p.Timer.SubjectId).ToArray(),
            campaigns = poisoned.Select(p => p.Timer.CampaignId).ToArray(),
            timers = poisoned.Select(p => p.Timer.Id).ToArray(),
            steps = poisoned.Select(p => p.Timer.Step).ToArray(),
            errors = poisoned.Select(p => Describe(p.Error)).ToArray(),
            now,
        }, tx, cancellationToken: ct));
    }

    internal static Task ResolveTimerAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long timerId, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "update incidents set resolved_at = @now, resolution = 'fired' where timer_id = @timerId and resolved_at is null",
            new { timerId, now }, tx, cancellationToken: ct));

    /// <summary>Opens (or counts another attempt of) the incident of a background job that failed.</summary>
    public static async Task JobFailedAsync(NpgsqlDataSource db, string job, Exception error, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            insert into incidents(source, subject_kind, job, error, first_seen, last_seen)
            values ('job', 'job', @job, @error, @now, @now)
            on conflict (job) where resolved_at is null and job is not null
            do update set error = excluded.error, last_seen = excluded.last_seen, attempts = incidents.attempts + 1
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { job, error = Describe(error), now = now.ToUniversalTime() }, cancellationToken: ct));
    }

    /// <summary>A job that ran through closes its open incident (if any): one cheap indexed update per run.</summary>
    public static async Task JobSucceededAsync(NpgsqlDataSource db, string job, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update incidents set resolved_at = @now, resolution = 'succeeded' where job = @job and resolved_at is null",
            new { job, now = now.ToUniversalTime() }, cancellationToken: ct));
    }

    /// <summary>Opens (or counts another attempt of) the incident of an outbox row whose processing crashed.</summary>
    public static async Task OutboxCrashedAsync(NpgsqlDataSource db, long outboxId, Guid campaignId, Guid? itemId, Exception error, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            insert into incidents(source, subject_kind, subject_id, campaign_id, outbox_id, error, first_seen, last_seen)
            values ('outbox', 'outbox', @itemId, @campaignId, @outboxId, @error, @now, @now)
            on conflict (outbox_id) where resolved_at is null and outbox_id is not null
            do update set error = excluded.error, last_seen = excluded.last_seen, attempts = incidents.attempts + 1
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { outboxId, campaignId, itemId, error = Describe(error), now = now.ToUniversalTime() }, cancellationToken: ct));
    }
}
