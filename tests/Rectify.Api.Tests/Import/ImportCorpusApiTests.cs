using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// Issue 15: the seed 001 list as a county office sends it — .xlsx and .xls saved by LibreOffice, a Word table, a GBK
/// CSV — imports with the units (collective names expanded through unit groups and unit kinds), deadlines and
/// categories a person reads from it, field by field, and the answer says what each collective name became.
/// </summary>
public sealed class ImportCorpusApiTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private static readonly (string Code, string Name, string Kind)[] County =
    [
        ("lgo", "县扶贫开发领导小组办公室", "leadingGroup"), ("dcs", "县委督查室", "supervisionOffice"), ("xwb", "县委办", "department"), ("xzfb", "县政府办", "department"),
        ("zhb", "县脱贫攻坚指挥部", "other"), ("fpb", "县扶贫办", "department"), ("ydb", "县易地扶贫搬迁指挥部", "other"),
        ("gtj", "县国土局", "department"), ("zjj", "县住建局", "department"), ("czj", "县财政局", "department"),
        ("nyj", "县农业局", "department"), ("lyj", "县林业局", "department"), ("rsj", "县人社局", "department"),
        ("gaj", "县公安局", "department"), ("jyj", "县教育局", "department"),
        ("cyz", "城子镇", "township"), ("hsx", "户撒乡", "township"), ("zfz", "章凤镇", "township"),
    ];

    private static readonly string[] Townships = ["cyz", "hsx", "zfz"];
    private static readonly string[] Members = ["czj", "fpb", "jyj", "nyj", "rsj", "zjj"];

    private async Task<HttpClient> CountyAsync()
    {
        var admin = await app.AdminAsync();
        foreach (var (code, name, kind) in County)
        {
            var response = await admin.PostAsJsonAsync("/api/units", new { code, name, kind });
            if (response.StatusCode != HttpStatusCode.Conflict) response.EnsureSuccessStatusCode();
        }
        (await admin.PutAsJsonAsync("/api/unit-groups/领导小组成员单位", new { aliases = Array.Empty<string>(), units = Members })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/unit-groups/帮扶单位", new { aliases = new[] { "挂钩单位" }, units = new[] { "gaj", "czj" } })).EnsureSuccessStatusCode();
        return admin;
    }

    [Theory]
    [InlineData("001-county.xlsx")]
    [InlineData("001-county.xls")]
    [InlineData("001-county.docx")]
    [InlineData("001-county-gbk.csv")]
    public async Task CountyList_ImportsWhatAPersonReads(string file)
    {
        var admin = await CountyAsync();
        var campaign = await DocumentsSeed.CampaignAsync(admin, $"语料 {file}");
        var response = await DocumentsSeed.ImportAsync(admin, campaign, Corpus.Read(file), file);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        result.GetProperty("imported").GetInt32().ShouldBe(6);
        var collectives = result.GetProperty("collectives").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (Group: c.GetProperty("group").GetString(), Units: c.GetProperty("units").EnumerateArray().Select(u => u.GetString()!).ToArray()));
        collectives["县扶贫开发领导小组各成员单位"].Group.ShouldBe("领导小组成员单位");
        collectives["县扶贫开发领导小组各成员单位"].Units.ShouldBe(Members);
        collectives["领导小组各成员单位"].Group.ShouldBe("领导小组成员单位");
        collectives["各挂钩单位"].Group.ShouldBe("帮扶单位");
        collectives["各挂钩单位"].Units.ShouldBe(["czj", "gaj"]);
        collectives["各乡镇"].Group.ShouldBe("乡镇（全部乡镇类单位）");
        collectives["县直各部门"].Units.ShouldBe(["czj", "fpb", "gaj", "gtj", "jyj", "lyj", "nyj", "rsj", "xwb", "xzfb", "zjj"]);

        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        items.Select(i => i.Number).ShouldBe(["1", "2", "3", "4", "5", "6"]);
        const string first = "（一）扶贫措施不精准、不到位", second = "（二）产业就业教育扶贫不够精准";
        items.Select(i => i.Category).ShouldBe([first, first, first, second, second, second]);
        items[0].ShouldSatisfyAllConditions(
            i => i.Title.ShouldBe("贫困户致贫原因分析不准确的比例高于10%"),
            i => i.Measures!.ShouldStartWith("精准分析贫困户致贫原因"),
            i => i.LeadUnit.ShouldBe("fpb"),
            i => i.Units.ShouldBe(["zhb", "czj", "jyj", "nyj", "rsj", "zjj", .. Townships]),
            i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 10)), i => i.Ongoing.ShouldBeFalse());
        items[1].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("ydb"),
            i => i.Units.ShouldBe(["gtj", "zjj", "fpb", "czj", "gaj", .. Townships]),
            i => i.Measures!.ShouldContain("坚决于5月底前完成拆旧工作"),
            i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 10)));
        items[2].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("xwb"),
            i => i.Units.ShouldBe(["xzfb", "zhb", .. Members, .. Townships]),
            i => i.Ongoing.ShouldBeTrue(), i => i.Deadline.ShouldBeNull());
        items[3].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("fpb"), i => i.Units.ShouldBe(["nyj", "czj", "lyj", .. Townships]),
            i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 10)));
        items[4].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("rsj"), i => i.Units.ShouldBe(["gaj", "jyj", "fpb", .. Townships]),
            i => i.Deadline.ShouldBe(new DateOnly(2018, 9, 30)));
        items[5].ShouldSatisfyAllConditions(
            i => i.LeadUnit.ShouldBe("jyj"), i => i.Units.ShouldBe(["fpb", "czj", "gaj", "gtj", "lyj", "nyj", "rsj", "xwb", "xzfb", "zjj"]),
            i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 10)));
        (await DeadlineTextsAsync(campaign)).ShouldBe(["6月10日前", "6月10日前", "长期坚持", "6月10日前", "9月30日前", "6月10日前"]);
        items.Select(i => i.DeadlineText).ShouldBe(["6月10日前", "6月10日前", "长期坚持", "6月10日前", "9月30日前", "6月10日前"]);

        // Sources (问题来源 column): "媒体暗访" names two sources, the first named is taken.
        items.Select(i => i.Source).ShouldBe(["考核反馈", "第三方评估", "民主监督", "考核反馈", "媒体", "督查"]);

        // Milestones: the dated steps of the measures, each with its date read like the deadline column (2018, the
        // notice's year); "年内完成…" names no date; the items keep their own deadlines.
        items[0].Milestones.ShouldBeEmpty();
        items[1].Milestones!.Select(m => (m.Seq, m.Date, m.Text, m.DoneAt)).ShouldBe([(1, new DateOnly(2018, 5, 31), "于5月底前完成拆旧工作", (DateTimeOffset?)null)]);
        items[2].Milestones.ShouldBeEmpty();
        items[3].Milestones!.Select(m => (m.Seq, m.Date, m.Text)).ShouldBe(
            [(1, new DateOnly(2018, 5, 20), "于5月20日前将全县脱贫户中收入不稳定、转移性收入占比过高的排查出来，制定切实可行的整改计划")]);
        items[4].Milestones.ShouldBeEmpty();
        items[5].Milestones.ShouldBeEmpty();
        items[3].Deadline.ShouldBe(new DateOnly(2018, 6, 10));
    }

    [Fact]
    public async Task IndefiniteAndUngroupedCollectiveNames_AreErrorsNamingTheCandidates_AndNothingIsImported()
    {
        var admin = await CountyAsync();
        var campaign = await DocumentsSeed.CampaignAsync(admin, "不明确的单位");
        var file = ImportFiles.Csv(
        [
            ["序号", "反馈问题", "牵头单位", "责任单位", "整改时限"],
            ["1", "问题一", "县扶贫办", "相关乡镇", "6月10日前"],
            ["2", "问题二", "各乡镇", "", "6月10日前"],
            ["3", "问题三", "县扶贫办", "各驻村扶贫工作队", "6月10日前"],
        ], ImportFiles.CsvEncoding.Utf8);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "list.csv");
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var errors = (await DocumentsSeed.ReadImportAsync(response)).Errors.Select(e => e.Message).ToList();
        errors.ShouldBe(
        [
            "第2行 责任单位（D2）：“相关乡镇”没有指明具体单位，请改写为具体单位或单位分组（可选：城子镇、户撒乡、章凤镇）",
            "第3行 牵头单位（C3）：牵头单位应为一个具体单位，“各乡镇”是集合名称（3 个单位），请写在责任单位中",
            "第4行 责任单位（D4）：“各驻村扶贫工作队”是集合名称，但没有名为“驻村扶贫工作队”的单位分组，请先在“单位分组”中设置，或改写为具体单位",
        ], ignoreOrder: true);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();
    }

    [Fact]
    public async Task UnitAliases_AndGroups_AreMaintainedThroughTheApi()
    {
        var admin = await CountyAsync();
        (await admin.PutAsJsonAsync("/api/unit-aliases/扶贫开发办", new { unitCode = "fpb" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/unit-aliases/x", new { unitCode = "nope" })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await admin.PutAsJsonAsync("/api/unit-groups/坏分组", new { units = new[] { "nope" } })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var groups = await admin.GetFromJsonAsync<JsonElement>("/api/unit-groups");
        groups.EnumerateArray().Select(g => g.GetProperty("name").GetString()).ShouldContain("帮扶单位");
        var page = await (await admin.GetAsync("/admin/unit-groups")).Content.ReadAsStringAsync();
        page.ShouldContain("data-testid=\"unit-groups\"");
        page.ShouldContain("县财政局、县公安局");
        page.ShouldContain("扶贫开发办");
        var campaign = await DocumentsSeed.CampaignAsync(admin, "别名");
        var file = ImportFiles.Csv([["反馈问题", "牵头单位", "责任单位", "整改时限"], ["问题", "扶贫开发办", "各帮扶单位", "6月底"]], ImportFiles.CsvEncoding.Utf8);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "a.csv");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var item = (await DocumentsSeed.ItemsAsync(admin, campaign)).Single();
        item.LeadUnit.ShouldBe("fpb");
        item.Units.ShouldBe(["czj", "gaj"]);
        item.Deadline.ShouldBe(new DateOnly(2018, 6, 30));
        (await admin.DeleteAsync("/api/unit-groups/帮扶单位")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await admin.DeleteAsync("/api/unit-groups/帮扶单位")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<List<string?>> DeadlineTextsAsync(Guid campaign)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select deadline_text from items where campaign_id = @c order by seq", connection);
        command.Parameters.AddWithValue("c", campaign);
        var list = new List<string?>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        return list;
    }
}
