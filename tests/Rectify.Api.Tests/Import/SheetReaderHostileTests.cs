using System.Text;
using Rectify.Api.Features.Import;
using static Rectify.Api.Tests.Import.RawPackages;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// Issue 19.3: small files that used to take gigabytes, DTDs and malformed parts that used to answer 500. Each
/// file is made here; each is refused with the limit's own message, so the bound is checked without timing anything.
/// </summary>
public sealed class SheetReaderHostileTests
{
    private static readonly string[] Header = ["序号", "反馈问题", "责任单位", "整改时限"];

    private static (IReadOnlyList<RawRow>? Rows, SheetProblem? Problem) Read(byte[] file, string name, ImportLimits? limits = null, CancellationToken ct = default) =>
        SheetReader.Read(file, name, limits ?? new ImportLimits(), TimeProvider.System, ct);

    private static void ShouldBeRefused((IReadOnlyList<RawRow>? Rows, SheetProblem? Problem) result, int status, string contains)
    {
        result.Rows.ShouldBeNull();
        result.Problem.ShouldNotBeNull();
        result.Problem.Message.ShouldContain(contains);
        result.Problem.Status.ShouldBe(status, result.Problem.Message);
    }

    [Fact]
    public void MergedRangeBomb_IsRefusedWithTheLimit_WithoutFillingItsCells()
    {
        var file = Xlsx(Sheet([Header, ["1", "问题", "fpb", "6月10日前"]], "A2:T1000001"));
        file.Length.ShouldBeLessThan(2_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = Read(file, "bomb.xlsx");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        ShouldBeRefused(result, 422, "合并单元格“A2:T1000001”覆盖 20,000,000 个单元格");
        allocated.ShouldBeLessThan(10_000_000, "the refusal must come before 20 million cells are filled");
    }

    [Fact]
    public void ManySmallMergedRanges_AddUp_ToTheSameLimit()
    {
        var merges = Enumerable.Range(0, 2_000).Select(n => $"A{n * 300 + 2}:J{n * 300 + 301}").ToArray(); // 2,000 × 3,000 cells
        ShouldBeRefused(Read(Xlsx(Sheet([Header], merges)), "merges.xlsx"), 422, "合并区域合计超过 500,000 个单元格的上限");
    }

    [Fact]
    public void OrdinaryMergedCategory_IsFilledIntoEachRow()
    {
        var result = Read(Xlsx(Sheet([Header, ["1", "问题一", "fpb", "6月10日前"], ["2", "问题二", "", "6月10日前"]], "C2:C3")), "ok.xlsx");
        result.Problem.ShouldBeNull();
        result.Rows!.Select(r => r.Cell(2)).ShouldBe(["责任单位", "fpb", "fpb"]);
    }

    [Theory]
    [InlineData("sheet")]
    [InlineData("sharedStrings")]
    [InlineData("workbook")]
    public void Dtd_InAnyPart_Is400(string part)
    {
        const string laughs = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>""";
        var sheet = Sheet([Header, ["1", "问题", "fpb", "6月10日前"]]);
        var shared = $"""<?xml version="1.0"?><sst xmlns="{Main}"><si><t>x</t></si></sst>""";
        var workbook = $"""<?xml version="1.0"?><workbook xmlns="{Main}" xmlns:r="{Rel}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>""";
        string WithDtd(string xml) => laughs + xml[(xml.IndexOf("?>", StringComparison.Ordinal) + 2)..].Replace("问题", "&lol3;");
        var file = part switch
        {
            "sheet" => Xlsx(WithDtd(sheet), shared),
            "sharedStrings" => Xlsx(sheet, WithDtd(shared)),
            _ => Xlsx(sheet, shared, WithDtd(workbook)),
        };
        ShouldBeRefused(Read(file, "dtd.xlsx"), 400, "DTD");
    }

    [Fact]
    public void DtdInAWordDocument_Is400()
    {
        var file = Zip(("word/document.xml", """<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1/evil.dtd"><w:document xmlns:w="x"/>"""));
        ShouldBeRefused(Read(file, "dtd.docx"), 400, "DTD");
    }

    [Theory]
    [InlineData("80 81 82 3C 78 2F 3E")] // no UTF-8
    [InlineData("00 00 00 3C 00 00 D8 00 00 00 00 78")] // UCS-4 by its first bytes, then a surrogate
    [InlineData("3C 00 00 00 FF FF FF 7F")] // UCS-4 little-endian, then no character at all
    [InlineData("FE FF D8 00 00 3C 00 78")] // UTF-16 by its mark, then a lone surrogate
    public void PartInAnEncodingItCannotBeRead_Is400(string hex)
    {
        // Found by ImportFuzzTests under load: a part whose first bytes are in no encoding the XML reader can decode failed
        // as the reader was made (it decodes its first block then), outside the reads that turn malformed XML into a 400.
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var file = Zip([("_rels/.rels", s => s.WriteAsync(bytes).AsTask(), null)]);
        Read(file, "encoding.xlsx").Problem!.Status.ShouldBe(400);
    }

    [Theory]
    [InlineData("""<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>序号""")]
    [InlineData("""<worksheet><sheetData><row r="1"></c></row></sheetData></worksheet>""")]
    [InlineData("""not xml at all""")]
    [InlineData("""<worksheet><sheetData><row r="-5"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>""")]
    [InlineData("""<worksheet><sheetData><row r="1"><c r="1A" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>""")]
    public void MalformedSheetXml_Is400(string sheet) =>
        Read(Xlsx(sheet), "broken.xlsx").Problem!.Status.ShouldBe(400);

    [Fact]
    public void MoreRowsThanTheLimit_AreRefusedWhileStreaming()
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(Enumerable.Range(1, 60_000).Select(n => new[] { n.ToString(System.Globalization.CultureInfo.InvariantCulture), "问题", "fpb", "6月10日前" }));
        ShouldBeRefused(Read(Xlsx(Sheet(rows)), "many.xlsx"), 422, "超过 50,000 行的导入上限");
        var csv = Encoding.UTF8.GetBytes(string.Join("\n", rows.Select(r => string.Join(",", r))));
        ShouldBeRefused(Read(csv, "many.csv"), 422, "超过 50,000 行的导入上限");
    }

