using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// One worksheet: an optional title row merged across the columns, a header row (frozen with everything above it),
/// then rows of text or numbers. Cell values are <see cref="string"/>, <see cref="int"/>, <see cref="double"/> or null.
/// </summary>
public sealed record XlsxSheet(string Name, string? Title, IReadOnlyList<(string Header, double Width)> Columns, IEnumerable<IReadOnlyList<object?>> Rows);

/// <summary>Writes .xlsx workbooks with the SAX writer, so a ledger of tens of thousands of rows stays cheap.</summary>
public static class XlsxBuilder
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    internal const uint TitleStyle = 1, HeaderStyle = 2, BodyStyle = 3, NumberStyle = 4;

    /// <summary>The whole workbook in memory (small workbooks: the import template). The ledger streams: <see cref="XlsxStreamWriter"/>.</summary>
    public static byte[] Build(IReadOnlyList<XlsxSheet> sheets)
    {
        using var stream = new MemoryStream();
        using (var writer = new XlsxStreamWriter(stream))
        {
            foreach (var sheet in sheets)
            {
                writer.BeginSheet(sheet.Name, sheet.Title, sheet.Columns);
                foreach (var row in sheet.Rows) writer.Row(row);
                writer.EndSheet();
            }
            writer.Finish();
            writer.Drain();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, so a
    /// ledger saved as CSV and opened again cannot execute what someone typed into a problem list.
    /// </summary>
    public static string Neutralise(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    /// <summary>Everything of a worksheet before its rows: print properties, the frozen panes, the column widths.</summary>
    internal static void WriteSheetStart(OpenXmlWriter writer, uint headerRow, IReadOnlyList<(string Header, double Width)> columns, bool selected)
    {
        writer.WriteStartElement(new Worksheet());
        // Printed fitted to the page width (every column on the page, as many pages down as the rows need).
        writer.WriteStartElement(new SheetProperties());
        writer.WriteElement(new PageSetupProperties { FitToPage = true });
        writer.WriteEndElement();
        writer.WriteStartElement(new SheetViews());
        writer.WriteStartElement(new SheetView { WorkbookViewId = 0, TabSelected = selected });
        writer.WriteElement(new Pane
        {
            VerticalSplit = headerRow, TopLeftCell = $"A{headerRow + 1}", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen,
        });
        writer.WriteElement(new Selection { Pane = PaneValues.BottomLeft, ActiveCell = $"A{headerRow + 1}", SequenceOfReferences = new ListValue<StringValue> { InnerText = $"A{headerRow + 1}" } });
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteStartElement(new Columns());
        for (var c = 0; c < columns.Count; c++)
            writer.WriteElement(new Column { Min = (uint)(c + 1), Max = (uint)(c + 1), Width = columns[c].Width, CustomWidth = true });
        writer.WriteEndElement();
        writer.WriteStartElement(new SheetData());
    }

    /// <summary>Everything of a worksheet after its rows: the merged title, the print settings (A3 landscape, fit to width), the footer.</summary>
    internal static void WriteSheetEnd(OpenXmlWriter writer, bool hasTitle, int columnCount)
    {
        writer.WriteEndElement();
        if (hasTitle && columnCount > 1)
        {
            writer.WriteStartElement(new MergeCells { Count = 1 });
            writer.WriteElement(new MergeCell { Reference = $"A1:{ColumnName(columnCount - 1)}1" });
            writer.WriteEndElement();
        }
        writer.WriteElement(new PrintOptions { HorizontalCentered = true });
        writer.WriteElement(new PageMargins { Left = 0.4, Right = 0.4, Top = 0.6, Bottom = 0.6, Header = 0.3, Footer = 0.3 });
        // A3 landscape (how offices print a wide 台账), fitted to the width; FitToHeight 0 = as many pages down as needed.
        writer.WriteElement(new PageSetup { PaperSize = 8, Orientation = OrientationValues.Landscape, FitToWidth = 1, FitToHeight = 0 });
        writer.WriteStartElement(new HeaderFooter());
        writer.WriteElement(new OddFooter("&C第 &P 页，共 &N 页"));
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    internal static void WriteRow(OpenXmlWriter writer, uint rowIndex, IReadOnlyList<object?> values, uint style, double? height)
    {
        var attributes = new List<OpenXmlAttribute> { new("r", "", rowIndex.ToString(CultureInfo.InvariantCulture)) };
        if (height is { } h)
        {
            attributes.Add(new OpenXmlAttribute("ht", "", h.ToString(CultureInfo.InvariantCulture)));
            attributes.Add(new OpenXmlAttribute("customHeight", "", "1"));
        }
        writer.WriteStartElement(new Row(), attributes);
        for (var c = 0; c < values.Count; c++)
        {
            var reference = ColumnName(c) + rowIndex.ToString(CultureInfo.InvariantCulture);
            switch (values[c])
            {
                case null:
                    break;
                case int or long or double or decimal:
                    writer.WriteElement(new Cell
                    {
                        CellReference = reference, StyleIndex = style == BodyStyle ? NumberStyle : style,
                        CellValue = new CellValue(Convert.ToDouble(values[c], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
                    });
                    break;
                default:
                    // Stored text may predate the input rule (SafeText): whatever XML cannot hold is dropped here.
                    var text = SafeText.ForXml(Convert.ToString(values[c], CultureInfo.InvariantCulture));
                    if (text.Length == 0) break;
                    writer.WriteElement(new Cell(new InlineString(new Text(Neutralise(text)) { Space = SpaceProcessingModeValues.Preserve }))
                    {
                        CellReference = reference, DataType = CellValues.InlineString, StyleIndex = style,
                    });
                    break;
            }
        }
        writer.WriteEndElement();
    }

    private const double LineHeight = 14.4, CellPadding = 3;

    /// <summary>
    /// The height a row needs for its wrapped text. Spreadsheets do not all grow rows for wrapped text when they open a
    /// file (LibreOffice keeps the default height, showing the first line only, on screen and on paper), so the height is
    /// written: a CJK character takes two units of the column width, other characters one.
    /// </summary>
    internal static double WrappedHeight(IReadOnlyList<object?> values, IReadOnlyList<(string Header, double Width)> columns)
    {
        var lines = 1;
        for (var c = 0; c < values.Count && c < columns.Count; c++)
        {
            if (values[c] is not string text || text.Length == 0) continue;
            var perLine = Math.Max(1, columns[c].Width - 1);
            var cell = 0;
            foreach (var paragraph in text.Split('\n'))
            {
                double units = 0;
                foreach (var ch in paragraph) units += ch >= '\u2E80' ? 2 : 1;
                cell += Math.Max(1, (int)Math.Ceiling(units / perLine));
            }
            lines = Math.Max(lines, cell);
        }
        // Excel's limit for one row is 409 points.
        return Math.Min(409, lines * LineHeight + CellPadding);
    }

    public static string ColumnName(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    internal static Stylesheet Styles()
    {
        static Font Font(double size, bool bold)
        {
            var font = new Font();
            if (bold) font.Append(new Bold());
            font.Append(new FontSize { Val = size }, new FontName { Val = "宋体" }, new FontFamilyNumbering { Val = 2 }, new FontCharSet { Val = 134 });
            return font;
        }
        var thin = new Border(
            new LeftBorder(new Color { Indexed = 64 }) { Style = BorderStyleValues.Thin },
            new RightBorder(new Color { Indexed = 64 }) { Style = BorderStyleValues.Thin },
            new TopBorder(new Color { Indexed = 64 }) { Style = BorderStyleValues.Thin },
            new BottomBorder(new Color { Indexed = 64 }) { Style = BorderStyleValues.Thin },
            new DiagonalBorder());
        return new Stylesheet(
            new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "宋体" }), Font(16, true), Font(11, true)) { Count = 3 },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                new Fill(new PatternFill(new ForegroundColor { Rgb = "FFDDEBF7" }, new BackgroundColor { Indexed = 64 }) { PatternType = PatternValues.Solid }))
            { Count = 3 },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), thin) { Count = 2 },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(
                new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
                new CellFormat(new Alignment { Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center })
                { FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true, ApplyAlignment = true },
                new CellFormat(new Alignment { Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center, WrapText = true })
                { FontId = 2, FillId = 2, BorderId = 1, FormatId = 0, ApplyFont = true, ApplyFill = true, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat(new Alignment { Vertical = VerticalAlignmentValues.Top, WrapText = true })
                { FontId = 0, FillId = 0, BorderId = 1, FormatId = 0, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat(new Alignment { Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Top })
                { NumberFormatId = 1, FontId = 0, FillId = 0, BorderId = 1, FormatId = 0, ApplyNumberFormat = true, ApplyBorder = true, ApplyAlignment = true })
            { Count = 5 },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
    }
}
