using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class CampaignsAndItemsTests(RectifyApp app) : IClassFixture<RectifyApp>, IAsyncLifetime
{
    private HttpClient admin = null!;
    private OrgBuilder org = null!;

    public async Task InitializeAsync()
    {
        admin = await app.AdminAsync();
        org = new OrgBuilder(admin);
        // Idempotent per class: units shared by the tests below.
        foreach (var (code, name, kind) in new[] { ("c-lg", "县领导小组办公室", "leadingGroup"), ("c-dc", "县委督查室", "supervisionOffice"), ("c-fp", "县扶贫办", "department"), ("c-cz", "县财政局", "department") })
        {
            if ((await admin.GetAsync($"/api/units/{code}")).StatusCode == HttpStatusCode.NotFound) await org.UnitAsync(code, name, kind);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Campaign_Create_AppliesDefaults()
    {
        var id = await org.CampaignAsync("c-lg", "c-dc");
        var c = await (await admin.GetAsync($"/api/campaigns/{id}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        c.Str("timeZone").ShouldBe("Asia/Shanghai");
        c.Str("state").ShouldBe("draft");
        c.GetProperty("workflow").Str("id").ShouldBe("rectification-campaign");
        c.GetProperty("workflow").GetProperty("version").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        c.GetProperty("phases").GetArrayLength().ShouldBe(2);
        c.GetProperty("stats").GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Campaign_UnknownIssuer_Returns422()
    {
        await (await admin.PostJsonAsync("/api/campaigns", new { title = "X", issuedByUnit = "ghost" })).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "issuedByUnit");
    }

    [Fact]
    public async Task Campaign_UnknownWorkflow_Returns422()
    {
        await (await admin.PostJsonAsync("/api/campaigns", new { title = "X", issuedByUnit = "c-lg", workflow = new { id = "nope" } }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "workflow.id");
    }

    [Theory]
    [InlineData("""{"title":"X","issuedByUnit":"c-lg","phases":[{"key":"plan","start":"2026-05-13","end":"2026-05-10"}]}""", "phases[0].end")]
    [InlineData("""{"title":"X","issuedByUnit":"c-lg","phases":[{"key":"plan","start":"13/05/2026","end":"2026-05-10"}]}""", "phases[0].start")]
    [InlineData("""{"title":"X","issuedByUnit":"c-lg","noticeDate":"yesterday"}""", "noticeDate")]
    [InlineData("""{"title":"X","issuedByUnit":"c-lg","timeZone":"Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"issuedByUnit":"c-lg"}""", "title")]
    [InlineData("""{"title":"X","issuedByUnit":"c-lg","workflow":{"id":"rectification-campaign","version":"one"}}""", "workflow.version")]
    public async Task Campaign_BadFields_Return400(string json, string field)
    {
        await (await admin.PostRawAsync("/api/campaigns", json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Campaign_UnknownId_Returns404()
    {
        await (await admin.GetAsync($"/api/campaigns/{Guid.NewGuid()}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Campaign_UpdateWhileDraft_Succeeds()
    {
        var id = await org.CampaignAsync("c-lg");
        var updated = await (await admin.PutAsJsonAsync($"/api/campaigns/{id}", new { title = "改名后的整改工作", issuedByUnit = "c-lg", supervisionUnit = "c-dc" }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        updated.Str("title").ShouldBe("改名后的整改工作");
        updated.Str("supervisionUnit").ShouldBe("c-dc");
    }

    [Fact]
    public async Task Item_Create_NumbersInOrderAndCountsInStats()
    {
        var id = await org.CampaignAsync("c-lg");
        var first = await org.ItemAsync(id, "问题一", "c-fp", ["c-cz"]);
        var second = await org.ItemAsync(id, "问题二", "c-cz");
        first.Str("number").ShouldBe("1");
        second.Str("number").ShouldBe("2");
        first.Str("state").ShouldBe("draft");
        first.GetProperty("units").EnumerateArray().Select(u => u.GetString()).ShouldBe(["c-cz"]);
        first.Str("effectiveDeadline").ShouldBe("2026-06-10");
        var c = await (await admin.GetAsync($"/api/campaigns/{id}")).JsonAsync();
        c.GetProperty("stats").GetProperty("total").GetInt64().ShouldBe(2);
        c.GetProperty("stats").GetProperty("byState").GetProperty("draft").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Item_OngoingWithoutDeadline_GetsMonthlyReports()
    {
        var id = await org.CampaignAsync("c-lg");
        var item = await org.ItemAsync(id, "长期坚持的问题", "c-fp", deadline: null, ongoing: true);
        item.GetProperty("deadline").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        item.Str("reportEvery").ShouldBe("P1M");
    }

    [Theory]
    [InlineData("""{"title":"无时限","leadUnit":"c-fp"}""", "deadline")]
    [InlineData("""{"title":"长期","leadUnit":"c-fp","ongoing":true,"deadline":"2026-06-10"}""", "deadline")]
    [InlineData("""{"title":"坏日期","leadUnit":"c-fp","deadline":"6月10日"}""", "deadline")]
    [InlineData("""{"leadUnit":"c-fp","deadline":"2026-06-10"}""", "title")]
    [InlineData("""{"title":"坏周期","leadUnit":"c-fp","ongoing":true,"reportEvery":"monthly"}""", "reportEvery")]
    [InlineData("""{"title":"类型错","leadUnit":"c-fp","deadline":"2026-06-10","units":"c-cz"}""", "units")]
    [InlineData("""{"title":"控制\u0000字符","leadUnit":"c-fp","deadline":"2026-06-10"}""", "title")]
    public async Task Item_BadFields_Return400(string json, string field)
    {
        var id = await org.CampaignAsync("c-lg");
        await (await admin.PostRawAsync($"/api/campaigns/{id}/items", json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("""{"title":"X","leadUnit":"ghost","deadline":"2026-06-10"}""", "leadUnit")]
    [InlineData("""{"title":"X","leadUnit":"c-fp","units":["c-cz","ghost"],"deadline":"2026-06-10"}""", "units[1]")]
    [InlineData("""{"title":"X","leadUnit":"c-fp","responsibleLeaderId":"2f1d1c2e-0000-4000-8000-000000000000","deadline":"2026-06-10"}""", "responsibleLeaderId")]
    public async Task Item_UnknownReference_Returns422NamingTheField(string json, string field)
    {
        var id = await org.CampaignAsync("c-lg");
        await (await admin.PostRawAsync($"/api/campaigns/{id}/items", json)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }

    [Fact]
    public async Task Item_InUnknownCampaign_Returns404()
    {
        await (await admin.PostJsonAsync($"/api/campaigns/{Guid.NewGuid()}/items", new { title = "X", leadUnit = "c-fp", deadline = "2026-06-10" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Item_OverlongTitle_Returns400()
    {
        var id = await org.CampaignAsync("c-lg");
        await (await admin.PostJsonAsync($"/api/campaigns/{id}/items", new { title = new string('问', 100_000), leadUnit = "c-fp", deadline = "2026-06-10" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "title");
    }

    [Fact]
    public async Task Item_UpdateAndDeleteWhileDraft()
    {
        var id = await org.CampaignAsync("c-lg");
        var item = await org.ItemAsync(id, "原标题", "c-fp");
        var itemId = item.Str("id");
        var updated = await (await admin.PutAsJsonAsync($"/api/items/{itemId}", new { title = "新标题", leadUnit = "c-cz", deadline = "2026-09-30", hardDeadline = true }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        updated.Str("title").ShouldBe("新标题");
        updated.Str("leadUnit").ShouldBe("c-cz");
        updated.GetProperty("hardDeadline").GetBoolean().ShouldBeTrue();
        updated.GetProperty("version").GetInt32().ShouldBe(2);
        (await admin.DeleteAsync($"/api/items/{itemId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await admin.GetAsync($"/api/items/{itemId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        // The (append-only) journal keeps the deletion: who, and which item it was.
        await using var db = app.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("select actor || ' ' || type || ' ' || (data->>'title') from journal where item_id = @id::uuid");
        cmd.Parameters.AddWithValue("id", itemId);
        ((string?)await cmd.ExecuteScalarAsync()).ShouldBe("admin deleted 新标题");
    }

    [Fact]
    public async Task Items_ListFiltersByCampaignUnitAndText()
    {
        var id = await org.CampaignAsync("c-lg");
        await org.ItemAsync(id, "危房改造进度缓慢", "c-fp");
        await org.ItemAsync(id, "资金拨付不及时", "c-cz", ["c-fp"]);
        await org.ItemAsync(id, "档案不完善", "c-cz");
        var byUnit = await (await admin.GetAsync($"/api/items?campaignId={id}&unit=c-fp")).JsonAsync();
        byUnit.GetProperty("total").GetInt64().ShouldBe(2);
        var byText = await (await admin.GetAsync($"/api/items?campaignId={id}&q=资金")).JsonAsync();
        byText.GetProperty("items").EnumerateArray().Select(i => i.Str("title")).ShouldBe(["资金拨付不及时"]);
        var paged = await (await admin.GetAsync($"/api/items?campaignId={id}&pageSize=1&page=3")).JsonAsync();
        paged.GetProperty("items")[0].Str("title").ShouldBe("档案不完善");
        paged.GetProperty("total").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task Items_BadStateFilter_Returns400()
    {
        await (await admin.GetAsync("/api/items?state=finished")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "state");
    }

    [Fact]
    public async Task Items_HugePageSize_IsCappedAt500()
    {
        var page = await (await admin.GetAsync("/api/items?pageSize=100000")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        page.GetProperty("items").GetArrayLength().ShouldBeLessThanOrEqualTo(500);
    }

    [Fact]
    public async Task DraftItem_IsNotOverdueEvenPastItsDeadline()
    {
        var id = await org.CampaignAsync("c-lg");
        var item = await org.ItemAsync(id, "旧问题", "c-fp", deadline: "2020-01-01");
        item.GetProperty("overdueDays").GetInt32().ShouldBe(0);
        item.Str("light").ShouldBe("green");
        var c = await (await admin.GetAsync($"/api/campaigns/{id}")).JsonAsync();
        c.GetProperty("stats").GetProperty("overdue").GetInt64().ShouldBe(0);
    }
}
