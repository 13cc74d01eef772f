using System.Text;
using System.Xml;

namespace Rectify.Api.Features.Import;

/// <summary>
/// A problem list sent as a Word table (.docx): the tables of the body become rows, streamed with
/// <see cref="XmlReader"/>. Cells spanning columns (<c>w:gridSpan</c>) and rows (<c>w:vMerge</c>) are merged ranges
/// like Excel's; a header over two rows works as in a sheet; automatic numbering (一、 (一) 1.) is rendered into the
/// text as Word shows it. Paragraphs before the first table (the title) are left out; a paragraph between two tables
/// ("二、资金使用方面") is a row of its own, so it heads the rows below as a category. Rows are numbered as they come:
/// in a document with one table, row N is the table's row N.
/// </summary>
internal static class DocxReader
{
    public const string NotValid = "文件不是有效的 Word（.docx）文件 / not a valid .docx file";

    public static IReadOnlyList<RawRow> Read(OoxmlPackage package, ImportLimits limits, CancellationToken ct)
    {
        var documentPath = package.Relationship("_rels/.rels", "", t => t.EndsWith("/officeDocument", StringComparison.Ordinal)) ?? "word/document.xml";
        if (!package.Has(documentPath)) throw SheetRejectedException.Malformed(NotValid);
        var folder = documentPath.Contains('/') ? documentPath[..documentPath.LastIndexOf('/')] : "";
        var relsPath = (folder.Length > 0 ? folder + "/" : "") + "_rels/" + documentPath[(documentPath.LastIndexOf('/') + 1)..] + ".rels";
        var numberingPath = package.Relationship(relsPath, folder, t => t.EndsWith("/numbering", StringComparison.Ordinal));
        var numbering = numberingPath is null ? new WordNumbering() : WordNumbering.Read(package, numberingPath);
        var builder = new SheetBuilder(limits, ct);
        var tables = ReadBody(package, documentPath, numbering, builder);
        if (tables == 0) throw SheetRejectedException.Limit("Word 文件中没有表格：请把问题清单做成表格（每个问题一行）后再导入 / the document has no table");
        return builder.Build();
    }

    private sealed class Table
    {
        public int Column;
        public readonly Dictionary<int, (int Row, int Span, int LastRow)> Vertical = [];
    }

    /// <summary>Reads the body; returns the number of tables found.</summary>
    private static int ReadBody(OoxmlPackage package, string path, WordNumbering numbering, SheetBuilder builder)
    {
        using var reader = package.Xml(path, "Word 文档正文")!;
        var row = 0;
        var tablesSeen = 0;
        var tables = new Stack<Table>();
        var paragraph = new StringBuilder();
        var cell = new StringBuilder();
        var cellDepth = -1; // the table depth whose cell collects text; text of nested tables joins that cell
        int span = 1;
        string? vMerge = null;
        int? numId = null, level = null;
        var standing = false;
        while (standing || XmlPart.Read(reader))
        {
            standing = false;
            if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.LocalName)
                {
                    case "tbl":
                        if (tables.Count == 0) tablesSeen++;
                        tables.Push(new Table());
                        break;
                    case "tr" when tables.Count == 1:
                        builder.Tick();
                        row++;
                        tables.Peek().Column = 0;
                        break;
                    case "tc" when tables.Count == 1:
                        cell.Clear();
                        cellDepth = 1;
                        span = 1;
                        vMerge = null;
                        if (reader.IsEmptyElement) EndCell(tables.Peek());
                        break;
                    case "gridSpan" when tables.Count == 1:
                        span = Math.Clamp(int.TryParse(reader.GetAttribute("val", WordNumbering.W), out var s) ? s : 1, 1, 1000);
                        break;
                    case "vMerge" when tables.Count == 1:
                        vMerge = reader.GetAttribute("val", WordNumbering.W) ?? "continue";
                        break;
                    case "p":
                        paragraph.Clear();
                        numId = level = null;
                        if (reader.IsEmptyElement) EndParagraph();
                        break;
                    case "numId":
                        numId = int.TryParse(reader.GetAttribute("val", WordNumbering.W), out var id) ? id : null;
                        break;
                    case "ilvl":
                        level = int.TryParse(reader.GetAttribute("val", WordNumbering.W), out var l) ? Math.Clamp(l, 0, 8) : 0;
                        break;
                    case "t":
                        paragraph.Append(XmlPart.Text(reader));
                        standing = true;
                        break;
                    case "tab":
                        paragraph.Append(' ');
                        break;
                    case "br" or "cr":
                        paragraph.Append('\n');
                        break;
                    case "delText" or "instrText":
                        reader.Skip();
                        standing = true;
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement)
            {
                switch (reader.LocalName)
                {
                    case "p":
                        EndParagraph();
                        break;
                    case "tc" when tables.Count == 1 && cellDepth == 1:
                        EndCell(tables.Peek());
                        break;
                    case "tbl" when tables.Count > 0:
                        var table = tables.Pop();
                        if (tables.Count == 0) foreach (var column in table.Vertical.Keys.ToList()) Close(table, column);
                        break;
                }
            }
        }
        return tablesSeen;

        void EndParagraph()
        {
            var text = paragraph.ToString();
            if (numId is { } n and > 0) text = numbering.Next(n, level ?? 0) + text;
            paragraph.Clear();
            numId = level = null;
            if (tables.Count > 0 && cellDepth == 1)
            {
                if (cell.Length > 0 && text.Length > 0) cell.Append('\n');
                cell.Append(text);
                if (cell.Length > 32_767 * 4) throw SheetRejectedException.Limit("Word 表格中的单元格内容过长 / cell too long");
            }
            else if (tables.Count == 0 && tablesSeen > 0 && text.Trim().Length > 0)
            {
                builder.Tick();
                builder.Set(++row, 0, text.Trim());
            }
        }

        void EndCell(Table table)
        {
            cellDepth = -1;
            var column = table.Column;
            table.Column += span;
            if (vMerge is "continue")
            {
                if (table.Vertical.TryGetValue(column, out var open)) { table.Vertical[column] = open with { LastRow = row }; return; }
            }
            else Close(table, column);
            builder.Set(row, column, cell.ToString().Trim());
            if (vMerge is "restart") table.Vertical[column] = (row, span, row);
            else if (span > 1) builder.Merge(row, column, row, column + span - 1, $"{SheetReader.ColumnName(column)}{row}:{SheetReader.ColumnName(column + span - 1)}{row}");
        }

        void Close(Table table, int column)
        {
            if (!table.Vertical.Remove(column, out var open)) return;
            if (open.LastRow > open.Row || open.Span > 1)
                builder.Merge(open.Row, column, open.LastRow, column + open.Span - 1,
                    $"{SheetReader.ColumnName(column)}{open.Row}:{SheetReader.ColumnName(column + open.Span - 1)}{open.LastRow}");
        }
    }
}
