using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Import;

public sealed class ImportApiTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private static DateOnly D(int m, int d, int y = 2018) => new(y, m, d);

    [Fact]
    public async Task Import_AwkwardXlsx_ReadsEveryField()
    {
        var admin = await app.AdminAsync();
        var people = await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var file = Xlsx(
        [
            ["陇川县扶贫开发工作成效考核反馈问题整改清单"],
            ["序 号", "问题类别", "反馈问题（问题描述）", "整改　措施", "整改目标", "责任领导：", "牵头单位", "*责任单位", "整改时限（完成时间）"],
            [1d, "一、精准识别方面", "贫困人口识别不精准，存在错评漏评", "开展“回头看”", "错评率低于2%", "张三", "县扶贫办", "县民政局、章凤镇", "2018年6月10日前"],
            [2d, null, "档案资料不规范", "规范档案", null, "李四（副县长）", "fpb", "czj，mzj", "６月１０日前"],
            [3d, null, "帮扶措施\n不精准", null, null, null, "扶贫办", "县财政局;县教育局；户撒乡", Serial(2018, 6, 15)],
            [4d, "二、资金使用方面", "资金拨付滞后", null, null, null, "县财政局", "czj, fpb", "2018/6/20"],
            [5d, "二、资金使用方面", "项目进度慢", null, null, null, null, "县财政局（牵头）、县扶贫办", "6月底前"],
            [6d, "二、资金使用方面", "=SUM(A1:A9) 公式文本", null, null, null, "czj", null, "年底前"],
            [7d, "三、作风建设方面", "形式主义问题", null, null, null, "fpb", null, "长期坚持"],
            [8d, "三、作风建设方面", "立行立改问题", null, null, null, "fpb", null, "立行立改"],
            [9d, "三、作风建设方面", "通报问题", null, null, null, "fpb", null, "通报后两个月内"],
            [10d, "三、作风建设方面", "工作日问题", null, null, null, "fpb", null, "10个工作日内"],
        ], "A1:I1", "B3:B5");

        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "问题清单.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await DocumentsSeed.ReadImportAsync(response);
        result.Imported.ShouldBe(10);
        result.Errors.ShouldBeEmpty();

        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        items.Select(i => i.Number).ShouldBe(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
        items[0].ShouldSatisfyAllConditions(
            i => i.Category.ShouldBe("一、精准识别方面"), i => i.Title.ShouldBe("贫困人口识别不精准，存在错评漏评"),
            i => i.Measures.ShouldBe("开展“回头看”"), i => i.Target.ShouldBe("错评率低于2%"),
            i => i.ResponsibleLeader!.Id.ShouldBe(people["张三"]), i => i.LeadUnit.ShouldBe("fpb"),
            i => i.Units.ShouldBe(["mzj", "zfz"]), i => i.Deadline.ShouldBe(D(6, 10)), i => i.Ongoing.ShouldBeFalse(), i => i.State.ShouldBe("draft"));
        items[1].ShouldSatisfyAllConditions(
            i => i.Category.ShouldBe("一、精准识别方面"), i => i.ResponsibleLeader!.Id.ShouldBe(people["李四"]),
            i => i.Target.ShouldBeNull(), i => i.LeadUnit.ShouldBe("fpb"), i => i.Units.ShouldBe(["czj", "mzj"]), i => i.Deadline.ShouldBe(D(6, 10)));
        items[2].ShouldSatisfyAllConditions(
            i => i.Category.ShouldBe("一、精准识别方面"), i => i.Title.ShouldBe("帮扶措施 不精准"), i => i.ResponsibleLeader.ShouldBeNull(),
            i => i.LeadUnit.ShouldBe("fpb"), i => i.Units.ShouldBe(["czj", "jyj", "hsz"]), i => i.Deadline.ShouldBe(D(6, 15)));
        items[3].ShouldSatisfyAllConditions(i => i.Category.ShouldBe("二、资金使用方面"), i => i.LeadUnit.ShouldBe("czj"),
            i => i.Units.ShouldBe(["czj", "fpb"]), i => i.Deadline.ShouldBe(D(6, 20)));
        items[4].ShouldSatisfyAllConditions(i => i.LeadUnit.ShouldBe("czj"), i => i.Units.ShouldBe(["fpb"]), i => i.Deadline.ShouldBe(D(6, 30)));
        items[5].ShouldSatisfyAllConditions(i => i.Title.ShouldBe("=SUM(A1:A9) 公式文本"), i => i.Units.ShouldBeEmpty(), i => i.Deadline.ShouldBe(D(12, 31)));
        items[6].ShouldSatisfyAllConditions(i => i.Deadline.ShouldBeNull(), i => i.Ongoing.ShouldBeTrue());
        // 立行立改: 5 working days after the rectify phase starts (Monday 14 May 2018).
        items[7].Deadline.ShouldBe(D(5, 21));
        items[8].Deadline.ShouldBe(D(7, 9));
        items[9].Deadline.ShouldBe(D(5, 28));
        items.ShouldAllBe(i => i.EffectiveDeadline == i.Deadline);
    }

    [Fact]
    public async Task Import_TwoHeaderRowsUnderMergedResponsibleUnits_SplitsLeadAndCooperating()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var file = Xlsx(
        [
            ["序号", "反馈问题", "责任单位", null, "完成时限"],
            [null, null, "牵头单位", "配合单位", null],
            [1d, "义务教育控辍保学不到位", "县教育局", "章凤镇、户撒乡", "2018年9月30日前"],
        ], "A1:A2", "B1:B2", "C1:D1", "E1:E2");
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "two-rows.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var item = (await DocumentsSeed.ItemsAsync(admin, campaign)).Single();
        item.LeadUnit.ShouldBe("jyj");
        item.Units.ShouldBe(["zfz", "hsz"]);
        item.Deadline.ShouldBe(D(9, 30));
    }

    [Theory]
    [InlineData(CsvEncoding.Utf8Bom)]
    [InlineData(CsvEncoding.Utf8)]
    [InlineData(CsvEncoding.Gbk)]
    public async Task Import_Csv_InEveryEncodingWithSynonymsAndBanners(CsvEncoding encoding)
    {
        var admin = await app.AdminAsync();
        var people = await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var file = Csv(
        [
            ["关于考核反馈问题的整改清单"],
            ["编号", "问题描述", "整改措施", "牵头领导", "牵头部门", "责任部门", "完成时限"],
            ["一、基础设施方面"],
            ["1", "安全饮水工程进度滞后", "加快建设, 按期完工", "张三", "县财政局", "章凤镇；户撒乡", "2018年6月10日前"],
            ["2", "危房改造质量不高", "逐户验收", "", "czj", "", "通报后2个月内"],
            ["二、作风方面"],
            ["3", "会议多、文件多", "精文简会", "", "县扶贫办", "", "长期"],
        ], encoding);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, "清单.csv");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        items.Count.ShouldBe(3);
        items[0].ShouldSatisfyAllConditions(i => i.Category.ShouldBe("一、基础设施方面"), i => i.Title.ShouldBe("安全饮水工程进度滞后"),
            i => i.Measures.ShouldBe("加快建设, 按期完工"), i => i.ResponsibleLeader!.Id.ShouldBe(people["张三"]),
            i => i.LeadUnit.ShouldBe("czj"), i => i.Units.ShouldBe(["zfz", "hsz"]), i => i.Deadline.ShouldBe(D(6, 10)));
        items[1].ShouldSatisfyAllConditions(i => i.Category.ShouldBe("一、基础设施方面"), i => i.LeadUnit.ShouldBe("czj"),
            i => i.Units.ShouldBeEmpty(), i => i.Deadline.ShouldBe(D(7, 9)));
        items[2].ShouldSatisfyAllConditions(i => i.Category.ShouldBe("二、作风方面"), i => i.Title.ShouldBe("会议多、文件多"),
            i => i.Ongoing.ShouldBeTrue(), i => i.Deadline.ShouldBeNull());
    }

    private const string Late = "日期不能晚于 2028-05-09（整改工作发文或创建后 10 年内）/ the date cannot be after 2028-05-09 (10 years after the campaign's notice or creation)";
    private const string Early = "日期不能早于 2000-01-01 / the date cannot be before 2000-01-01";

    public static TheoryData<string, byte[], string, string[]> BrokenFiles() => new()
    {
        {
            "bad date names the cell", Xlsx(
            [
                ["整改问题清单"],
                ["序号", "反馈问题", "整改措施", "责任领导", "责任单位", "整改时限"],
                [1d, "问题一", "措施", null, "fpb", "6月10日前"],
                [2d, "问题二", "措施", null, "fpb", "2018-06-30"],
                [3d, "问题三", "措施", null, "fpb", "尽快"],
            ], "A1:F1"), "list.xlsx", ["第5行 整改时限（F5）：无法识别的日期“尽快”"]
        },
        {
            "unknown unit and unknown leader", Xlsx(
            [
                ["序号", "反馈问题", "责任领导", "牵头单位", "责任单位", "整改时限"],
                [1d, "问题一", "王五", "fpb", "县直相关部门、czj", "6月10日前"],
                [2d, "问题二", null, "县扶贫局", null, "6月31日前"],
            ]), "list.xlsx",
            [
                "第2行 责任单位（E2）：“县直相关部门”没有指明具体单位，请改写为具体单位或单位分组（可选：县财政局、县扶贫办、县教育局、县民政局）",
                "第2行 责任领导（C2）：人员中没有名为“王五”的责任领导，请先在人员管理中添加",
                "第3行 牵头单位（D3）：无法识别的单位“县扶贫局”",
                "第3行 整改时限（F3）：日期不存在“6月31日”",
            ]
        },
        {
            "missing required columns", Csv([["序号", "问题类别", "整改措施"], ["1", "类别", "措施"]], CsvEncoding.Utf8), "list.csv",
            [
                "第1行 表头：缺少必需的列“反馈问题”（可用列名：“反馈问题”、“问题描述”、“问题”、“具体问题”、“问题内容”、“问题清单”、“反馈问题描述”、“主要问题”）",
                "第1行 表头：缺少必需的列“整改时限”（可用列名：“整改时限”、“完成时限”、“时限”、“完成时间”、“整改期限”、“时限要求”）",
                "第1行 表头：缺少必需的列“牵头单位”（可用列名：“牵头单位”、“牵头部门”、“牵头责任单位”、“责任单位”、“责任部门”、“配合单位”、“配合部门”、“协办单位”、“责任主体”）",
            ]
        },
        {
            "empty problem and empty deadline", Csv([["反馈问题", "责任单位", "整改时限"], ["", "fpb", "6月10日前"], ["问题", "fpb", ""]], CsvEncoding.Utf8), "list.csv",
            ["第2行 反馈问题（A2）：问题内容为空", "第3行 整改时限（C3）：整改时限为空，请填写日期或“长期坚持”"]
        },
        {
            // Issue 19: the importer checks a deadline's reach as the API does (notice 2018-05-09: 2000-01-01 to 2028-05-09).
            "deadlines beyond the campaign's reach (.xlsx)", Xlsx(
            [
                ["序号", "反馈问题", "责任单位", "整改时限"],
                [1d, "问题一", "fpb", "9999年12月31日前"],
                [2d, "问题二", "fpb", "9999-12-31"],
                [3d, "问题三", "fpb", "1999年6月30日前"],
                [4d, "问题四", "fpb", "2028-05-09"],
                [5d, "问题五", "fpb", "2028年5月10日前"],
                [6d, "问题六", "fpb", "通报后3650年内"],
            ]), "reach.xlsx",
            [
                "第2行 整改时限（D2）：“9999年12月31日前”：" + Late,
                "第3行 整改时限（D3）：“9999-12-31”：" + Late,
                "第4行 整改时限（D4）：“1999年6月30日前”：" + Early,
                "第6行 整改时限（D6）：“2028年5月10日前”：" + Late,
                "第7行 整改时限（D7）：“通报后3650年内”：" + Late,
            ]
        },
        {
            "deadlines beyond the campaign's reach (.csv)", Csv(
            [
                ["反馈问题", "责任单位", "整改时限"],
                ["问题一", "fpb", "9999年底前"],
                ["问题二", "fpb", "1900-01-01"],
                ["问题三", "fpb", "6月10日前"],
            ], CsvEncoding.Gbk), "reach.csv",
            ["第2行 整改时限（C2）：“9999年底前”：" + Late, "第3行 整改时限（C3）：“1900-01-01”：" + Early]
        },
        {
            "no header row", Csv([["随便写的内容"], ["另一行"]], CsvEncoding.Utf8), "list.csv",
            ["未找到表头行：前 20 行中没有可识别的列名（如 序号、反馈问题、整改措施、责任单位、整改时限） / no header row found"]
        },
        {
            "header without rows", Csv([["反馈问题", "责任单位", "整改时限"]], CsvEncoding.Utf8), "list.csv",
            ["第1行表头以下没有问题数据 / no rows under the header"]
        },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Import_BrokenFile_RejectsEverythingAndNamesTheCells(string why, byte[] file, string name, string[] messages)
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, file, name);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, why);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var body = await DocumentsSeed.ReadImportAsync(response);
        body.Imported.ShouldBe(0);
        body.Errors.Select(e => e.Message).ShouldBe(messages, ignoreOrder: true, customMessage: why);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty(why);
    }

    [Theory]
    [InlineData("empty.xlsx", new byte[0], "文件为空 / the file is empty")]
    [InlineData("picture.xlsx", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D }, "文件实际是 PNG 图片，不是问题清单表格 / not a spreadsheet (.xlsx, .xls, .docx or .csv)")]
    [InlineData("picture.csv", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D }, "文件实际是 PNG 图片，不是问题清单表格 / not a spreadsheet (.xlsx, .xls, .docx or .csv)")]
    [InlineData("binary.csv", new byte[] { 0x01, 0x00, 0x02, 0x00, 0x41 }, "文件不是 Excel（.xlsx/.xls）、Word（.docx）或 CSV 表格 / not a spreadsheet (.xlsx, .xls, .docx or .csv)")]
    [InlineData("broken.xlsx", new byte[] { (byte)'P', (byte)'K', 3, 4, 1, 2, 3 }, "文件不是有效的 Excel（.xlsx）文件 / not a valid .xlsx file")]
    [InlineData("old.xls", new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }, "文件不是有效的 Excel 97–2003（.xls）文件（Word 97–2003 的 .doc 文件请另存为 .docx） / not a valid .xls file")]
    public async Task Import_NotASpreadsheet_Is400(string name, byte[] content, string message)
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var response = await DocumentsSeed.ImportAsync(admin, campaign, content, name);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await DocumentsSeed.ReadImportAsync(response);
        body.Errors.Single().Message.ShouldBe(message);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Import_ByAUnitUser_IsForbidden_AndUnknownCampaignIs404()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin);
        var created = await admin.PostAsJsonAsync("/api/users", new { userName = "fpb-import", password = "Unit@12345", role = "unit", unitCode = "fpb" });
        created.EnsureSuccessStatusCode();
        var unit = await app.ClientAsAsync("fpb-import", "Unit@12345");
        var file = Csv([["反馈问题", "责任单位", "整改时限"], ["问题", "fpb", "6月10日前"]], CsvEncoding.Utf8);
        (await DocumentsSeed.ImportAsync(unit, campaign, file, "a.csv")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await DocumentsSeed.ImportAsync(admin, Guid.NewGuid(), file, "a.csv")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Template_Downloads_WithTheImportHeaders()
    {
        var admin = await app.AdminAsync();
        var response = await admin.GetAsync("/api/campaigns/import-template.xlsx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Documents.OpenXmlChecks.SpreadsheetErrors(bytes).ShouldBeEmpty();
        var rows = Documents.OpenXmlChecks.Rows(bytes);
        rows[0].ShouldBe(["序号", "问题类别", "反馈问题", "整改措施", "整改目标", "责任领导", "牵头单位", "责任单位", "整改时限"]);
    }
}
