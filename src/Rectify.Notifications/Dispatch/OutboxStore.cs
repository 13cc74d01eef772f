using Dapper;
using Npgsql;

namespace Rectify.Notifications.Dispatch;

/// <summary>The dispatcher's SQL: claim due rows under a lease, read recipients, write outcomes back in one statement.</summary>
public sealed class OutboxStore(NpgsqlDataSource db)
{
    /// <summary>Errors are kept short in the log: the first line or so is what an operator needs.</summary>
    public const int MaxErrorLength = 1000;

    /// <summary>
    /// Claims up to <paramref name="limit"/> due rows. Claiming moves not_before to the end of the lease and stamps a
    /// token; if this node dies the rows become due again when the lease runs out. SKIP LOCKED lets nodes share work.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedRow>> ClaimAsync(int limit, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        const string sql = """
            with due as (
                select id from outbox
                where status in ('pending','failed') and not digest_hold and digested_in is null and not_before <= @now
                order by not_before
                limit @limit
                for update skip locked
            )
            update outbox o set not_before = @leaseUntil, claim_token = @token
            from due where o.id = due.id
            returning o.id, o.idempotency_key as IdempotencyKey, o.kind, o.level, o.campaign_id as CampaignId, o.item_id as ItemId,
                      o.deliverable_id as DeliverableId, o.escalation_id as EscalationId, o.recipient_person_id as RecipientPersonId,
                      o.channel, o.urgent, o.status, o.attempts, o.created_at as CreatedAt, o.payload::text as Payload, o.claim_token as ClaimToken
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(sql,
            new { now, limit, leaseUntil = now + lease, token = Guid.NewGuid() }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>When the next row falls due (null when nothing waits), to sleep exactly that long when idle.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        const string sql = """
            select min(not_before) from outbox
            where status in ('pending','failed') and not digest_hold and digested_in is null
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var next = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(sql, cancellationToken: ct));
        return next is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
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
                select * from unnest(@ids, @tokens, @statuses, @attempted, @holds, @ats, @notBefore, @errors, @subjects, @bodies, @durations)
                    as r(id, token, status, attempted, hold, at, not_before, error, subject, body, duration_ms)
            ), u as (
                update outbox o set
                    status = r.status,
                    attempts = o.attempts + case when r.attempted then 1 else 0 end,
                    not_before = r.not_before,
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
        }, cancellationToken: ct));
    }

    /// <summary>On a clean stop: rows claimed but not started go back at once instead of waiting for the lease.</summary>
    public async Task ReleaseAsync(IReadOnlyList<ClaimedRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        const string sql = """
            update outbox o set not_before = @now, claim_token = null
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
