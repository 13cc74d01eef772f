using Dapper;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Schedule;

/// <summary>Quiet hours, non-working days and daily digests, driven by the controllable clock.</summary>
public sealed class QuietHoursAndDigestTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private async Task<(SmtpSink Smtp, NotifyHost Host)> StartAsync(DateTimeOffset at)
    {
        var smtp = await SmtpSink.CreateAsync();
        var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>
        {
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, at);
        return (smtp, host);
    }

    [Fact]
    public async Task Evening_OrdinaryMessageHeldUntil0800_UrgentAndAdmonitoryTalkGoAtOnce()
    {
        var monday22 = new DateTimeOffset(2026, 11, 23, 22, 0, 0, China);
        var (smtp, host) = await StartAsync(monday22);
        await using var _ = smtp;
        await using var __ = host;
        var w = await f.Seed.WorldAsync("night");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now,
            Seed.Request("night:reminder", "reminder", null, w, w.LeaderId, now),
            Seed.Request("night:urgent", "escalation", "urge", w, w.LeaderId, now, urgent: true),
            Seed.Request("night:talk", "escalation", "admonitoryTalk", w, w.LeaderId, now));

        await f.Seed.WaitForAsync("night:urgent", r => r.Status == "sent", expected: 1);
        await f.Seed.WaitForAsync("night:talk", r => r.Status == "sent", expected: 1);
        var held = (await f.Seed.WaitForAsync("night:reminder", r => r.LastError != null, expected: 1)).Single();
        held.Status.ShouldBe("pending");
        held.Attempts.ShouldBe(0);
        held.LastError!.ShouldContain("quiet hours");
        // Tuesday 08:00 local.
        held.NotBefore.ShouldBe(new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc));
        (await smtp.WaitForAsync(2)).Count.ShouldBe(2);

        await host.Clock.SetAsync(new DateTimeOffset(2026, 11, 24, 8, 0, 1, China), CancellationToken.None);
        await f.Seed.WaitForAsync("night:reminder", r => r.Status == "sent", expected: 1);
        var subjects = (await smtp.WaitForAsync(3)).Select(m => m.Subject).ToList();
        subjects.Count.ShouldBe(3);
        subjects.ShouldContain(s => s.StartsWith("【提醒】", StringComparison.Ordinal));
        subjects.ShouldContain(s => s.StartsWith("【催办】", StringComparison.Ordinal));
        subjects.ShouldContain(s => s.StartsWith("【约谈通知】", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SaturdayAndHoliday_HeldUntilNextWorkingDay_AdjustedSundayIsWorking()
    {
        // The runtime's calendar table (migration 01xx on its branch): a holiday Monday and a working Sunday (调休).
        await using (var c = await f.Db.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                create table if not exists calendar_days ("date" date primary key, kind text not null, name text);
                insert into calendar_days values ('2026-12-07', 'holiday', '测试假日'), ('2026-12-13', 'workday', '调休上班')
                on conflict do nothing;
                """);
        }
        var saturday = new DateTimeOffset(2026, 12, 5, 10, 0, 0, China);
        var (smtp, host) = await StartAsync(saturday);
        await using var _ = smtp;
        await using var __ = host;
        var w = await f.Seed.WorldAsync("weekend");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Seed.Request("weekend:reminder", "reminder", null, w, w.LeaderId, now));
        var held = (await f.Seed.WaitForAsync("weekend:reminder", r => r.LastError != null, expected: 1)).Single();
        // Monday 7 December is a holiday: Tuesday 8 December 08:00 local.
        held.NotBefore.ShouldBe(new DateTime(2026, 12, 8, 0, 0, 0, DateTimeKind.Utc));

        var sunday = new DateTimeOffset(2026, 12, 13, 9, 0, 0, China);
        await host.Clock.SetAsync(sunday, CancellationToken.None);
        await f.Seed.EnqueueAsync(sunday, Seed.Request("weekend:sunday", "reminder", null, w, w.LeaderId, sunday));
        await f.Seed.WaitForAsync("weekend:sunday", r => r.Status == "sent", expected: 1);
    }

    [Fact]
    public async Task DigestReader_GetsOneMessageAt0830_ListingFoldedMessagesAndDueItems()
    {
        // 07:00 Monday: before the digest time, so the node builds nothing yet; overnight rows wait for 08:00.
        var mondayEarly = new DateTimeOffset(2026, 11, 23, 7, 0, 0, China);
        var (smtp, host) = await StartAsync(mondayEarly);
        await using var _ = smtp;
        await using var __ = host;
        var w = await f.Seed.WorldAsync("digest", deadline: new DateOnly(2026, 11, 27));
        var second = await f.Seed.ItemAsync(w.CampaignId, "7", "易地扶贫搬迁后续产业覆盖不足", w.LeadUnit, w.LeaderId, new DateOnly(2026, 11, 20),
            escalationLevel: "listedSupervision");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"], digest: true);
        var now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now,
            Seed.Request("digest:reminder", "reminder", null, w, w.LeaderId, now),
            Seed.Request("digest:urge", "escalation", "urge", w, w.LeaderId, now, Seed.Typed("escalation", "urge", w, second, new DateOnly(2026, 11, 20))),
            Seed.Request("digest:urgent", "escalation", "listedSupervision", w, w.LeaderId, now,
                Seed.Typed("escalation", "listedSupervision", w, second, new DateOnly(2026, 11, 20)), urgent: true));

        await f.Seed.WaitForAsync("digest:urgent", r => r.Status == "sent", expected: 1);
        await f.Seed.WaitForAsync("digest:r", r => r.LastError != null, expected: 1);
        // 08:05: office hours; the rows are rendered and held for the digest instead of going out one by one.
        await host.Clock.SetAsync(new DateTimeOffset(2026, 11, 23, 8, 5, 0, China), CancellationToken.None);
        var held = await f.Seed.WaitForAsync("digest:r", r => r.DigestHold, expected: 1);
        await f.Seed.WaitForAsync("digest:urge:", r => r.DigestHold, expected: 1);
        held.ShouldAllBe(r => r.Status == "pending" && r.Subject != null);
        (await smtp.WaitForAsync(1)).Count.ShouldBe(1);

        // 08:30 local: the digest is built and sent; the held rows go with it.
        await host.Clock.SetAsync(new DateTimeOffset(2026, 11, 23, 8, 30, 0, China), CancellationToken.None);
        var digestKey = $"person:{w.LeaderId}:digest:2026-11-23";
        var digest = (await f.Seed.WaitForAsync(digestKey, r => r.Status == "sent", expected: 1)).Single();
        var folded = await f.Seed.WaitForAsync("digest:", r => r.Status == "sent", expected: 3);
        folded.Where(r => r.IdempotencyKey.StartsWith("digest:r", StringComparison.Ordinal) || r.IdempotencyKey.StartsWith("digest:urge:", StringComparison.Ordinal))
            .ShouldAllBe(r => r.DigestedIn == digest.Id);

        var mails = await smtp.WaitForAsync(2);
        mails.Count.ShouldBe(2);
        var mail = mails.Single(m => m.Subject.StartsWith("【每日汇总】", StringComparison.Ordinal));
        mail.Subject.ShouldStartWith("【每日汇总】2026年11月23日整改事项提醒");
        mail.Text!.ShouldContain("今日通知：");
        mail.Text!.ShouldContain("【提醒】第3项“部分贫困户“两不愁三保障”底数不清”将于11月27日到期");
        mail.Text!.ShouldContain("【催办】第7项“易地扶贫搬迁后续产业覆盖不足”已逾期3天");
        mail.Text!.ShouldContain("督办事项：");
        mail.Text!.ShouldContain("第7项“易地扶贫搬迁后续产业覆盖不足”（龙川县脱贫攻坚考核反馈问题整改工作）：挂牌督办中");
        mail.Text!.ShouldContain("临近到期：");
        mail.Text!.ShouldContain("2026年11月27日到期");

        // A second tick on the same day builds nothing new.
        await host.Clock.SetAsync(new DateTimeOffset(2026, 11, 23, 9, 0, 0, China), CancellationToken.None);
        await using var c = await f.Db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'digest' and recipient_person_id = @p", new { p = w.LeaderId })).ShouldBe(1);
    }
}
