using Dapper;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Tests.Support;

/// <summary>Realistic rows for tests, written with SQL (the organisation through <see cref="OrgBuilder"/>, a campaign with
/// its items, escalations) and outbox rows enqueued through the runtime's port, exactly as the runtime does.</summary>
public sealed class Seed(NpgsqlDataSource db)
{
    /// <summary>Units and people, written as rows.</summary>
    public OrgBuilder Org { get; } = new(db);

    public const string CampaignTitle = "龙川县脱贫攻坚考核反馈问题整改工作";
    public const string DocumentNumber = "龙整改〔2026〕3号";

    public sealed record World(
        Guid CampaignId, Guid ItemId, Guid LeaderId, Guid ContactId, string LeadUnit, string LeadUnitName, string Office, string OfficeName, DateOnly Deadline);

    /// <summary>A county campaign with one overdue-able item: 县扶贫办 leads it, 王建国 is its responsible leader.</summary>
    public async Task<World> WorldAsync(string suffix = "", DateOnly? deadline = null, string? leaderEmail = null)
    {
        var lg = $"lgo{suffix}"; var office = $"dcs{suffix}"; var unit = $"fpb{suffix}";
        await Org.UnitAsync(lg, "龙川县脱贫攻坚领导小组办公室", "leadingGroup");
        await Org.UnitAsync(office, "县委督查室", "supervisionOffice");
        await Org.UnitAsync(unit, "县扶贫办", "department");
        var leader = await Org.PersonAsync(
            new PersonRow("王建国", unit, IsContact: false) { Email = leaderEmail ?? $"wangjianguo{suffix}@fpb.example.cn", Title = "副县长" });
        var contact = await Org.PersonAsync(new PersonRow("李娜", unit, IsContact: true) { Email = $"lina{suffix}@fpb.example.cn" });
        var campaign = await CampaignAsync(CampaignTitle, DocumentNumber, lg, office);
        var item = await ItemAsync(campaign, "3", "部分贫困户“两不愁三保障”底数不清", unit, leader, deadline ?? new DateOnly(2026, 12, 4),
            description: "入户核查发现部分贫困户住房、饮水安全情况底数不清，台账与实际不符。",
            measures: "组织乡镇逐户核查，建立问题台账，11月底前完成整改并销号。");
        return new World(campaign, item, leader, contact, unit, "县扶贫办", office, "县委督查室", deadline ?? new DateOnly(2026, 12, 4));
    }

