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

    [Fact]
    public async Task EscalationList_NewestFirst_PagesWalkIt_ALargeCountIsAnEstimateSaidSo()
    {
        var org = await Org.CreateAsync(app, "sel");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync(
            Enumerable.Range(1, 3).Select(n => org.Item($"督办列表问题{n}", "2026-06-22")));
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        // Seven escalations, three of them opened at the same instant (the order within one instant is by id).
        var opened = new[] { (0, "urge", 9, true), (0, "supervisionLetter", 4, false), (1, "urge", 4, false), (2, "urge", 4, false),
            (1, "supervisionLetter", 2, true), (2, "listedSupervision", 1, false), (0, "listedSupervision", 7, true) };
        var expected = opened.Select(o => (Id: Guid.NewGuid(), Row: o))
            .OrderBy(e => e.Row.Item3).ThenBy(e => e.Id.ToString(), StringComparer.Ordinal).ToList();
        var midnight = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        foreach (var (id, (n, level, daysAgo, resolved)) in expected)
            await connection.ExecuteAsync("""
                insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at, resolved_at, note)
                values (@id, @campaign, @item, @level, @office, @at,
                        case when @resolved then now() end, '测试')
                """, new { id, campaign, item = items[n], level, office = org.DcsCode, at = midnight.AddDays(-daysAgo), resolved });

        async Task<JsonElement> ListAsync(string query)
        {
            var response = await org.Dcs.GetAsync($"/api/escalations?campaignId={campaign}&{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return await response.JsonAsync();
        }
        static List<Guid> Ids(JsonElement page) =>
            page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();

        var whole = await ListAsync("pageSize=500");
        Ids(whole).ShouldBe(expected.Select(e => e.Id).ToList());
        whole.GetProperty("total").GetInt64().ShouldBe(7);
        whole.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
        var walked = new List<Guid>();
        for (var page = 1; page <= 3; page++) walked.AddRange(Ids(await ListAsync($"pageSize=3&page={page}")));
        walked.ShouldBe(Ids(whole));
        Ids(await ListAsync("open=true")).ShouldBe(expected.Where(e => !e.Row.Item4).Select(e => e.Id).ToList());

        // Past 10,000 the total is the planner's estimate and says so; a narrow filter stays exact.
        await connection.ExecuteAsync("""
            insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at, resolved_at, note)
            select gen_random_uuid(), @campaign, @item, 'urge', @office,
                   now() - interval '30 days' - make_interval(mins => n), now(), '测试'
            from generate_series(1, 10050) n;
            analyze escalations;
            """, new { campaign, item = items[0], office = org.DcsCode });
        var large = await ListAsync("pageSize=20");
        large.GetProperty("totalEstimated").GetBoolean().ShouldBeTrue();
        large.GetProperty("total").GetInt64().ShouldBeGreaterThan(10_000);
        Ids(large).Take(7).ShouldBe(Ids(whole));
        var open = await ListAsync("open=true");
        open.GetProperty("total").GetInt64().ShouldBe(4);
        open.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
    }
}
