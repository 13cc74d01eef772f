using System.IO.Compression;
using System.Net;
using Dapper;
using Npgsql;
using Rectify.Api.Tests.Documents;
using Rectify.Api.Tests.Import;
using Rectify.TestSupport;
using static Rectify.Api.Tests.Import.ImportFiles;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Markup and formulas arrive in problem lists as ordinary cell text. They are stored as the words that were written,
/// shown as text, never run: escaped in documents (the ledger, the report, the supervision letter), neutralised as
/// formulas in the exported ledger. (The UI pages: Rectify.EndToEnd.Tests HostileTextPagesTests.)
/// </summary>
public sealed class HostileTextTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    public const string Script = "<script>alert('整改')</script>";
    private const string Image = "<img src=x onerror=alert(1)> 台账不实";

    [Fact]
    public async Task MarkupAndFormulasInImportedCells_StoredAsWritten_EscapedInDocuments_NeutralisedInTheLedger()
    {
        var admin = await app.AdminAsync();
        await DocumentsSeed.OrganisationAsync(admin);
        var campaign = await DocumentsSeed.CampaignAsync(admin, "<b>敌意文本</b>整改工作");
        var list = Xlsx(
        [
            ["序号", "问题类别", "反馈问题", "问题详情", "整改措施", "整改目标", "责任领导", "牵头单位", "责任单位", "整改时限"],
            [1d, "<i>类别</i>", Script, Image, "=HYPERLINK(\"http://evil.example\",\"点我\")", "@SUM(A1:A9)", "张三", "县扶贫办", "县民政局", "2018-06-10"],
            [2d, "资金", "+1+1 资金拨付滞后", "-2+3 明细", "措施 & <u>办法</u>", null, null, "czj", null, "2018-06-30"],
        ]);
        var imported = await DocumentsSeed.ImportAsync(admin, campaign, list, "敌意.xlsx");
        imported.StatusCode.ShouldBe(HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());

        var items = await DocumentsSeed.ItemsAsync(admin, campaign);
        var one = items.Single(i => i.Number == "1");
        one.Title.ShouldBe(Script);
        one.Description.ShouldBe(Image);
        one.Measures.ShouldBe("=HYPERLINK(\"http://evil.example\",\"点我\")");
        items.Single(i => i.Number == "2").Title.ShouldBe("+1+1 资金拨付滞后");

        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.ExecuteAsync("""
                update campaigns set state = 'active', launched_at = '2018-05-14T01:00:00Z' where id = @campaign;
                update items set state = 'inProgress', assigned_at = '2018-05-14T01:00:00Z' where campaign_id = @campaign;
                update items set escalation_level = 'supervisionLetter' where campaign_id = @campaign and number = '1';
                insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at)
                select gen_random_uuid(), campaign_id, id, 'supervisionLetter', 'dcs', '2018-06-14T01:00:00Z' from items where campaign_id = @campaign and number = '1';
                """, new { campaign });
        }

        // The ledger: a valid workbook, the words as written, no formula anywhere, formula-like text prefixed.
        var ledger = await admin.GetByteArrayAsync($"/api/campaigns/{campaign}/ledger.xlsx");
        OpenXmlChecks.SpreadsheetErrors(ledger).ShouldBeEmpty();
        var cells = OpenXmlChecks.Rows(ledger).SelectMany(r => r).ToList();
        cells.ShouldContain(Script);
        cells.ShouldContain(Image);
        cells.ShouldContain("'=HYPERLINK(\"http://evil.example\",\"点我\")");
        cells.ShouldContain("'+1+1 资金拨付滞后");
        cells.ShouldNotContain(c => c.StartsWith('=') || c.StartsWith('+') || c.StartsWith('@'));
        var sheetXml = PartsText(ledger);
        sheetXml.ShouldNotContain("<x:f>");
        sheetXml.ShouldNotContain("<f>");

        // The report and the supervision letter: valid documents whose text is the words as written (the XML escapes them).
        var report = await admin.GetByteArrayAsync($"/api/campaigns/{campaign}/report.docx?kind=final&asOf=2018-06-20");
        OpenXmlChecks.WordErrors(report).ShouldBeEmpty();
        Text(DocxText.Read(report)).ShouldContain(Script);
        PartsText(report).ShouldNotContain("<script>");

        var escalation = await EscalationAsync(campaign);
        var letter = await admin.GetAsync($"/api/escalations/{escalation}/letter.docx");
        letter.StatusCode.ShouldBe(HttpStatusCode.OK, await letter.Content.ReadAsStringAsync());
        var letterBytes = await letter.Content.ReadAsByteArrayAsync();
        OpenXmlChecks.WordErrors(letterBytes).ShouldBeEmpty();
        var letterText = Text(DocxText.Read(letterBytes));
        letterText.ShouldContain(Script);
        letterText.ShouldContain(Image);
        PartsText(letterBytes).ShouldNotContain("<script>");
    }

    private async Task<Guid> EscalationAsync(Guid campaign)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        return await connection.ExecuteScalarAsync<Guid>("select id from escalations where campaign_id = @campaign", new { campaign });
    }

    private static string Text(DocxText docx) =>
        docx.All + "\n" + string.Join("\n", docx.Tables.SelectMany(t => t).SelectMany(r => r));

    /// <summary>The raw XML of every part of an Open XML package.</summary>
    private static string PartsText(byte[] package)
    {
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        return string.Join("\n", zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal)).Select(e =>
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        }));
    }
}
