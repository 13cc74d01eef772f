using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// A .docx in the house style of Chinese official documents (公文, GB/T 9704): A4, title in 小标宋 二号, body in
/// 仿宋 三号 with a two-character first-line indent and fixed 28-point lines, headings 一、 in 黑体 and （一） in 楷体,
/// page numbers "— 1 —" at the foot. Fonts fall back to what the reader has installed.
/// </summary>
public sealed class WordBuilder
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string Song = "方正小标宋简体", Fang = "仿宋_GB2312", Hei = "黑体", Kai = "楷体_GB2312";
    private const int BodySize = 32, TitleSize = 44, TableSize = 21;
    private readonly Body body = new();

    public WordBuilder Title(string text)
    {
        body.Append(Paragraph(text, Song, TitleSize, JustificationValues.Center, indent: false, spacingAfter: 0));
        return this;
    }

    public WordBuilder Subtitle(string text)
    {
        body.Append(Paragraph(text, Kai, BodySize, JustificationValues.Center, indent: false));
        return this;
    }

    public WordBuilder Heading(string text) { body.Append(Paragraph(text, Hei, BodySize, JustificationValues.Both, indent: true)); return this; }

    public WordBuilder Para(string text) { body.Append(Paragraph(text, Fang, BodySize, JustificationValues.Both, indent: true)); return this; }

    public WordBuilder Right(string text) { body.Append(Paragraph(text, Fang, BodySize, JustificationValues.Right, indent: false)); return this; }

    public WordBuilder Blank() { body.Append(Paragraph("", Fang, BodySize, JustificationValues.Both, indent: false)); return this; }

    /// <summary>A bordered table in 五号; the header row repeats on every page. Widths in twentieths of a point, summing to the text width.</summary>
    public WordBuilder Table(IReadOnlyList<(string Header, int Width)> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var border = new Func<BorderType, BorderType>(b => { b.Val = BorderValues.Single; b.Size = 4; b.Space = 0; b.Color = "000000"; return b; });
        var table = new Table(new TableProperties
        {
            TableWidth = new TableWidth { Type = TableWidthUnitValues.Dxa, Width = columns.Sum(c => c.Width).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            TableJustification = new TableJustification { Val = TableRowAlignmentValues.Center },
            TableBorders = new TableBorders(
                border(new TopBorder()), border(new LeftBorder()), border(new BottomBorder()), border(new RightBorder()),
                border(new InsideHorizontalBorder()), border(new InsideVerticalBorder())),
            TableLayout = new TableLayout { Type = TableLayoutValues.Fixed },
        });
        table.Append(new TableGrid(columns.Select(c => new GridColumn { Width = c.Width.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        table.Append(Row(columns.Select(c => c.Header).ToList(), columns, header: true));
        foreach (var row in rows) table.Append(Row(row, columns, header: false));
        body.Append(table);
        return this;
    }

    public byte[] Build()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var footer = main.AddNewPart<FooterPart>();
            footer.Footer = new Footer(new Paragraph(
                new ParagraphProperties { Justification = new Justification { Val = JustificationValues.Center } },
                TextRun("— ", Fang, 28), new SimpleField(TextRun("1", Fang, 28)) { Instruction = " PAGE " }, TextRun(" —", Fang, 28)));
            var section = new SectionProperties(
                new FooterReference { Type = HeaderFooterValues.Default, Id = main.GetIdOfPart(footer) },
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 2098, Bottom = 1984, Left = 1587, Right = 1474, Header = 851, Footer = 992, Gutter = 0 });
            body.Append(section);
            main.Document = new Document(body);
            main.Document.Save();
        }
        return stream.ToArray();
    }

    /// <summary>The width of the text column on A4 with the margins above: 11906 − 1587 − 1474.</summary>
    public const int TextWidth = 8845;

    private static TableRow Row(IReadOnlyList<string> cells, IReadOnlyList<(string Header, int Width)> columns, bool header)
    {
        var row = new TableRow();
        if (header) row.Append(new TableRowProperties(new TableHeader()));
        for (var n = 0; n < columns.Count; n++)
        {
            var text = n < cells.Count ? cells[n] : "";
            var paragraph = Paragraph(text, header ? Hei : Fang, TableSize, header ? JustificationValues.Center : JustificationValues.Left, indent: false, exact: false);
            row.Append(new TableCell(
                new TableCellProperties
                {
                    TableCellWidth = new TableCellWidth { Type = TableWidthUnitValues.Dxa, Width = columns[n].Width.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    TableCellVerticalAlignment = new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center },
                },
                paragraph));
        }
        return row;
    }

    private static Paragraph Paragraph(string text, string font, int size, JustificationValues justification, bool indent, int? spacingAfter = null, bool exact = true)
    {
        var properties = new ParagraphProperties
        {
            SpacingBetweenLines = exact
                ? new SpacingBetweenLines { Line = "560", LineRule = LineSpacingRuleValues.Exact, Before = "0", After = (spacingAfter ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : new SpacingBetweenLines { Before = "0", After = "0" },
            Justification = new Justification { Val = justification },
        };
        if (indent) properties.Indentation = new Indentation { FirstLineChars = 200, FirstLine = "640" };
        var paragraph = new Paragraph(properties);
        // Line breaks inside a cell or note become real breaks, never lost.
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var run = TextRun(lines[n], font, size);
            if (n > 0) run.InsertAfter(new Break(), run.RunProperties);
            paragraph.Append(run);
        }
        return paragraph;
    }

    private static Run TextRun(string text, string font, int size)
    {
        var properties = new RunProperties
        {
            RunFonts = new RunFonts { Ascii = "Times New Roman", HighAnsi = "Times New Roman", EastAsia = font, ComplexScript = "Times New Roman" },
            FontSize = new FontSize { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            FontSizeComplexScript = new FontSizeComplexScript { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        // Stored text may predate the input rule (SafeText): whatever XML cannot hold is dropped here.
        return new Run(properties, new Text(SafeText.ForXml(text)) { Space = SpaceProcessingModeValues.Preserve });
    }
}
