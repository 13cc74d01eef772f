using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// The dispatcher's SQL: claim due rows under a lease, read recipients, write outcomes back in one statement. Two
/// clocks meet here (migration 0620): <c>not_before</c> is campaign time (the controllable clock: quiet hours,
/// digests, a deferred send), <c>lease_until</c> is real time (a claim in flight, a retry's back-off), so moving the
/// campaign clock never ends a lease or a back-off early.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider? wall = null)
{
    private readonly TimeProvider realTime = wall ?? TimeProvider.System;

    /// <summary>Errors are kept short in the log: the first line or so is what an operator needs.</summary>
    public const int MaxErrorLength = 1000;

    /// <summary>
    /// Claims up to <paramref name="limit"/> due rows (<paramref name="now"/> is campaign time). Claiming sets
    /// lease_until to the end of the lease in real time and stamps a token; if this node dies the rows become due again
    /// when the lease runs out. SKIP LOCKED lets nodes share work.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedRow>> ClaimAsync(int limit, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        const string sql = """
            with due as (
                select id from outbox
                where status in ('pending','failed') and not digest_hold and digested_in is null and not_before <= @now
                  and (lease_until is null or lease_until <= @wall)
                order by not_before
                limit @limit
                for update skip locked
            )
            update outbox o set lease_until = @leaseUntil, claim_token = @token
            from due where o.id = due.id
            returning o.id, o.idempotency_key as IdempotencyKey, o.kind, o.level, o.campaign_id as CampaignId, o.item_id as ItemId,
                      o.deliverable_id as DeliverableId, o.escalation_id as EscalationId, o.recipient_person_id as RecipientPersonId,
                      o.channel, o.urgent, o.status, o.attempts, o.created_at as CreatedAt, o.payload::text as Payload, o.claim_token as ClaimToken
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(sql,
            new { now, limit, wall = realTime.GetUtcNow(), leaseUntil = realTime.GetUtcNow() + lease, token = Guid.NewGuid() }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// When the next row falls due in campaign time (null when nothing waits), to sleep exactly that long when idle: a
    /// row still held in real time counts as due when its hold ends, carried over to campaign time. Read from
    /// outbox_claimable in due order: the first row not held gives an answer (its due time, or now), and only rows held
    /// and due before it can come earlier; those are the rows being sent, a handful. One minimum over every waiting row
    /// read all of them on each idle wake (119,000 rows due later on the million-item copy: 60–160 ms every 5 s).
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        const string waiting = "status in ('pending','failed') and not digest_hold and digested_in is null";
        const string sql = $"""
            with free as (
                select greatest(not_before, @now) as due from outbox
                where {waiting} and (lease_until is null or lease_until <= @wall)
                order by not_before limit 1)
            select case when (select due from free) <= @now then (select due from free)
                        else least((select due from free), (
                            select min(greatest(not_before, @now + (lease_until - @wall))) from outbox
                            where {waiting} and lease_until > @wall
                              and not_before < coalesce((select due from free), 'infinity'::timestamptz)))
                   end
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(sql, new { now, wall = realTime.GetUtcNow() }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<Guid, Recipient>> RecipientsAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        const string sql = """
            select p.id, p.name, p.title, p.unit_code as UnitCode, u.name as UnitName, p.email, p.mobile,
                   p.wecom_webhook as WecomWebhook, p.dingtalk_webhook as DingtalkWebhook, p.dingtalk_secret as DingtalkSecret,
                   p.feishu_webhook as FeishuWebhook, p.feishu_secret as FeishuSecret, p.webhook_url as WebhookUrl,
                   p.webhook_secret as WebhookSecret, coalesce(np.digest, false) as Digest, coalesce(np.language, 'zh') as Language,
                   to_char(np.quiet_start, 'HH24:MI') as QuietStart, to_char(np.quiet_end, 'HH24:MI') as QuietEnd
            from people p
            join units u on u.code = p.unit_code
            left join notification_preferences np on np.person_id = p.id
            where p.id = any(@ids)
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Recipient>(new CommandDefinition(sql, new { ids = ids.Distinct().ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id);
    }

    /// <summary>
    /// Writes a batch of outcomes: the row's new status, attempt count, next time and rendered text, and one
    /// outbox_attempts row per real attempt, in one transaction. A row whose lease was lost (token changed) is left
    /// alone, so the log has each attempt once. Rows folded into a digest follow the digest's fate.
    /// </summary>
    public async Task<int> CompleteAsync(IReadOnlyList<Outcome> outcomes, CancellationToken ct)
    {
        if (outcomes.Count == 0) return 0;
        const string sql = """
            with r as (
                select * from unnest(@ids, @tokens, @statuses, @attempted, @holds, @ats, @notBefore, @errors, @subjects, @bodies, @durations, @backOff)
                    as r(id, token, status, attempted, hold, at, not_before, error, subject, body, duration_ms, back_off)
            ), u as (
                update outbox o set
                    status = r.status,
                    attempts = o.attempts + case when r.attempted then 1 else 0 end,
                    not_before = r.not_before,
                    lease_until = case when r.back_off > 0 then @wall + make_interval(secs => r.back_off) end,
                    sent_at = case when r.status = 'sent' then r.at else o.sent_at end,
                    last_error = case when r.attempted then r.error else coalesce(r.error, o.last_error) end,
                    subject = coalesce(r.subject, o.subject),
                    body = coalesce(r.body, o.body),
                    digest_hold = r.hold,
                    claim_token = null
                from r
                where o.id = r.id and o.claim_token = r.token
                returning o.id, o.status, r.attempted, r.at, r.error, r.duration_ms
            ), folded as (
                update outbox f set status = u.status, sent_at = case when u.status = 'sent' then u.at else f.sent_at end
                from u
                where f.digested_in = u.id and u.status in ('sent','dead') and f.status = 'pending'
                returning f.id
            )
            insert into outbox_attempts(outbox_id, at, outcome, error, duration_ms)
            select id, at, status, error, duration_ms from u where attempted
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            ids = outcomes.Select(o => o.Id).ToArray(),
            tokens = outcomes.Select(o => o.Token).ToArray(),
            statuses = outcomes.Select(o => o.NewStatus).ToArray(),
            attempted = outcomes.Select(o => o.Attempted).ToArray(),
            holds = outcomes.Select(o => o.Kind == OutcomeKind.Held).ToArray(),
            ats = outcomes.Select(o => o.At).ToArray(),
            notBefore = outcomes.Select(o => o.NotBefore).ToArray(),
            errors = outcomes.Select(o => Truncate(o.Error)).ToArray(),
            subjects = outcomes.Select(o => o.Subject).ToArray(),
            bodies = outcomes.Select(o => o.Body).ToArray(),
            durations = outcomes.Select(o => o.DurationMs).ToArray(),
            backOff = outcomes.Select(o => o.BackOff?.TotalSeconds ?? 0).ToArray(),
            wall = realTime.GetUtcNow(),
        }, cancellationToken: ct));
    }

    /// <summary>On a clean stop: rows claimed but not started go back at once instead of waiting for the lease.</summary>
    public async Task ReleaseAsync(IReadOnlyList<ClaimedRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        const string sql = """
            update outbox o set not_before = least(o.not_before, @now), lease_until = null, claim_token = null
            from unnest(@ids, @tokens) as r(id, token)
            where o.id = r.id and o.claim_token = r.token
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { now, ids = rows.Select(r => r.Id).ToArray(), tokens = rows.Select(r => r.ClaimToken).ToArray() }, cancellationToken: ct));
    }

    public static string? Truncate(string? error) =>
        error is null || error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
}
