using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Notifications.Content;
using Rectify.Notifications.Letters;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>
/// Letters of one office asked for all at once (every message of a supervision-letter storm asks for its letter):
/// numbers run 1…n without a gap or a repeat, each escalation keeps one number and one document, however many callers.
/// </summary>
public sealed class LetterNumberingTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task ConcurrentCallers_OneNumberPerEscalation_NoGapNoRepeat_EveryLetterStored()
    {
        const int letters = 24;
        var w = await f.Seed.WorldAsync("seq", deadline: new DateOnly(2026, 11, 13));
        var escalations = new List<Guid>();
        for (var n = 0; n < letters; n++)
        {
            var item = await f.Seed.ItemAsync(w.CampaignId, $"{n + 10}", $"第{n + 10}个问题", w.LeadUnit, w.LeaderId, new DateOnly(2026, 11, 13));
            escalations.Add(await f.Seed.EscalationAsync(w.CampaignId, item, "supervisionLetter", w.Office, NotifyHost.MondayMorning));
        }
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>(), NotifyHost.MondayMorning);
        var service = host.Services.GetRequiredService<SupervisionLetters>();

        // Three callers per escalation, all at once.
        var results = await Task.WhenAll(escalations.SelectMany(e => Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => service.EnsureAsync(e, null, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None)))));

        results.ShouldAllBe(r => r != null && r.Content != null && r.Content.Length > 0);
        var byEscalation = results.GroupBy(r => r!.EscalationId).ToList();
        byEscalation.Count.ShouldBe(letters);
        byEscalation.ShouldAllBe(g => g.Select(r => r!.Number).Distinct().Count() == 1);
        var numbers = byEscalation.Select(g => g.First()!.Number).ToList();
        numbers.Order().ShouldBe(Enumerable.Range(1, letters).Select(n => $"{w.OfficeName}〔2026〕{n}号").Order());
        await using var c = await f.Db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<long>("select count(*) from supervision_letters where escalation_id = any(@escalations) and content is not null",
            new { escalations = escalations.ToArray() })).ShouldBe(letters);
        (await c.ExecuteScalarAsync<int>("select last_seq from letter_sequences where office_unit = @office and year = 2026", new { office = w.Office })).ShouldBe(letters);
    }

    [Fact]
    public async Task FirstLetterOfAStorm_NumbersTheOfficesWaitingEscalationsInOneBatch_InTheOrderTheyOpened()
    {
        var w = await f.Seed.WorldAsync("batch", deadline: new DateOnly(2026, 11, 13));
        var other = await f.Seed.WorldAsync("batchx", deadline: new DateOnly(2026, 11, 13));
        var friday = new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.FromHours(8));
        async Task<Guid> Open(Seed.World world, int n, DateTimeOffset at)
        {
            var item = await f.Seed.ItemAsync(world.CampaignId, $"{n}", $"第{n}个问题", world.LeadUnit, world.LeaderId, new DateOnly(2026, 11, 13));
            return await f.Seed.EscalationAsync(world.CampaignId, item, "supervisionLetter", world.Office, at);
        }
        // Opened out of order on purpose: numbers must follow opened_at, not the order of the rows.
        var monday = new List<Guid>();
        for (var n = 0; n < 3; n++) monday.Add(await Open(w, 20 + n, NotifyHost.MondayMorning.AddMinutes(n)));
        var fridays = new List<Guid>();
        for (var n = 0; n < 3; n++) fridays.Add(await Open(w, 30 + n, friday.AddMinutes(n)));
        var resolved = await Open(w, 40, friday.AddDays(-1));
        var elsewhere = await Open(other, 50, friday);
        await using (var c = await f.Db.OpenConnectionAsync())
            await c.ExecuteAsync("update escalations set resolved_at = @at where id = @resolved", new { at = friday.ToUniversalTime(), resolved });
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>(), NotifyHost.MondayMorning);
        var service = host.Services.GetRequiredService<SupervisionLetters>();

        var first = await service.EnsureAsync(monday[2], null, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None);

        first!.Number.ShouldBe($"{w.OfficeName}〔2026〕6号");
        await using var db = await f.Db.OpenConnectionAsync();
        var rows = (await db.QueryAsync<(Guid Id, string Number, DateTime Due, bool HasContent)>("""
            select escalation_id, letter_number, response_due::timestamp, content is not null from supervision_letters
            where escalation_id = any(@ids)
            """, new { ids = fridays.Concat(monday).Append(resolved).Append(elsewhere).ToArray() })).ToDictionary(r => r.Id);
        rows.Count.ShouldBe(6, "the six open escalations of the office, not the resolved one, not another office's");
        var expected = fridays.Concat(monday).ToList();
        for (var n = 0; n < expected.Count; n++)
        {
            rows[expected[n]].Number.ShouldBe($"{w.OfficeName}〔2026〕{n + 1}号");
            // Five working days after the letter date: Friday 20 → Friday 27, Monday 23 → Monday 30.
            DateOnly.FromDateTime(rows[expected[n]].Due).ShouldBe(n < 3 ? new DateOnly(2026, 11, 27) : new DateOnly(2026, 11, 30));
            rows[expected[n]].HasContent.ShouldBe(expected[n] == monday[2], "documents are built when asked for, not in the batch");
        }
        (await db.ExecuteScalarAsync<string?>("select letter_number from escalations where id = @id", new { id = fridays[0] })).ShouldBe($"{w.OfficeName}〔2026〕1号");

        // Later callers find their number waiting; a resolved escalation asked for explicitly gets the next one.
        (await service.EnsureAsync(fridays[0], null, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None))!.Number
            .ShouldBe($"{w.OfficeName}〔2026〕1号");
        (await service.EnsureAsync(resolved, null, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None))!.Number
            .ShouldBe($"{w.OfficeName}〔2026〕7号");
        (await service.EnsureAsync(elsewhere, null, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None))!.Number
            .ShouldBe($"{other.OfficeName}〔2026〕1号");
        (await db.ExecuteScalarAsync<int>("select last_seq from letter_sequences where office_unit = @office and year = 2026", new { office = w.Office })).ShouldBe(7);
    }

    [Fact]
    public async Task WithoutDocument_TheNumberIsGiven_TheDocumentWaitsForTheFirstCallerThatAttachesOrDownloadsIt()
    {
        var w = await f.Seed.WorldAsync("nodoc", deadline: new DateOnly(2026, 11, 13));
        var escalation = await f.Seed.EscalationAsync(w.CampaignId, w.ItemId, "supervisionLetter", w.Office, NotifyHost.MondayMorning);
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>(), NotifyHost.MondayMorning);
        var service = host.Services.GetRequiredService<SupervisionLetters>();

        var quoted = await service.EnsureAsync(escalation, null, null, NotifyHost.MondayMorning, withDocument: false, CancellationToken.None);

        quoted!.Number.ShouldBe($"{w.OfficeName}〔2026〕1号");
        quoted.ResponseDue.ShouldBe(new DateOnly(2026, 11, 30));
        quoted.Content.ShouldBeNull();
        await using var c = await f.Db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<bool>("select content is null from supervision_letters where escalation_id = @escalation", new { escalation })).ShouldBeTrue();

        var attached = await service.EnsureAsync(null, w.ItemId, null, NotifyHost.MondayMorning, withDocument: true, CancellationToken.None);
        attached!.Number.ShouldBe(quoted.Number);
        attached.Content.ShouldNotBeNull().Length.ShouldBeGreaterThan(1000);
        (await service.EnsureAsync(escalation, null, null, NotifyHost.MondayMorning, withDocument: false, CancellationToken.None))!
            .Content.ShouldBe(attached.Content);
    }
}