    [Fact]
    public void ContentBeyondTheColumnLimit_IsRefused()
    {
        var sheet = $"""<worksheet xmlns="{Main}"><sheetData><row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>""";
        ShouldBeRefused(Read(Xlsx(sheet), "wide.xlsx"), 422, "超过 256 列");
        ShouldBeRefused(Read(Encoding.UTF8.GetBytes(new string(',', 300) + "x"), "wide.csv"), 422, "超过 256 列");
    }

    /// <summary>A sheet part of 8 MB that deflates to a few KB: refused by its ratio before it is parsed.</summary>
    [Fact]
    public void ZipBomb_IsRefusedByItsCompressionRatio()
    {
        var file = Zip([("xl/workbook.xml", null, $"""<workbook xmlns="{Main}" xmlns:r="{Rel}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>"""),
            ("xl/_rels/workbook.xml.rels", null, $"""<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{Rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""),
            ("xl/worksheets/sheet1.xml", WriteRepeated("<worksheet><sheetData>", "<row/>", 8_000_000 / 6, "</sheetData></worksheet>"), null)]);
        file.Length.ShouldBeLessThan(100_000);
        ShouldBeRefused(Read(file, "bomb.xlsx"), 422, "疑似压缩炸弹");
    }

    /// <summary>The same bomb with its headers saying it is small: stopped by the bytes actually inflated.</summary>
    [Fact]
    public void ZipBomb_ThatLiesAboutItsSize_IsStoppedAtTheByteLimit()
    {
        var file = Zip([("xl/workbook.xml", null, $"""<workbook xmlns="{Main}" xmlns:r="{Rel}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>"""),
            ("xl/_rels/workbook.xml.rels", null, $"""<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{Rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""),
            ("xl/worksheets/sheet1.xml", WriteRepeated("<worksheet><sheetData>", "<row/>", 8_000_000 / 6, "</sheetData></worksheet>"), null)]);
        var lying = LieAboutSize(file, "xl/worksheets/sheet1.xml", 1000);
        var result = Read(lying, "bomb.xlsx", new ImportLimits { MaxPartBytes = 1_000_000 });
        result.Rows.ShouldBeNull();
        // .NET may notice the lie itself (a 400: corrupt data) or our counter stops it (422): never the 8 MB.
        result.Problem!.Status.ShouldBeOneOf(400, 422);
        result.Problem.Message.ShouldMatch("字节上限|已损坏");
    }

    [Fact]
    public void ManyZipEntries_AreRefusedBeforeTheyAreListed()
    {
        var parts = Enumerable.Range(0, 2_500).Select(n => ($"x/{n}.xml", "<a/>")).ToArray();
        ShouldBeRefused(Read(Zip(parts), "entries.xlsx"), 422, "压缩条目");
    }

    [Theory]
    [InlineData("picture.xlsx", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D }, "PNG 图片")]
    [InlineData("report.xls", new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37 }, "PDF 文档")]
    [InlineData("text.xlsx", new byte[] { 0xE5, 0xBA, 0x8F, 0xE5, 0x8F, 0xB7, 0x2C, 0x61 }, "不是有效的 Excel（.xlsx）文件")]
    [InlineData("text.docx", new byte[] { 0xE5, 0xBA, 0x8F, 0xE5, 0x8F, 0xB7, 0x2C, 0x61 }, "不是有效的 Word（.docx）文件")]
    [InlineData("old.xls", new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0 }, "不是有效的 Excel 97–2003（.xls）文件")]
    [InlineData("broken.xlsx", new byte[] { (byte)'P', (byte)'K', 3, 4, 1, 2, 3 }, "不是有效的 Excel（.xlsx）文件")]
    public void WrongFormatUnderARightExtension_Is400(string name, byte[] content, string message) =>
        ShouldBeRefused(Read(content, name), 400, message);

    [Fact]
    public void ZipThatIsNeitherWorkbookNorDocument_Is400() =>
        ShouldBeRefused(Read(Zip(("readme.txt", "hello")), "list.xlsx"), 400, "不是有效的 Excel（.xlsx）文件");

    [Fact]
    public void EmptySheet_Is422()
    {
        ShouldBeRefused(Read(Xlsx($"""<worksheet xmlns="{Main}"><sheetData/></worksheet>"""), "empty.xlsx"), 422, "工作表为空");
        ShouldBeRefused(Read(Encoding.UTF8.GetBytes(",,,\n,,\n"), "empty.csv"), 422, "工作表为空");
    }

    [Fact]
    public void WordDocumentWithoutATable_Is422() =>
        ShouldBeRefused(Read(Docx(Paragraph("整改方案") + Paragraph("一、指导思想")), "plan.docx"), 422, "没有表格");

    [Fact]
    public void WordDocumentSentAsXlsx_IsReadAsItsTable()
    {
        var file = Docx(Table([["序号", "反馈问题", "责任单位", "整改时限"], ["1", "问题", "县扶贫办", "6月10日前"]]));
        var result = Read(file, "清单.xlsx");
        result.Problem.ShouldBeNull();
        result.Rows!.Select(r => string.Join("|", r.Cells)).ShouldBe(["序号|反馈问题|责任单位|整改时限", "1|问题|县扶贫办|6月10日前"]);
    }

    [Fact]
    public void ReadTimeLimit_StopsTheRead_WithItsMessage()
    {
        var rows = Enumerable.Range(1, 100).Select(n => new[] { "x", "y" });
        ShouldBeRefused(Read(Xlsx(Sheet(rows)), "slow.xlsx", new ImportLimits { MaxReadTime = TimeSpan.Zero }), 422, "读取文件超过 0 秒");
    }

    [Fact]
    public void CancelledRequest_StopsTheRead()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => Read(Xlsx(Sheet([Header])), "a.xlsx", ct: cancelled.Token));
    }

    [Fact]
    public void OverlongCell_IsRefused()
    {
        var shared = $"""<sst xmlns="{Main}"><si><t>{new string('长', 40_000)}</t></si></sst>""";
        var sheet = $"""<worksheet xmlns="{Main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>""";
        ShouldBeRefused(Read(Xlsx(sheet, shared), "long.xlsx"), 422, "32,767 字上限");
    }

    private static Func<Stream, Task> WriteRepeated(string head, string unit, int times, string tail) => async stream =>
    {
        var bytes = Encoding.UTF8.GetBytes(unit);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
        var block = Enumerable.Repeat(bytes, 1000).SelectMany(b => b).ToArray();
        for (var n = 0; n < times / 1000; n++) await stream.WriteAsync(block);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(tail));
    };
}
