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
            Task.Run(() => service.EnsureAsync(e, null, Payload.Parse("{}"), NotifyHost.MondayMorning, CancellationToken.None)))));

        results.ShouldAllBe(r => r != null && r.Content.Length > 0);
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
}
