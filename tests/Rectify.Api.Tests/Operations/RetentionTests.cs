using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Operations;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Operations;

/// <summary>Small batches, so the tests cross batch boundaries the way a first run on a big table does.</summary>
public sealed class RetentionApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Retention:BatchSize"] = "3",
    };
}

/// <summary>
/// Retention keeps the hot tables small and removes nothing anyone still needs: delivered notifications past the
/// period go (with their attempts), pending, failed and dead ones stay, a person's inbox stays, and so do the journals.
/// </summary>
public sealed class RetentionTests(RetentionApp app) : IClassFixture<RetentionApp>
{
    [Fact]
    public async Task RunOnce_RemovesOnlyWhatIsPastItsPeriod_AndKeepsInboxAndUndelivered()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("rt-fpb", "保留测试扶贫办");
        var person = await org.PersonAsync("保留测试联络员", "rt-fpb", "rt@fpb.example.cn");
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var wall = app.Services.GetRequiredKeyedService<TimeProvider>("wall").GetUtcNow();
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();

        async Task<long> Outbox(string key, string status, string channel, DateTimeOffset? sentAt, DateTimeOffset created) =>
            await c.ExecuteScalarAsync<long>("""
                insert into outbox(idempotency_key, kind, recipient_person_id, channel, status, not_before, created_at, sent_at, subject, body)
                values (@key, 'reminder', @person, @channel, @status, @created, @created, @sentAt, '提醒', '正文')
                returning id
                """, new { key, person, channel, status, created, sentAt });
        var old = now.AddDays(-181);
        var oldSent = new List<long>();
        for (var n = 0; n < 7; n++) oldSent.Add(await Outbox($"rt:old:{n}", "sent", "email", old, old));
        var oldInbox = await Outbox("rt:old:inbox", "sent", "inbox", old, old);
        var recentSent = await Outbox("rt:recent", "sent", "email", now.AddDays(-179), now.AddDays(-179));
        var oldPending = await Outbox("rt:old:pending", "pending", "email", null, old);
        var oldFailed = await Outbox("rt:old:failed", "failed", "email", null, old);
        var oldDead = await Outbox("rt:old:dead", "dead", "email", null, old);
        await c.ExecuteAsync("insert into outbox_attempts(outbox_id, at, outcome) select unnest(@ids), @old, 'sent'",
            new { ids = oldSent.Append(recentSent).Append(oldDead).ToArray(), old });
        await c.ExecuteAsync("""
            insert into inbox_messages(outbox_id, person_id, kind, subject, body, created_at)
            values (@oldInbox, @person, 'reminder', '半年前的提醒', '正文', @old)
            """, new { oldInbox, person, old });

        var admins = await c.ExecuteScalarAsync<Guid>("select id from users where user_name = 'admin'");
        for (var n = 0; n < 4; n++)
            await c.ExecuteAsync("insert into idempotency_keys(user_id, key, method, path, created_at) values (@admins, @key, 'POST', '/api/x', @at)",
                new { admins, key = $"rt-old-{n}", at = wall.AddDays(-8) });
        await c.ExecuteAsync("insert into idempotency_keys(user_id, key, method, path, created_at) values (@admins, 'rt-new', 'POST', '/api/x', @at)",
            new { admins, at = wall.AddDays(-6) });
        async Task Token(byte marker, DateTimeOffset expires, DateTimeOffset? revoked) =>
            await c.ExecuteAsync("insert into auth_tokens(token_hash, user_id, created_at, expires_at, revoked_at) values (@hash, @admins, @created, @expires, @revoked)",
                new { hash = new byte[] { 0x52, 0x54, marker }, admins, created = wall.AddDays(-60), expires, revoked });
        await Token(1, wall.AddDays(-31), null);         // expired a month ago: goes
        await Token(2, wall.AddDays(1), wall.AddDays(-31)); // revoked a month ago: goes
        await Token(3, wall.AddDays(-29), null);         // expired recently: kept for the audit trail
        await Token(4, wall.AddDays(1), null);           // live: kept

        var result = await app.Services.GetRequiredService<Retention>().RunOnceAsync(CancellationToken.None);

        result.Notifications.ShouldBe(8);
        result.IdempotencyKeys.ShouldBe(4);
        result.Tokens.ShouldBe(2);
        var left = (await c.QueryAsync<string>("select idempotency_key from outbox where idempotency_key like 'rt:%' order by 1")).ToList();
        left.ShouldBe(["rt:old:dead", "rt:old:failed", "rt:old:pending", "rt:recent"]);
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox_attempts where outbox_id = any(@ids)", new { ids = oldSent.ToArray() })).ShouldBe(0);
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox_attempts where outbox_id = any(@ids)", new { ids = new[] { recentSent, oldDead } })).ShouldBe(2);
        (await c.QueryAsync<string>("select subject from inbox_messages where person_id = @person", new { person })).ShouldBe(["半年前的提醒"]);
        (await c.QueryAsync<string>("select key from idempotency_keys where key like 'rt-%'")).ShouldBe(["rt-new"]);
        (await c.QueryAsync<int>("select get_byte(token_hash, 2) from auth_tokens where get_byte(token_hash, 0) = 82 and get_byte(token_hash, 1) = 84 order by 1"))
            .ShouldBe([3, 4]);

        // A person's inbox, read through the API, still shows the message whose delivery row is gone.
        var unitUser = "rt-unit";
        await org.UserAsync(unitUser, "unit", "rt-fpb", personId: person);
        var inbox = await (await app.ClientAsAsync(unitUser, "Passw0rd!x")).GetStringAsync("/api/inbox");
        inbox.ShouldContain("半年前的提醒");

        // A second run finds nothing more to do.
        (await app.Services.GetRequiredService<Retention>().RunOnceAsync(CancellationToken.None)).ShouldBe(new RetentionResult(0, 0, 0));
    }
}