    public async Task PreferencesAsync(Guid person, string[] channels, bool digest = false, string language = "zh")
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into notification_preferences(person_id, channels, digest, language) values (@person, @channels, @digest, @language)
            on conflict (person_id) do update set channels = excluded.channels, digest = excluded.digest, language = excluded.language
            """, new { person, channels, digest, language });
    }

    public async Task<Guid> CampaignAsync(string title, string? documentNumber, string issuedBy, string? supervision)
    {
        var id = Guid.CreateVersion7();
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into workflow_definitions(id, version, name, definition) values ('test-workflow', 1, '测试流程', '{}')
            on conflict do nothing;
            insert into campaigns(id, title, document_number, issued_by_unit, supervision_unit, workflow_id, workflow_version, state, phases)
            values (@id, @title, @documentNumber, @issuedBy, @supervision, 'test-workflow', 1, 'active',
                    '[{"key":"rectify","start":"2026-11-02","end":"2026-12-04"}]');
            """, new { id, title, documentNumber, issuedBy, supervision });
        return id;
    }

    public async Task<Guid> ItemAsync(
        Guid campaign, string number, string title, string leadUnit, Guid? leader, DateOnly? deadline, string state = "inProgress",
        string? description = null, string? measures = null, string escalationLevel = "none")
    {
        var id = Guid.CreateVersion7();
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into items(id, campaign_id, seq, number, title, description, measures, responsible_leader_id, lead_unit, units,
                              deadline, effective_deadline, state, escalation_level, assigned_at)
            values (@id, @campaign, (select coalesce(max(seq), 0) + 1 from items where campaign_id = @campaign), @number, @title,
                    @description, @measures, @leader, @leadUnit, array[@leadUnit], @deadline, @deadline, @state, @escalationLevel, now())
            """, new { id, campaign, number, title, description, measures, leader, leadUnit, deadline, state, escalationLevel });
        return id;
    }

    public async Task<Guid> EscalationAsync(Guid campaign, Guid item, string level, string office, DateTimeOffset openedAt)
    {
        var id = Guid.CreateVersion7();
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at) values (@id, @campaign, @item, @level, @office, @openedAt);
            update items set escalation_level = @level where id = @item;
            """, new { id, campaign, item, level, office, openedAt = openedAt.ToUniversalTime() });
        return id;
    }

    /// <summary>
    /// Retires the rows earlier tests of the class left open (a failed attempt waits for its retry): a later test's host
    /// would otherwise send them to its own server, which then holds two messages. Call before starting a host.
    /// </summary>
    public async Task RetireOpenRowsAsync()
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("update outbox set status = 'dead', last_error = 'retired by the test setup' where status in ('pending', 'failed')");
    }

    /// <summary>Enqueues through the runtime's port (INotificationOutbox), in one transaction.</summary>
    public async Task<int> EnqueueAsync(DateTimeOffset now, params NotificationRequest[] requests)
    {
        await using var c = await db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        var n = await new SqlNotificationOutbox().EnqueueAsync(c, tx, requests, now.ToUniversalTime(), CancellationToken.None);
        await tx.CommitAsync();
        return n;
    }

    /// <summary>An outbox row in the shape rows had before the typed contract (issue 14): kind, level, ids and a dictionary payload.</summary>
    public async Task EnqueueLegacyAsync(string subjectKey, string kind, string? level, World w, Guid recipient, DateTimeOffset now, string payload)
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into outbox(idempotency_key, kind, level, campaign_id, item_id, recipient_person_id, channel, urgent, not_before, created_at, payload)
            select @subjectKey || ':' || nr.person_id || ':' || nr.channel, @kind, @level, @campaign, @item, nr.person_id, nr.channel, false, @now, @now, @payload::jsonb
            from notification_routes nr where nr.person_id = @recipient
            """, new { subjectKey, kind, level, campaign = w.CampaignId, item = w.ItemId, recipient, now = now.ToUniversalTime(), payload });
    }

    /// <summary>A request with a typed message: <paramref name="message"/>, or the plain one of its kind about the world's item.</summary>
    public static NotificationRequest Request(
        string subjectKey, string kind, string? level, World w, Guid recipient, DateTimeOffset notBefore, OutboxMessage? message = null,
        bool urgent = false, Guid? escalation = null, Guid? item = null) =>
        new(subjectKey, message ?? Typed(kind, level, w, item ?? w.ItemId), recipient, notBefore.ToUniversalTime(), urgent, escalation);

    /// <summary>The message of a kind about an item of the world, as the runtime writes it (with the world item's deadline unless told).</summary>
    public static OutboxMessage Typed(string kind, string? level, World w, Guid? item = null, DateOnly? deadline = null)
    {
        var subject = new ItemRef(w.CampaignId, item ?? w.ItemId);
        var due = deadline ?? w.Deadline;
        return kind switch
        {
            MessageKinds.Assigned => new AssignedMessage(subject, due, false, "lead"),
            MessageKinds.Reminder => new ReminderMessage(subject, due, 7),
            MessageKinds.Escalation => new EscalationMessage(subject, level ?? "urge", w.Office, due),
            MessageKinds.PeriodicReport => new PeriodicReportMessage(new PeriodicReportRef(w.CampaignId, item ?? w.ItemId, due), due),
            MessageKinds.Decision => new DecisionMessage(subject, level ?? "approveClosure", "同意销号", "Approve closure", "closureRequested", "closed", null, null, due, "office"),
            MessageKinds.Phase => new PhaseMessage(new CampaignRef(w.CampaignId), "rectify", "集中整改", "Rectify", new DateOnly(2026, 11, 2), due, "start"),
            _ => new NoticeMessage(subject, null),
        };
    }

    public sealed record OutboxView(long Id, string IdempotencyKey, string Status, int Attempts, DateTime NotBefore, string? Subject, string? LastError, bool DigestHold, long? DigestedIn, string Channel);

    public async Task<IReadOnlyList<OutboxView>> OutboxAsync(string? keyPrefix = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.QueryAsync<OutboxView>("""
            select id, idempotency_key as IdempotencyKey, status, attempts, not_before as NotBefore, subject, last_error as LastError,
                   digest_hold as DigestHold, digested_in as DigestedIn, channel
            from outbox where @keyPrefix::text is null or idempotency_key like @keyPrefix || '%' order by id
            """, new { keyPrefix })).AsList();
    }

    public sealed record AttemptView(long OutboxId, string Outcome, string? Error);

    public async Task<IReadOnlyList<AttemptView>> AttemptsAsync(long outboxId)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.QueryAsync<AttemptView>("select outbox_id as OutboxId, outcome, error from outbox_attempts where outbox_id = @outboxId order by id",
            new { outboxId })).AsList();
    }

    /// <summary>Waits until every outbox row matching the prefix satisfies the condition (or fails after the timeout).</summary>
    public async Task<IReadOnlyList<T>> RowsAsync<T>(string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<IReadOnlyList<OutboxView>> WaitForAsync(string keyPrefix, Func<OutboxView, bool> condition, TimeSpan? timeout = null, int? expected = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var rows = await OutboxAsync(keyPrefix);
            if (rows.Count > 0 && (expected is null || rows.Count == expected) && rows.All(condition)) return rows;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("outbox rows did not reach the expected state: " +
                    string.Join("; ", rows.Select(r => $"{r.IdempotencyKey} {r.Status} attempts={r.Attempts} hold={r.DigestHold} err={r.LastError}")));
            await Task.Delay(50);
        }
    }
}
