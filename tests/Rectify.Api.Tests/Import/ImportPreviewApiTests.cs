using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// Issue 15.6: <c>?dryRun=true</c> shows what an import would create — units resolved, collective names expanded,
/// deadlines beside their text, milestones, sources, errors in their cells with candidates for ambiguous names — and
/// writes nothing but the upload; <c>uploadId</c> (with <c>choices</c>) confirms exactly that file.
/// </summary>
public sealed class ImportPreviewApiTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private static byte[] List(string lead = "县扶贫办", string units = "县财政局、各乡镇", string source = "审计") => Csv(
    [
        ["序号", "问题类别", "反馈问题", "整改措施", "牵头单位", "责任单位", "整改时限", "问题来源"],
        ["1", "一、精准识别", "危房改造不到位", "于5月20日前将危房全部排查出来，5月底前完成拆旧，6月10日前完成新建", lead, units, "6月底前", source],
        ["2", "", "档案不规范", "规范档案", "县教育局", "", "长期坚持", "媒体暗访"],
    ], CsvEncoding.Utf8);

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<HttpResponseMessage> ConfirmAsync(HttpClient client, Guid campaign, string uploadId, object? choices = null, bool dryRun = false)
    {
        using var form = new MultipartFormDataContent { { new StringContent(uploadId), "uploadId" } };
        if (choices is not null) form.Add(new StringContent(JsonSerializer.Serialize(choices)), "choices");
        return await client.PostAsync($"/api/campaigns/{campaign}/items/import{(dryRun ? "?dryRun=true" : "")}", form);
    }

    [Fact]
    public async Task DryRun_ShowsWhatWouldBeCreated_WritesNoItem_ThenTheUploadIsConfirmed()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "预览整改");
        var response = await DocumentsSeed.ImportAsync(admin, campaign, List(), "清单.csv", dryRun: true);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var preview = await JsonOf(response);
        preview.GetProperty("dryRun").GetBoolean().ShouldBeTrue();
        preview.GetProperty("canImport").GetBoolean().ShouldBeTrue();
        preview.GetProperty("wouldImport").GetInt32().ShouldBe(2);
        preview.GetProperty("errors").GetArrayLength().ShouldBe(0);
        preview.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("field").GetString()).ShouldBe(
            ["number", "category", "title", "measures", "leadUnit", "units", "deadline", "source"]);

        var rows = preview.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("row").GetInt32()).ShouldBe([2, 3]);
        var first = rows[0].GetProperty("item");
        first.GetProperty("leadUnit").GetProperty("name").GetString().ShouldBe("县扶贫办");
        first.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("code").GetString()).ShouldBe(["czj", "hsz", "zfz"]);
        first.GetProperty("deadline").GetString().ShouldBe("2018-06-30");
        first.GetProperty("deadlineText").GetString().ShouldBe("6月底前");
        first.GetProperty("source").GetString().ShouldBe("审计");
        first.GetProperty("milestones").EnumerateArray().Select(m => (m.GetProperty("date").GetString(), m.GetProperty("text").GetString())).ShouldBe(
        [
            ("2018-05-20", "于5月20日前将危房全部排查出来"), ("2018-05-31", "5月底前完成拆旧"), ("2018-06-10", "6月10日前完成新建"),
        ]);
        first.GetProperty("collectives").EnumerateArray().Single().GetProperty("name").GetString().ShouldBe("各乡镇");
        var second = rows[1].GetProperty("item");
        second.GetProperty("ongoing").GetBoolean().ShouldBeTrue();
        second.GetProperty("source").GetString().ShouldBe("媒体");
        rows[1].GetProperty("cells").EnumerateArray().Select(c => c.GetString()).ShouldContain("档案不规范");
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty("a dry run writes no item");

        var confirmed = await ConfirmAsync(admin, campaign, preview.GetProperty("uploadId").GetString()!);
        confirmed.StatusCode.ShouldBe(HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync());
        (await JsonOf(confirmed)).GetProperty("imported").GetInt32().ShouldBe(2);
        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        items.Select(i => i.Title).ShouldBe(["危房改造不到位", "档案不规范"]);
        items[0].ShouldSatisfyAllConditions(
            i => i.Deadline.ShouldBe(new DateOnly(2018, 6, 30)), i => i.DeadlineText.ShouldBe("6月底前"), i => i.Source.ShouldBe("审计"),
            i => i.Milestones!.Select(m => m.Date).ShouldBe([new DateOnly(2018, 5, 20), new DateOnly(2018, 5, 31), new DateOnly(2018, 6, 10)]));
        // The upload is used up: a second confirmation finds nothing to import (and imports nothing twice).
        var again = await ConfirmAsync(admin, campaign, preview.GetProperty("uploadId").GetString()!);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task DryRun_WithErrors_HighlightsTheirCells_OffersCandidates_AndAPickMakesItImportable()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "预览错误");
        var file = List(units: "县直相关部门", source: "小道消息");
        var preview = await JsonOf(await DocumentsSeed.ImportAsync(admin, campaign, file, "清单.csv", dryRun: true));
        preview.GetProperty("canImport").GetBoolean().ShouldBeFalse();
        preview.GetProperty("wouldImport").GetInt32().ShouldBe(0);
        var errors = preview.GetProperty("errors").EnumerateArray().ToList();
        errors.Select(e => e.GetProperty("cell").GetString()).ShouldBe(["F2", "H2"], ignoreOrder: true);
        var unitError = errors.Single(e => e.GetProperty("cell").GetString() == "F2");
        unitError.GetProperty("name").GetString().ShouldBe("县直相关部门");
        unitError.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ShouldBe(["czj", "fpb", "jyj", "mzj"], ignoreOrder: true);
        errors.Single(e => e.GetProperty("cell").GetString() == "H2").GetProperty("message").GetString()!.ShouldContain("无法识别的问题来源“小道消息”");
        var row2 = preview.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("row").GetInt32() == 2);
        row2.GetProperty("errors").GetArrayLength().ShouldBe(2);
        row2.GetProperty("item").ValueKind.ShouldBe(JsonValueKind.Null);

        // Without the pick, confirming is refused with the same errors; nothing is written.
        var upload = preview.GetProperty("uploadId").GetString()!;
        (await ConfirmAsync(admin, campaign, upload)).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();

        // A source the office adds, and a pick for the indefinite name: the same upload previews clean and imports.
        (await admin.PutAsJsonAsync("/api/item-sources/小道消息", new { sort = 500 })).EnsureSuccessStatusCode();
        var sources = await (await admin.GetAsync("/admin/item-sources")).Content.ReadAsStringAsync();
        sources.ShouldContain("data-testid=\"item-sources\"");
        sources.ShouldContain("<td>小道消息</td><td>500</td><td>0</td>");
        var choices = new[] { new { cell = "F2", name = "县直相关部门", units = new[] { "czj", "mzj" } } };
        var again = await JsonOf(await ConfirmAsync(admin, campaign, upload, choices, dryRun: true));
        again.GetProperty("canImport").GetBoolean().ShouldBeTrue(again.ToString());
        again.GetProperty("uploadId").GetString().ShouldBe(upload);
        var imported = await ConfirmAsync(admin, campaign, upload, choices);
        imported.StatusCode.ShouldBe(HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        var item = (await DocumentsSeed.ItemsAsync(admin, campaign))[0];
        item.Units.ShouldBe(["czj", "mzj"]);
        item.Source.ShouldBe("小道消息");
        (await admin.DeleteAsync("/api/item-sources/小道消息")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Choices_ThatAreNotJson_OrNameUnknownUnits_AreClearErrors()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "选择有误");
        var preview = await JsonOf(await DocumentsSeed.ImportAsync(admin, campaign, List(units: "有关单位"), "清单.csv", dryRun: true));
        var upload = preview.GetProperty("uploadId").GetString()!;
        using (var form = new MultipartFormDataContent { { new StringContent(upload), "uploadId" }, { new StringContent("[{"), "choices" } })
        {
            var broken = await admin.PostAsync($"/api/campaigns/{campaign}/items/import", form);
            broken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await broken.Content.ReadAsStringAsync()).ShouldContain("choices 应为 JSON 数组");
        }
        var unknown = await ConfirmAsync(admin, campaign, upload, new[] { new { cell = "F2", name = "有关单位", units = new[] { "nope" } } });
        unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("为“有关单位”选定的单位 nope 不存在");
        (await ConfirmAsync(admin, campaign, Guid.NewGuid().ToString())).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();
    }

    /// <summary>An .xlsx saved with an open password (an OLE container, written here) and an .xls saved so by LibreOffice.</summary>
    public static TheoryData<string, byte[]> EncryptedWorkbooks() => new()
    {
        { "加密清单.xlsx", CompoundFile.EncryptedWorkbook() },
        { "加密清单.xls", Corpus.Read("encrypted.xls") },
    };

    [Theory]
    [MemberData(nameof(EncryptedWorkbooks))]
    public async Task EncryptedWorkbook_IsAClearChinese400_NothingWritten(string name, byte[] encrypted)
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "加密工作簿 " + name);
        encrypted.AsSpan(0, 4).ToArray().ShouldBe(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 }, "an encrypted workbook is an OLE compound file");
        foreach (var dryRun in new[] { true, false })
        {
            var response = await DocumentsSeed.ImportAsync(admin, campaign, encrypted, name, dryRun);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await DocumentsSeed.ReadImportAsync(response)).Errors.Single().Message.ShouldStartWith("文件已加密（设置了打开密码）");
        }
        (await DocumentsSeed.ItemsAsync(admin, campaign)).ShouldBeEmpty();
    }
}
