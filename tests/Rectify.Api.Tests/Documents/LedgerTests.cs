using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Documents;
using Rectify.Api.Tests.Import;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Documents;

public sealed class LedgerTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    internal static byte[] ProblemList() => Xlsx(
    [
        ["序号", "问题类别", "反馈问题", "问题详情", "整改措施", "整改目标", "责任领导", "牵头单位", "责任单位", "整改时限"],
        [1d, "精准识别", "识别不精准", "错评漏评 12 户", "回头看", "错评率<2%", "张三", "县扶贫办", "县民政局、章凤镇", "2018-06-10"],
        [2d, "精准识别", "档案不规范", null, "规范档案", null, "李四", "fpb", null, "2018-06-30"],
        [3d, "资金使用", "=1+2 资金拨付滞后", null, "加快拨付", null, null, "czj", "fpb", "2018-05-31"],
        [4d, "资金使用", "项目进度慢", null, null, null, null, "czj", null, "长期坚持"],
        [5d, "作风建设", "-会议多", null, null, null, null, "zfz", null, "2018-06-10"],
    ], "B2:B3");

    /// <summary>A campaign with the five items above, then (as the runtime would) item 1 closed on time, 2 closed late, 3 escalated.</summary>
    internal static async Task<Guid> CampaignWithHistoryAsync(RectifyApp app, HttpClient admin, string title)
    {
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, title);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, ProblemList(), "list.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.ExecuteAsync("""
            update campaigns set state = 'active', launched_at = '2018-05-14T01:00:00Z' where id = @campaign;
            update items set state = 'inProgress', assigned_at = '2018-05-14T01:00:00Z', acknowledged_at = '2018-05-15T02:00:00Z' where campaign_id = @campaign;
            update items set state = 'closed', closed_at = '2018-06-08T03:00:00Z' where campaign_id = @campaign and number = '1';
            update items set state = 'closed', closed_at = '2018-07-03T03:00:00Z' where campaign_id = @campaign and number = '2';
            update items set escalation_level = 'supervisionLetter' where campaign_id = @campaign and number = '3';
            insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at)
            select gen_random_uuid(), campaign_id, id, 'supervisionLetter', 'dcs', '2018-06-04T01:00:00Z' from items where campaign_id = @campaign and number = '3';
            """, new { campaign });
        return campaign;
    }

    [Fact]
    public async Task Ledger_OneRowPerItem_ValidWithChineseHeadersFrozenAndNeutralised()
    {
        var admin = await app.AdminAsync();
        var campaign = await CampaignWithHistoryAsync(app, admin, "台账测试整改");
        var response = await admin.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        OpenXmlChecks.SpreadsheetErrors(bytes).ShouldBeEmpty();
        var pane = OpenXmlChecks.FrozenPane(bytes)!;
        pane.VerticalSplit!.Value.ShouldBe(2);
        pane.State!.Value.ShouldBe(DocumentFormat.OpenXml.Spreadsheet.PaneStateValues.Frozen);
        OpenXmlChecks.ColumnWidths(bytes).Count.ShouldBe(LedgerApi.Columns.Count);

        var rows = OpenXmlChecks.Rows(bytes);
        rows[0][0].ShouldStartWith("台账测试整改 整改台账（截至");
        rows[1].ShouldBe(LedgerApi.Columns.Select(c => c.Header).ToArray());
        rows.Count.ShouldBe(2 + 5);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        string Col(string[] row, string header) { var n = LedgerApi.Columns.Select(c => c.Header).ToList().IndexOf(header); return n < row.Length ? row[n] : ""; }

        var one = rows[2];
        Col(one, "序号").ShouldBe("1");
        Col(one, "问题类别").ShouldBe("精准识别");
        Col(one, "问题详情").ShouldBe("错评漏评 12 户");
        Col(one, "责任领导").ShouldBe("张三");
        Col(one, "牵头单位").ShouldBe("县扶贫办");
        Col(one, "责任单位").ShouldBe("县民政局、章凤镇");
        Col(one, "整改时限").ShouldBe("2018-06-10");
        Col(one, "状态").ShouldBe("已销号");
        Col(one, "交办日期").ShouldBe("2018-05-14");
        Col(one, "签收日期").ShouldBe("2018-05-15");
        Col(one, "销号日期").ShouldBe("2018-06-08");
        Col(one, "逾期工作日").ShouldBe("");
        // Closed 3 July, due 30 June (Saturday): late by 2, 3 July → 2 working days.
        Col(rows[3], "状态").ShouldBe("已销号");
        Col(rows[3], "逾期工作日").ShouldBe("2");
        Col(rows[4], "反馈问题").ShouldBe("'=1+2 资金拨付滞后");
        Col(rows[4], "督办等级").ShouldBe("督办函");
        Col(rows[4], "状态").ShouldBe("整改中");
        // Working days as the calendar the office maintains has them (Monday–Friday where it has no entry).
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var calendar = await Rectify.Workflows.Calendar.WorkingCalendar.ReadAsync(connection, CancellationToken.None);
        Col(rows[4], "逾期工作日").ShouldBe(calendar.WorkingDaysBetween(new DateOnly(2018, 5, 31), today).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Col(rows[5], "整改时限").ShouldBe("长期坚持");
        Col(rows[5], "逾期工作日").ShouldBe("");
        Col(rows[6], "反馈问题").ShouldBe("'-会议多");
    }

    [Fact]
    public async Task Ledger_FiltersAndVisibility_MatchTheItemList()
    {
        var admin = await app.AdminAsync();
        var campaign = await CampaignWithHistoryAsync(app, admin, "台账筛选整改");
        async Task<List<string>> Numbers(HttpClient client, string query)
        {
            var bytes = await client.GetByteArrayAsync($"/api/campaigns/{campaign}/ledger.xlsx{query}");
            return OpenXmlChecks.Rows(bytes).Skip(2).Select(r => r[0]).ToList();
        }
        async Task<List<string>> ListNumbers(HttpClient client, string query)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/items?campaignId={campaign}&pageSize=500{query.Replace('?', '&')}");
            return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToList();
        }
        foreach (var query in new[] { "", "?unit=czj", "?state=closed", "?overdue=true", "?overdue=false", "?q=会议", "?unit=fpb&state=inProgress" })
            (await Numbers(admin, query)).ShouldBe(await ListNumbers(admin, query), query);
        (await Numbers(admin, "?unit=czj")).ShouldBe(["3", "4"]);
        (await Numbers(admin, "?state=closed")).ShouldBe(["1", "2"]);

        (await admin.PostAsJsonAsync("/api/users", new { userName = "zfz-ledger", password = "Unit@12345", role = "unit", unitCode = "zfz" })).EnsureSuccessStatusCode();
        var township = await app.ClientAsAsync("zfz-ledger", "Unit@12345");
        (await Numbers(township, "")).ShouldBe(["1", "5"]);
        (await township.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx?state=nonsense")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await township.GetAsync($"/api/campaigns/{Guid.NewGuid()}/ledger.xlsx")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.CreateClient().GetAsync($"/api/campaigns/{campaign}/ledger.xlsx")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ledger_BadQueryValues_AreProblemsNamingTheField()
    {
        // Checked before the campaign is looked up, so any id will do: a value of the wrong type (the binder's 400), a
        // state that is not one, a search too long. Each is problem details, Chinese first, never a 500.
        var admin = await app.AdminAsync();
        var campaign = Guid.NewGuid();
        async Task<JsonElement> Problem(string query)
        {
            var response = await admin.GetAsync($"/api/campaigns/{campaign}/ledger.xlsx{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", query);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var wrongType = await Problem("?overdue=maybe");
        wrongType.GetProperty("title").GetString().ShouldBe("请求格式有误 / Malformed request");
        // The binder's own sentence names the parameter and the value (the record's property, as /api/items does).
        var detail = wrongType.GetProperty("detail").GetString()!;
        detail.ShouldStartWith("请求无法解析：");
        detail.ShouldContain("overdue", Case.Insensitive);
        detail.ShouldContain("\"maybe\"");
        detail.ShouldStartWith("请求无法解析：参数 overdue 的值 \"maybe\" 不是布尔值（true 或 false）");
        wrongType.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["overdue"]);
        (await Problem("?state=nonsense")).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["state"]);
        (await Problem($"?q={new string('问', 201)}")).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["q"]);
    }

    [Fact]
    public async Task Ledger_ImportedIntoANewCampaign_GivesTheSameItems()
    {
        var admin = await app.AdminAsync();
        var first = await CampaignWithHistoryAsync(app, admin, "往返测试一");
        var ledger = await admin.GetByteArrayAsync($"/api/campaigns/{first}/ledger.xlsx");
        var second = await DocumentsSeed.CampaignAsync(admin, "往返测试二");
        var response = await DocumentsSeed.ImportAsync(admin, second, ledger, "台账.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        static object Shape(ItemView i) => new
        {
            i.Number, i.Category, i.Title, i.Description, i.Measures, i.Target, Leader = i.ResponsibleLeader?.Id, i.LeadUnit,
            Units = string.Join(",", i.Units), i.Deadline, i.Ongoing,
        };
        var before = (await DocumentsSeed.ItemsAsync(admin, first)).Select(Shape).ToList();
        var after = (await DocumentsSeed.ItemsAsync(admin, second)).Select(Shape).ToList();
        after.Count.ShouldBe(5);
        after.ShouldBe(before);
    }

    [Fact]
    public async Task Ledger_OfMoreItemsThanOneRead_HasEveryRowOnceInOrder_AndTheTitleCountsThem()
    {
        var admin = await app.AdminAsync();
        var campaign = await CampaignWithHistoryAsync(app, admin, "台账分批读取整改");
        var extra = 2 * DocumentItems.StreamBatch + 500;
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
            await connection.ExecuteAsync("""
                insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state, assigned_at)
                select gen_random_uuid(), @campaign, 5 + n, 'N' || n, '分批问题' || n, 'czj', array['czj'], date '2018-06-30',
                       date '2018-06-30', 'inProgress', '2018-05-14T01:00:00Z'
                from generate_series(1, @extra) n
                """, new { campaign, extra });
        var account = new { userName = "czj-ledger", password = "Unit@12345", role = "unit", unitCode = "czj" };
        (await admin.PostAsJsonAsync("/api/users", account)).EnsureSuccessStatusCode();
        var unit = await app.ClientAsAsync("czj-ledger", "Unit@12345");
        foreach (var (client, first) in new[] { (admin, new[] { "1", "2", "3", "4", "5" }), (unit, ["3", "4"]) })
        {
            var rows = OpenXmlChecks.Rows(await client.GetByteArrayAsync($"/api/campaigns/{campaign}/ledger.xlsx"));
            var expected = first.Concat(Enumerable.Range(1, extra).Select(n => $"N{n}")).ToList();
            rows.Skip(2).Select(r => r[0]).ToList().ShouldBe(expected);
            rows[0][0].ShouldContain($"共{expected.Count}项");
        }
    }
}
