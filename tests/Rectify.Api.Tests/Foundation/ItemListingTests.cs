using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// The item list at scale (issue 17): the light filter agrees with each item's own light, the cursor (<c>after</c> /
/// <c>next</c>) walks the same order as <c>page</c>, and a count too large to take on every page is an estimate, said so.
/// </summary>
public sealed class ItemListingTests(RectifyApp app) : IClassFixture<RectifyApp>, IAsyncLifetime
{
    private HttpClient admin = null!;
    private OrgBuilder org = null!;

    public async Task InitializeAsync()
    {
        admin = await app.AdminAsync();
        org = new OrgBuilder(admin);
        foreach (var (code, name, kind) in new[] { ("l-lg", "领导小组办公室", "leadingGroup"), ("l-a", "甲局", "department"), ("l-b", "乙镇", "township") })
        {
            if ((await admin.GetAsync($"/api/units/{code}")).StatusCode == HttpStatusCode.NotFound) await org.UnitAsync(code, name, kind);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task LightFilter_ReturnsExactlyTheItemsShowingThatLight()
    {
        var campaign = await org.CampaignAsync("l-lg");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        string Day(int days) => today.AddDays(days).ToString("yyyy-MM-dd");
        var late = await org.ItemAsync(campaign, "已逾期", "l-a", ["l-b"], deadline: Day(-3));
        var far = await org.ItemAsync(campaign, "时间充裕", "l-a", deadline: Day(300));
        var near = await org.ItemAsync(campaign, "临近期限", "l-b", ["l-a"], deadline: Day(4));
        await org.ItemAsync(campaign, "长期坚持", "l-b", deadline: null, ongoing: true);
        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        // Assigned a month ago: four days left of thirty-five is under 30 % (yellow); the far one stays green.
        await using (var db = app.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
            await c.ExecuteAsync("update items set assigned_at = assigned_at - interval '31 days' where campaign_id = @campaign", new { campaign });

        var all = Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}")).ShouldHaveStatusAsync(HttpStatusCode.OK));
        all.Count.ShouldBe(4);
        all.Single(i => i.Str("id") == late.Str("id")).Str("light").ShouldBe("red");
        all.Single(i => i.Str("id") == near.Str("id")).Str("light").ShouldBe("yellow");
        all.Single(i => i.Str("id") == far.Str("id")).Str("light").ShouldBe("green");
        foreach (var light in new[] { "red", "yellow", "green" })
        {
            var page = await (await admin.GetAsync($"/api/items?campaignId={campaign}&light={light}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            var expected = all.Where(i => i.Str("light") == light).Select(i => i.Str("id")).ToList();
            Items(page).Select(i => i.Str("id")).ShouldBe(expected, $"light={light}");
            page.GetProperty("total").GetInt64().ShouldBe(expected.Count);
        }
    }

    [Fact]
    public async Task Cursor_WalksTheSameOrderAsPages()
    {
        var campaign = await org.CampaignAsync("l-lg");
        for (var n = 1; n <= 7; n++) await org.ItemAsync(campaign, $"问题{n}", n % 2 == 0 ? "l-a" : "l-b");
        var byPage = new List<string>();
        for (var p = 1; p <= 3; p++)
            byPage.AddRange(Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=3&page={p}")).ShouldHaveStatusAsync(HttpStatusCode.OK)).Select(i => i.Str("title")!));
        byPage.ShouldBe(Enumerable.Range(1, 7).Select(n => $"问题{n}").ToList());

        var byCursor = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=3{(next is null ? "" : "&after=" + next)}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            byCursor.AddRange(Items(page).Select(i => i.Str("title")!));
            page.GetProperty("total").GetInt64().ShouldBe(7);
            next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
            pages++;
        } while (next is not null && pages < 10);
        byCursor.ShouldBe(byPage);
        pages.ShouldBe(3);
    }

    [Theory]
    [InlineData("light=blue", "light")]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    public async Task BadListParameters_Return400(string query, string field)
    {
        var campaign = await org.CampaignAsync("l-lg");
        await (await admin.GetAsync($"/api/items?campaignId={campaign}&{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Cursor_WithoutCampaign_Returns400()
    {
        await (await admin.GetAsync("/api/items?after=10")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "after");
    }

    [Fact]
    public async Task LargeList_TotalIsAnEstimateSaidSo_NarrowListIsExact_AWholeCampaignIsExactAtAnySize()
    {
        var campaign = await org.CampaignAsync("l-lg");
        await using (var db = app.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state)
                select gen_random_uuid(), @campaign, n, 'N' || n, case when n % 4000 = 0 then '罕见的排水问题' else '普通问题' || n end,
                       'l-a', array['l-a'], date '2027-06-30', date '2027-06-30', 'draft'
                from generate_series(1, 10050) n;
                analyze items;
                """, new { campaign });
        }
        // Filtered (10,048 of the items match): counted to the bound, then the planner's estimate, said so.
        var large = await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=20&q={Uri.EscapeDataString("普通问题")}"))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        Items(large).Count.ShouldBe(20);
        large.GetProperty("totalEstimated").GetBoolean().ShouldBeTrue();
        large.GetProperty("total").GetInt64().ShouldBeGreaterThan(10_000);

        // The whole campaign, for each office that sees it: the maintained aggregate's exact total, whatever its size;
        // for an office that does not, nothing (the aggregate's figure is not given away).
        var whole = await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=20")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        whole.GetProperty("total").GetInt64().ShouldBe(10_050);
        whole.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
        Items(whole).Count.ShouldBe(20);
        if ((await admin.GetAsync("/api/units/l-lg2")).StatusCode == HttpStatusCode.NotFound)
            await org.UnitAsync("l-lg2", "另一领导小组办公室", "leadingGroup");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await org.UserAsync($"l-own-{suffix}", "leadingGroup", "l-lg");
        await org.UserAsync($"l-other-{suffix}", "leadingGroup", "l-lg2");
        async Task<JsonElement> WholeAsAsync(string user) =>
            await (await (await app.ClientAsAsync(user, "Passw0rd!x")).GetAsync($"/api/items?campaignId={campaign}&pageSize=5"))
                .ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await WholeAsAsync($"l-own-{suffix}")).GetProperty("total").GetInt64().ShouldBe(10_050);
        var other = await WholeAsAsync($"l-other-{suffix}");
        other.GetProperty("total").GetInt64().ShouldBe(0);
        Items(other).ShouldBeEmpty();

        // One unit's items (all 10,050 are l-a's), counted from its assignments to the bound, then their estimate.
        var ofUnit = await (await admin.GetAsync($"/api/items?campaignId={campaign}&unit=l-a&pageSize=5"))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        ofUnit.GetProperty("totalEstimated").GetBoolean().ShouldBeTrue();
        ofUnit.GetProperty("total").GetInt64().ShouldBeGreaterThan(10_000);
        Items(ofUnit).Select(i => i.Str("number")).ShouldBe(["N1", "N2", "N3", "N4", "N5"]);

        var narrow = await (await admin.GetAsync($"/api/items?campaignId={campaign}&q={Uri.EscapeDataString("罕见的排水")}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        narrow.GetProperty("total").GetInt64().ShouldBe(2);
        narrow.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
        Items(narrow).Select(i => i.Str("number")).ShouldBe(["N4000", "N8000"]);

        // A deep page by offset and the same rows by cursor.
        var deep = Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=50&page=200")).ShouldHaveStatusAsync(HttpStatusCode.OK));
        deep.First().Str("number").ShouldBe("N9951");
        var cursor = Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=50&after=9950")).ShouldHaveStatusAsync(HttpStatusCode.OK));
        cursor.Select(i => i.Str("id")).ShouldBe(deep.Select(i => i.Str("id")));
        async Task<List<string>> NumbersAsync(string query) =>
            Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}&{query}")).ShouldHaveStatusAsync(HttpStatusCode.OK))
                .Select(i => i.Str("number")!).ToList();
        (await NumbersAsync("pageSize=50&page=201")).ShouldBe(Enumerable.Range(10001, 50).Select(n => $"N{n}").ToList(), "the last page");
        (await NumbersAsync("pageSize=50&page=202")).ShouldBeEmpty();
        (await NumbersAsync("pageSize=500&page=2147483647")).ShouldBeEmpty();

        // With a gap in the numbers (an item deleted from the draft) a deep page is the rows after the offset still.
        var tenth = Items(await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=1&page=10"))
            .ShouldHaveStatusAsync(HttpStatusCode.OK)).Single();
        tenth.Str("number").ShouldBe("N10");
        (await admin.DeleteAsync($"/api/items/{tenth.Str("id")}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await NumbersAsync("pageSize=50&page=200")).First().ShouldBe("N9952");
        (await NumbersAsync("pageSize=50&page=201")).ShouldBe(Enumerable.Range(10002, 49).Select(n => $"N{n}").ToList());
        (await NumbersAsync("pageSize=3&page=3")).ShouldBe(["N7", "N8", "N9"]);
        (await NumbersAsync("pageSize=3&page=4")).ShouldBe(["N11", "N12", "N13"]);
    }

    [Fact]
    public async Task CampaignStats_FromTheMaintainedAggregate_FollowEveryChangeOfTheItems()
    {
        var campaign = await org.CampaignAsync("l-lg");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        string Day(int days) => today.AddDays(days).ToString("yyyy-MM-dd");
        var late = await org.ItemAsync(campaign, "逾期", "l-a", deadline: Day(-2));
        var onTime = await org.ItemAsync(campaign, "按期", "l-a", deadline: Day(30));
        var closedLate = await org.ItemAsync(campaign, "逾期销号", "l-b", deadline: Day(-10));
        var dropped = await org.ItemAsync(campaign, "删除", "l-b", deadline: Day(30));
        (await admin.DeleteAsync($"/api/items/{dropped.Str("id")}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var draft = (await (await admin.GetAsync($"/api/campaigns/{campaign}")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetProperty("stats");
        draft.GetProperty("total").GetInt64().ShouldBe(3);
        draft.GetProperty("byState").GetProperty("draft").GetInt64().ShouldBe(3);
        draft.GetProperty("overdue").GetInt64().ShouldBe(0);

        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        await using (var db = app.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
        {
            // Closed yesterday: the one due in 30 days on time, the one ten days late late.
            await c.ExecuteAsync("update items set state = 'closed', closed_at = now() - interval '1 day' where id = any(@ids)",
                new { ids = new[] { Guid.Parse(onTime.Str("id")), Guid.Parse(closedLate.Str("id")) } });
        }
        var stats = (await (await admin.GetAsync($"/api/campaigns/{campaign}")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetProperty("stats");
        stats.GetProperty("total").GetInt64().ShouldBe(3);
        stats.GetProperty("byState").GetProperty("draft").GetInt64().ShouldBe(0);
        stats.GetProperty("byState").GetProperty("assigned").GetInt64().ShouldBe(1);
        stats.GetProperty("byState").GetProperty("closed").GetInt64().ShouldBe(2);
        stats.GetProperty("overdue").GetInt64().ShouldBe(1);
        stats.GetProperty("closedOnTime").GetInt64().ShouldBe(1);
        stats.GetProperty("closedLate").GetInt64().ShouldBe(1);

        // A unit sees its own items' figures, counted: l-a leads the late one and the one closed on time.
        await org.UserAsync("l-a-user", "unit", "l-a");
        var unit = await app.ClientAsAsync("l-a-user", "Passw0rd!x");
        var own = (await (await unit.GetAsync($"/api/campaigns/{campaign}")).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetProperty("stats");
        own.GetProperty("total").GetInt64().ShouldBe(2);
        own.GetProperty("overdue").GetInt64().ShouldBe(1);
        own.GetProperty("closedOnTime").GetInt64().ShouldBe(1);
        own.GetProperty("closedLate").GetInt64().ShouldBe(0);
        _ = late;
    }

    [Fact]
    public async Task AcrossCampaigns_PagesWalkTheWholeList_EachCampaignOnItsOwnDate()
    {
        await org.UnitAsync("l-c", "丙街道", "township");
        await org.UserAsync("l-c-user", "unit", "l-c");
        var unit = await app.ClientAsAsync("l-c-user", "Passw0rd!x");
        // UTC+14, UTC+8 and UTC−11: at any moment Kiritimati's date is a day or two after Pago Pago's. An item due on
        // Pago Pago's today is late in Kiritimati and not yet late in Pago Pago.
        string[] zones = ["Pacific/Kiritimati", "Asia/Shanghai", "Pacific/Pago_Pago"];
        DateOnly LastZoneToday() => Rectify.Workflows.Domain.ItemStatus.LocalToday(DateTimeOffset.UtcNow, zones[^1]);
        var shared = LastZoneToday();
        string Day(int days) => shared.AddDays(days).ToString("yyyy-MM-dd");
        var campaigns = new List<Guid>();
        foreach (var zone in zones)
        {
            var campaign = await org.CampaignAsync("l-lg");
            await org.ItemAsync(campaign, "早已逾期", "l-c", deadline: Day(-30));
            await org.ItemAsync(campaign, "同一天到期", "l-a", ["l-c"], deadline: Day(0));
            await org.ItemAsync(campaign, "不属于丙", "l-a", deadline: Day(-30));
            await org.ItemAsync(campaign, "时间充裕", "l-c", deadline: Day(300));
            await using (var db = app.Database.CreateDataSource())
            await using (var c = await db.OpenConnectionAsync())
                await c.ExecuteAsync("update campaigns set time_zone = @zone where id = @campaign", new { zone, campaign });
            (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
            campaigns.Add(campaign);
        }
        async Task<List<JsonElement>> WalkAsync(string filter, long total)
        {
            var walked = new List<JsonElement>();
            for (var p = 1; p <= 6; p++)
            {
                var page = await (await unit.GetAsync($"/api/items?pageSize=2&page={p}{filter}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
                page.GetProperty("total").GetInt64().ShouldBe(total, $"page {p}{filter}");
                walked.AddRange(Items(page));
            }
            return walked;
        }
        string Key(JsonElement i) => $"{campaigns.IndexOf(i.GetProperty("campaignId").GetGuid())}:{i.Str("title")}";

        var whole = Items(await (await unit.GetAsync("/api/items?pageSize=100")).ShouldHaveStatusAsync(HttpStatusCode.OK));
        // The newest campaign first, each campaign's items in their order; never another unit's item.
        var expected = new[] { 2, 1, 0 }.SelectMany(n => new[] { $"{n}:早已逾期", $"{n}:同一天到期", $"{n}:时间充裕" });
        whole.Select(Key).ShouldBe(expected.ToList());
        (await WalkAsync("", 9)).Select(Key).ShouldBe(whole.Select(Key).ToList());
        string Light(int campaign, string title) => whole.Single(i => Key(i) == $"{campaign}:{title}").Str("light");
        Light(0, "同一天到期").ShouldBe("red");
        if (LastZoneToday() == shared) Light(2, "同一天到期").ShouldNotBe("red");
        foreach (var n in new[] { 0, 1, 2 }) Light(n, "早已逾期").ShouldBe("red");

        var red = whole.Where(i => i.Str("light") == "red").Select(Key).ToList();
        (await WalkAsync("&overdue=true", red.Count)).Select(Key).ShouldBe(red);
        (await WalkAsync("&overdue=false", 9 - red.Count)).Select(Key).ShouldBe(whole.Select(Key).Except(red).ToList());
    }

    [Fact]
    public async Task AUnitsList_ReadThroughItsAssignments_IsExactlyTheItemsOfTheUnit()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var unitCode = await org.UnitAsync($"l-d{suffix}", "丁乡" + suffix, "township");
        await org.UserAsync($"l-d-user-{suffix}", "unit", unitCode);
        var unit = await app.ClientAsAsync($"l-d-user-{suffix}", "Passw0rd!x");
        var draft = await org.CampaignAsync("l-lg");
        await org.ItemAsync(draft, "草稿中的本单位问题", unitCode);
        var campaign = await org.CampaignAsync("l-lg");
        var items = new Dictionary<string, Guid>();
        foreach (var (title, lead, units) in new (string, string, string[])[]
        {
            ("牵头", unitCode, []), ("责任", "l-a", [unitCode]), ("无关", "l-a", ["l-b"]), ("移出", "l-a", [unitCode]),
            ("撤销", unitCode, ["l-b"]), ("移入", "l-a", []), ("移出又移回", "l-b", [unitCode]),
        })
            items[title] = Guid.Parse((await org.ItemAsync(campaign, title, lead, units)).Str("id")!);
        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        async Task EditAsync(string title, string lead, string[] units)
        {
            var edit = new { title, leadUnit = lead, units, deadline = "2026-06-10", ongoing = false, note = "改派" };
            await (await admin.PutAsJsonAsync($"/api/items/{items[title]}", edit)).ShouldHaveStatusAsync(HttpStatusCode.OK);
        }
        // Taken off (its assignment withdrawn: no longer the unit's), put on, taken off and put back, and a withdrawn item
        // (every assignment withdrawn: still the unit's item, as before).
        await EditAsync("移出", "l-a", []);
        await EditAsync("移入", "l-a", [unitCode]);
        await EditAsync("移出又移回", "l-b", []);
        await EditAsync("移出又移回", "l-b", [unitCode]);
        var withdraw = new { type = "withdraw", note = "重复问题，并入其他问题" };
        (await admin.PostAsJsonAsync($"/api/items/{items["撤销"]}/events", withdraw)).EnsureSuccessStatusCode();
        string[] expected = ["牵头", "责任", "撤销", "移入", "移出又移回"];
        await using (var db = app.Database.CreateDataSource())
        await using (var c = await db.OpenConnectionAsync())
            (await c.QueryAsync<string>("""
                select title from items where campaign_id = @campaign and (lead_unit = @unitCode or units @> array[@unitCode]) order by seq
                """, new { campaign, unitCode })).ShouldBe(expected, "the rule of visibility, over the items");

        async Task<(List<string> Titles, long Total)> ListAsync(HttpClient client, string query)
        {
            var page = await (await client.GetAsync("/api/items?" + query)).ShouldHaveStatusAsync(HttpStatusCode.OK);
            page.TryGetProperty("totalEstimated", out _).ShouldBeFalse();
            return (Items(page).Where(i => i.GetProperty("campaignId").GetGuid() == campaign).Select(i => i.Str("title")!).ToList(),
                page.GetProperty("total").GetInt64());
        }
        var own = await ListAsync(unit, $"campaignId={campaign}");
        own.Titles.ShouldBe(expected);
        own.Total.ShouldBe(expected.Length);
        var across = await ListAsync(unit, "pageSize=100");
        across.Titles.ShouldBe(expected);
        across.Total.ShouldBe(expected.Length, "the draft campaign's item is not counted");
        var filtered = await ListAsync(admin, $"campaignId={campaign}&unit={unitCode}");
        filtered.Titles.ShouldBe(expected);
        filtered.Total.ShouldBe(expected.Length);
        (await ListAsync(unit, $"campaignId={campaign}&unit={unitCode}")).Titles.ShouldBe(expected);
        (await ListAsync(unit, $"campaignId={campaign}&unit=l-b")).Titles.ShouldBe(["撤销", "移出又移回"], "the unit's items that are also l-b's");
        var withdrawn = await ListAsync(unit, $"campaignId={campaign}&state=withdrawn");
        withdrawn.Titles.ShouldBe(["撤销"]);
        withdrawn.Total.ShouldBe(1);
        var text = await ListAsync(admin, $"campaignId={campaign}&unit={unitCode}&q={Uri.EscapeDataString("移")}");
        text.Titles.ShouldBe(["移入", "移出又移回"]);
        text.Total.ShouldBe(2);

        // Pages of two, by page and by cursor, within the campaign and across campaigns.
        var byPage = new List<string>();
        for (var p = 1; p <= 3; p++)
        {
            var (titles, total) = await ListAsync(unit, $"campaignId={campaign}&pageSize=2&page={p}");
            total.ShouldBe(expected.Length);
            byPage.AddRange(titles);
        }
        byPage.ShouldBe(expected);
        var byCursor = new List<string>();
        string? next = null;
        do
        {
            var page = await (await unit.GetAsync($"/api/items?campaignId={campaign}&pageSize=2{(next is null ? "" : "&after=" + next)}"))
                .ShouldHaveStatusAsync(HttpStatusCode.OK);
            byCursor.AddRange(Items(page).Select(i => i.Str("title")!));
            next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
        }
        while (next is not null);
        byCursor.ShouldBe(expected);
        var acrossPages = new List<string>();
        for (var p = 1; p <= 3; p++) acrossPages.AddRange((await ListAsync(unit, $"pageSize=2&page={p}")).Titles);
        acrossPages.ShouldBe(expected);
    }

    [Fact]
    public async Task Search_FollowsEveryChangeOfAnItemsText_ByNumberTitleOrDescription()
    {
        // The search reads item_search (migration 0999), kept beside the items by triggers: a creation, an edit of the
        // draft, a deletion, an edit after the launch each show in the next search, and the two tables never differ.
        var campaign = await org.CampaignAsync("l-lg");
        async Task<Guid> CreateAsync(string number, string title, string? description) =>
            (await (await admin.PostAsJsonAsync($"/api/campaigns/{campaign}/items", new
            {
                number, title, description, leadUnit = "l-a", units = new[] { "l-b" }, deadline = "2027-06-10", ongoing = false,
            })).ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        async Task<List<string>> SearchAsync(string q)
        {
            var page = await (await admin.GetAsync($"/api/items?campaignId={campaign}&q={Uri.EscapeDataString(q)}"))
                .ShouldHaveStatusAsync(HttpStatusCode.OK);
            var titles = Items(page).Select(i => i.Str("title")!).ToList();
            page.GetProperty("total").GetInt64().ShouldBe(titles.Count, q);
            return titles;
        }
        async Task EditAsync(Guid id, string number, string title, string? description, string? note = null) =>
            (await admin.PutAsJsonAsync($"/api/items/{id}", new
            {
                number, title, description, leadUnit = "l-a", units = new[] { "l-b" }, deadline = "2027-06-10", ongoing = false, note,
            })).EnsureSuccessStatusCode();

        // Another campaign's item with the same text and sequence number is never one of this campaign's matches.
        var other = await org.CampaignAsync("l-lg");
        (await admin.PostAsJsonAsync($"/api/campaigns/{other}/items", new
        {
            number = "检-1", title = "河道清淤", description = "沿岸生活污水直排入河", leadUnit = "l-a", deadline = "2027-06-10", ongoing = false,
        })).EnsureSuccessStatusCode();
        var river = await CreateAsync("检-1", "河道清淤", "沿岸生活污水直排入河");
        var station = await CreateAsync("检-2", "垃圾中转站", null);
        await CreateAsync("检-4", "PM2.5 监测站 Pump 房", "Ⅳ类水体ÄÖ");
        var doomed = await CreateAsync("检-3", "待删除的问题", "重复录入");
        (await SearchAsync("污水直排")).ShouldBe(["河道清淤"], "by description");
        (await SearchAsync("中转站")).ShouldBe(["垃圾中转站"], "by title");
        (await SearchAsync("检-2")).ShouldBe(["垃圾中转站"], "by number");
        (await SearchAsync("问题")).ShouldBe(["待删除的问题"]);
        // Letters in either case, as ilike would: the text is kept folded and the words folded alike.
        (await SearchAsync("pm2.5")).ShouldBe(["PM2.5 监测站 Pump 房"], "case-insensitive, ASCII");
        (await SearchAsync("PUMP")).ShouldBe(["PM2.5 监测站 Pump 房"]);
        (await SearchAsync("äö")).ShouldBe(["PM2.5 监测站 Pump 房"], "case-insensitive beyond ASCII");
        (await SearchAsync("ⅳ类")).ShouldBe(["PM2.5 监测站 Pump 房"], "a Roman numeral in either case");
        (await SearchAsync("检-4")).ShouldBe(["PM2.5 监测站 Pump 房"]);
        (await SearchAsync("入")).ShouldBe(["河道清淤", "待删除的问题"]);
        foreach (var (page, expected) in new[] { (1, "河道清淤"), (2, "待删除的问题") })
        {
            // A later page by number is read another way (every match, then sorted): the same order.
            var one = await (await admin.GetAsync($"/api/items?campaignId={campaign}&q={Uri.EscapeDataString("入")}&pageSize=1&page={page}"))
                .ShouldHaveStatusAsync(HttpStatusCode.OK);
            Items(one).Select(i => i.Str("title")).ShouldBe([expected], $"page {page}");
            one.GetProperty("total").GetInt64().ShouldBe(2);
        }

        await EditAsync(station, "检-20", "垃圾压缩站", "渗滤液外溢");
        (await SearchAsync("中转站")).ShouldBeEmpty("the old title");
        (await SearchAsync("检-2")).ShouldBeEmpty("the old number");
        (await SearchAsync("压缩站")).ShouldBe(["垃圾压缩站"]);
        (await SearchAsync("检-20")).ShouldBe(["垃圾压缩站"]);
        (await SearchAsync("渗滤液")).ShouldBe(["垃圾压缩站"], "a description where there was none");

        (await admin.DeleteAsync($"/api/items/{doomed}")).EnsureSuccessStatusCode();
        (await SearchAsync("问题")).ShouldBeEmpty("a deleted draft item");

        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        (await SearchAsync("河道")).ShouldBe(["河道清淤"], "the launch leaves the text alone");
        await EditAsync(river, "检-1", "河道清淤及岸线整治", null, note: "扩大整治范围");
        (await SearchAsync("岸线整治")).ShouldBe(["河道清淤及岸线整治"], "an edit after the launch");
        (await SearchAsync("污水直排")).ShouldBeEmpty("the description taken away");
        (await SearchAsync("%")).ShouldBeEmpty("a wildcard is a character like any other");
        var unitList = await (await admin.GetAsync($"/api/items?campaignId={campaign}&unit=l-b&q={Uri.EscapeDataString("压缩")}"))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        Items(unitList).Select(i => i.Str("title")).ShouldBe(["垃圾压缩站"], "a search within a unit's items");
        var across = await (await admin.GetAsync($"/api/items?pageSize=500&q={Uri.EscapeDataString("河道清淤")}"))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        Items(across).Select(i => i.GetProperty("campaignId").GetGuid()).Where(c => c == campaign || c == other).Order()
            .ShouldBe(new[] { campaign, other }.Order(), "across campaigns, each campaign's match");

        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        (await c.ExecuteScalarAsync<long>("""
            select count(*) from (
                (select id, campaign_id, number, lower(title), lower(description) from items
                 except all select item_id, campaign_id, number, title_folded, description_folded from item_search)
                union all
                (select item_id, campaign_id, number, title_folded, description_folded from item_search
                 except all select id, campaign_id, number, lower(title), lower(description) from items)) differing
            """)).ShouldBe(0, "item_search holds exactly each item's number and folded title and description");
        (await c.ExecuteScalarAsync<long>("select count(*) from item_search where item_id = @doomed", new { doomed })).ShouldBe(0);
    }
}
