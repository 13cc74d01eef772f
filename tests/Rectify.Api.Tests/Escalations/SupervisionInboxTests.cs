using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Tests.Runtime;

namespace Rectify.Api.Tests.Escalations;

/// <summary>
/// The supervision inbox read level by level (issue 17): one row per subject at its current (highest open) level, the most
/// serious level first and the longest waiting first within it; its pages put together are the whole inbox.
/// </summary>
[Rectify.TestSupport.RunsLong]
public sealed class SupervisionInboxTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    [Fact]
    public async Task EachSubjectAtItsCurrentLevel_MostSeriousFirst_PagesAreTheWholeInbox()
    {
        var org = await Org.CreateAsync(app, "sib");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync(Enumerable.Range(1, 6).Select(n => org.Item($"督办收件箱问题{n}", "2026-06-22")));
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        // Item 1: 催办 then 督办函 (current 督办函); 2 and 4: 催办 (2 waiting longer); 3: 挂牌督办 and 约谈 (current 约谈);
        // 5: 挂牌督办; 6: none. A resolved 约谈 of item 5 does not count.
        var opened = new[]
        {
            (1, "urge", 10, false), (1, "supervisionLetter", 5, false), (2, "urge", 9, false), (4, "urge", 3, false),
            (3, "listedSupervision", 8, false), (3, "admonitoryTalk", 2, false), (5, "listedSupervision", 4, false),
            (5, "admonitoryTalk", 1, true),
        };
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            foreach (var (n, level, daysAgo, resolved) in opened)
                await connection.ExecuteAsync("""
                    insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at, resolved_at, note)
                    values (gen_random_uuid(), @campaign, @item, @level, @office, now() - make_interval(days => @daysAgo),
                            case when @resolved then now() end, '测试')
                    """, new { campaign, item = items[n - 1], level, office = org.DcsCode, daysAgo, resolved });
        }

        async Task<JsonElement> InboxAsync(string query)
        {
            var response = await org.Dcs.GetAsync($"/api/escalations/subjects?campaignId={campaign}&{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return await response.JsonAsync();
        }
        List<(Guid, string)> Rows(JsonElement page) =>
            page.GetProperty("items").EnumerateArray().Select(r => (r.GetProperty("itemId").GetGuid(), r.Str("level")!)).ToList();

        var whole = await InboxAsync("pageSize=500");
        Rows(whole).ShouldBe(
        [
            (items[2], "admonitoryTalk"), (items[4], "listedSupervision"), (items[0], "supervisionLetter"), (items[1], "urge"),
            (items[3], "urge"),
        ]);
        whole.GetProperty("total").GetInt64().ShouldBe(5);
        var byLevel = whole.GetProperty("byLevel");
        foreach (var (level, n) in new[] { ("admonitoryTalk", 1), ("listedSupervision", 1), ("supervisionLetter", 1), ("urge", 2) })
            byLevel.GetProperty(level).GetInt64().ShouldBe(n, level);
        whole.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
        foreach (var size in new[] { 1, 2, 3 })
        {
            var seen = new List<(Guid, string)>();
            for (var page = 1; page <= 6; page++) seen.AddRange(Rows(await InboxAsync($"pageSize={size}&page={page}")));
            seen.ShouldBe(Rows(whole), $"pageSize {size}");
        }
        Rows(await InboxAsync("level=urge&pageSize=1&page=2")).ShouldBe([(items[3], "urge")]);
        var talk = await InboxAsync("level=admonitoryTalk");
        talk.GetProperty("total").GetInt64().ShouldBe(1);
        talk.GetProperty("items")[0].GetProperty("history").EnumerateArray().Select(h => h.Str("level"))
            .ShouldBe(["listedSupervision", "admonitoryTalk"]);
    }
}
