using Dapper;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Persistence;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Tests.Definitions;

namespace Rectify.Workflows.Tests.Persistence;

/// <summary>
/// Migration 0101 replaced the per-row foreign keys of timers, journal and outbox by statement-level checks: a missing
/// reference is still refused (23503), deleting a campaign or item still cascades, a person with messages still cannot
/// be deleted, and a statement that references many rows at once is checked as a whole.
/// </summary>
public sealed class SetBasedReferencesTests : IAsyncLifetime
{
    private static readonly Guid Campaign = Guid.Parse("00000000-0000-0000-0000-0000000000c1");
    private TestDatabase db = null!;
    private NpgsqlDataSource source = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        DapperTypeHandlers.Register();
        source = db.CreateDataSource();
        var store = new DefinitionStore(source, EmbeddedSchema.Validator());
        (await store.PublishAsync(ShippedDefinitions.Json("rectification-campaign"), DateTimeOffset.UtcNow, default)).Errors.ShouldBeEmpty();
        var org = new OrgBuilder(source);
        await org.UnitAsync("lgo", "领导小组办公室", "leadingGroup");
        await org.UnitAsync("ua", "县测试局", "department");
        await org.PersonAsync(
            new PersonRow("张联络", "ua", IsContact: true) { Id = Guid.Parse("00000000-0000-0000-0000-0000000000a1"), Email = "ua@example.cn" });
        await using var c = await source.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into campaigns(id, title, issued_by_unit, workflow_id, workflow_version, state, launched_at)
            values (@Campaign, '演练', 'lgo', 'rectification-campaign', 1, 'active', now());
            insert into items(id, campaign_id, seq, title, lead_unit, units, state)
            select gen_random_uuid(), @Campaign, n, '问题 ' || n, 'ua', '{ua}', 'assigned' from generate_series(1, 50) n;
            """, new { Campaign });
    }

    public async Task DisposeAsync()
    {
        await source.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task ValidReferences_AreAcceptedInBulk()
    {
        await using var c = await source.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
            select now(), 'item', id, campaign_id, 1, 'reminder:T-7', now() from items;
            insert into journal(campaign_id, item_id, at, actor, type) select campaign_id, id, now(), 'system', 'test' from items;
            insert into outbox(idempotency_key, kind, campaign_id, recipient_person_id, channel, not_before, created_at)
            values ('campaign:c1:test:a1:inbox', 'phase', @Campaign, '00000000-0000-0000-0000-0000000000a1', 'inbox', now(), now());
            update outbox set status = 'sent';
            """, new { Campaign });
        (await c.ExecuteScalarAsync<long>("select count(*) from journal where type = 'test'")).ShouldBe(50);
    }

    [Theory]
    [InlineData("insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at) select now(), 'item', id, case when seq = 7 then gen_random_uuid() else campaign_id end, 1, 'x', now() from items")]
    [InlineData("insert into journal(campaign_id, item_id, at, actor, type) select campaign_id, case when seq = 7 then gen_random_uuid() else id end, now(), 'system', 'test' from items")]
    [InlineData("insert into journal(campaign_id, deliverable_id, at, actor, type) values ('00000000-0000-0000-0000-0000000000c1', gen_random_uuid(), now(), 'system', 'test')")]
    [InlineData("insert into outbox(idempotency_key, kind, recipient_person_id, channel, not_before, created_at) values ('k', 'phase', gen_random_uuid(), 'inbox', now(), now())")]
    public async Task AMissingReference_IsRefusedLikeAForeignKey(string sql)
    {
        await using var c = await source.OpenConnectionAsync();
        var ex = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync(sql));
        ex.SqlState.ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
    }

    [Theory]
    [InlineData("set local rectify.item_refs = 'checked';")]
    [InlineData("set local rectify.item_refs = 'held'; set local rectify.item_refs = 'checked';")]
    [InlineData("set local rectify.item_refs = '';")]
    public async Task AMissingItemReference_IsRefused_UnlessTheLaunchHoldsItsItems(string setting)
    {
        // The launch skips the item check for its one journal statement (migration 0998) and says 'checked' after it;
        // any other value, and the rest of its transaction, is checked.
        await using var c = await source.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync(setting, transaction: tx);
        var ex = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync(
            "insert into journal(campaign_id, item_id, at, actor, type) values (@Campaign, gen_random_uuid(), now(), 'system', 'test')",
            new { Campaign }, tx));
        ex.SqlState.ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
    }

    [Fact]
    public async Task ChangingAReferenceToAMissingRow_IsRefused()
    {
        await using var c = await source.OpenConnectionAsync();
        await c.ExecuteAsync("insert into outbox(idempotency_key, kind, recipient_person_id, channel, not_before, created_at) values ('k', 'phase', '00000000-0000-0000-0000-0000000000a1', 'inbox', now(), now())");
        var ex = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync("update outbox set recipient_person_id = gen_random_uuid()"));
        ex.SqlState.ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
    }

    [Fact]
    public async Task DeletingACampaignOrItem_CascadesToTimers_KeepsTheJournal_AndAPersonWithMessagesStays()
    {
        await using var c = await source.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
            select now(), 'item', id, campaign_id, 1, 'reminder:T-7', now() from items;
            insert into journal(campaign_id, item_id, at, actor, type) select campaign_id, id, now(), 'system', 'test' from items;
            insert into outbox(idempotency_key, kind, recipient_person_id, channel, not_before, created_at)
            values ('k', 'phase', '00000000-0000-0000-0000-0000000000a1', 'inbox', now(), now());
            """);
        await c.ExecuteAsync("delete from items where seq = 1");
        // The journal outlives what it records (append-only, 0502).
        (await c.ExecuteScalarAsync<long>("select count(*) from journal where item_id is not null")).ShouldBe(50);

        var ex = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync("delete from people where id = '00000000-0000-0000-0000-0000000000a1'"));
        ex.SqlState.ShouldBe(PostgresErrorCodes.ForeignKeyViolation);

        await c.ExecuteAsync("delete from campaigns where id = @Campaign", new { Campaign });
        (await c.ExecuteScalarAsync<long>("select count(*) from timers")).ShouldBe(0);
        (await c.ExecuteScalarAsync<long>("select count(*) from journal")).ShouldBe(50);
    }
}
