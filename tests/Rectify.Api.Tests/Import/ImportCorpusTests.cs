using Rectify.Api.Features.Import;
using static Rectify.Api.Tests.Import.RawPackages;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// The corpus files read as a person reads them: the same grid from the LibreOffice .xlsx, .xls and .docx and the
/// GBK CSV made from one list (seed 001), and Word's automatic numbering and merged cells rendered as Word shows them.
/// </summary>
public sealed class ImportCorpusTests
{
    private static IReadOnlyList<RawRow> Rows(byte[] file, string name)
    {
        var (rows, problem) = SheetReader.Read(file, name, new ImportLimits(), TimeProvider.System, CancellationToken.None);
        problem.ShouldBeNull();
        return rows!;
    }

    /// <summary>Seed 001 as a county office typed it; each format keeps its merged cells its own way.</summary>
    [Theory]
    [InlineData("001-county.xlsx")]
    [InlineData("001-county.xls")]
    [InlineData("001-county.docx")]
    [InlineData("001-county-gbk.csv")]
    public void CountyList_ReadsTheSameGridInEveryFormat(string name)
    {
        var rows = Rows(Corpus.Read(name), name);
        rows[0].Cell(0).ShouldBe("省对德宏州2017年党委和政府扶贫开发工作成效考核涉及陇川县反馈问题整改清单");
        rows[1].Cells.Take(8).ShouldBe(["序号", "问题类别", "反馈问题", "整改措施", "责任单位", name.EndsWith(".csv", StringComparison.Ordinal) ? "" : "责任单位", "整改时限", "问题来源"]);
        rows[2].Cell(4).ShouldBe("牵头单位");
        rows[2].Cell(5).ShouldBe("责任单位");
        var data = rows.Skip(3).ToList();
        data.Select(r => r.Cell(0)).ShouldBe(["1", "2", "3", "4", "5", "6"]);
        data[0].Cell(4).ShouldBe("县扶贫办");
        data[0].Cell(5).ShouldBe("县脱贫攻坚指挥部、县扶贫开发领导小组各成员单位，各乡镇党委、政府");
        data[1].Cell(3).ShouldContain("坚决于5月底前完成拆旧工作");
        data[2].Cell(6).ShouldBe("长期坚持");
        data[4].Cell(6).ShouldBe("9月30日前");
        data[5].Cell(7).ShouldBe("督查");
        // A CSV has no merged cells: the category stands in the first row of its group only.
        var categories = data.Select(r => r.Cell(1)).ToList();
        if (name.EndsWith(".csv", StringComparison.Ordinal)) categories.ShouldBe(["（一）扶贫措施不精准、不到位", "", "", "（二）产业就业教育扶贫不够精准", "", ""]);
        else categories.ShouldBe([.. Enumerable.Repeat("（一）扶贫措施不精准、不到位", 3), .. Enumerable.Repeat("（二）产业就业教育扶贫不够精准", 3)]);
    }

    /// <summary>A Word list with automatic numbering (一、 and 1.), a header over two rows and a category banner across the table.</summary>
    public static byte[] NumberedDocx()
    {
        const string numbering = """
            <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>
            <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
            """;
        var table = Table(
        [
            [new WordCell("序号", VMerge: "restart"), new WordCell("反馈问题", VMerge: "restart"), new WordCell("责任单位", Span: 2), new WordCell("整改时限", VMerge: "restart")],
            [new WordCell("", VMerge: "continue"), new WordCell("", VMerge: "continue"), "牵头单位", "配合单位", new WordCell("", VMerge: "continue")],
            [new WordCell("精准识别方面", Span: 5, NumId: 1)],
            [new WordCell("", NumId: 2), "贫困户识别不精准\n存在错评漏评", "县扶贫办", "章凤镇、户撒乡", "6月10日前"],
            [new WordCell("", NumId: 2), "档案资料不规范", new WordCell("县财政局", VMerge: "restart"), "", "长期坚持"],
            [new WordCell("", NumId: 2), "帮扶措施不精准", new WordCell("", VMerge: "continue"), "县民政局", "9月30日前"],
        ]);
        return Docx(Paragraph("陇川县反馈问题整改清单") + Paragraph("") + table + Paragraph("资金使用方面", numId: 1) + Table(
        [
            [new WordCell("", NumId: 2), "资金拨付滞后", "县财政局", "", "年底前"],
        ]), numbering);
    }

    [Fact]
    public void WordTable_NumberingMergesAndBanners_AreReadAsWordShowsThem()
    {
        var rows = Rows(NumberedDocx(), "清单.docx");
        rows.Select(r => string.Join("|", r.Cells)).ShouldBe(
        [
            "序号|反馈问题|责任单位|责任单位|整改时限",
            "序号|反馈问题|牵头单位|配合单位|整改时限",
            "一、精准识别方面|一、精准识别方面|一、精准识别方面|一、精准识别方面|一、精准识别方面",
            "1.|贫困户识别不精准\n存在错评漏评|县扶贫办|章凤镇、户撒乡|6月10日前",
            "2.|档案资料不规范|县财政局||长期坚持",
            "3.|帮扶措施不精准|县财政局|县民政局|9月30日前",
            "二、资金使用方面",
            "4.|资金拨付滞后|县财政局||年底前",
        ]);
        rows.Select(r => r.Number).ShouldBe([1, 2, 3, 4, 5, 6, 7, 8]);
    }

    [Theory]
    [InlineData(1, "一")]
    [InlineData(10, "十")]
    [InlineData(12, "十二")]
    [InlineData(20, "二十")]
    [InlineData(105, "一百零五")]
    [InlineData(120, "一百二十")]
    [InlineData(1005, "一千零五")]
    public void ChineseCounting_AsWordWritesIt(int n, string text) => WordNumbering.Chinese(n).ShouldBe(text);
}
