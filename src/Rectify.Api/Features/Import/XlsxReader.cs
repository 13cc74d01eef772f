using System.Globalization;
using System.Text;
using System.Xml;

namespace Rectify.Api.Features.Import;

/// <summary>
/// The first visible worksheet of an .xlsx, streamed with <see cref="XmlReader"/> from the zip (no DOM, no SDK
/// package model): shared strings (phonetic runs left out), inline strings, cached formula values, merged ranges.
/// Elements are matched by local name, so Strict OOXML (another namespace) reads the same.
/// </summary>
internal static class XlsxReader
{
    public const string NotValid = "文件不是有效的 Excel（.xlsx）文件 / not a valid .xlsx file";

    public static IReadOnlyList<RawRow> Read(OoxmlPackage package, ImportLimits limits, CancellationToken ct)
    {
        var workbookPath = package.Relationship("_rels/.rels", "", t => t.EndsWith("/officeDocument", StringComparison.Ordinal)) ?? "xl/workbook.xml";
        if (!package.Has(workbookPath)) throw SheetRejectedException.Malformed(NotValid);
        var folder = workbookPath.Contains('/') ? workbookPath[..workbookPath.LastIndexOf('/')] : "";
        var relsPath = (folder.Length > 0 ? folder + "/" : "") + "_rels/" + workbookPath[(workbookPath.LastIndexOf('/') + 1)..] + ".rels";
        var sheetId = FirstVisibleSheet(package, workbookPath)
                      ?? throw SheetRejectedException.Limit("Excel 文件中没有可见的工作表 / the workbook has no visible worksheet");
        var sheetPath = package.Relationship(relsPath, folder, _ => false, sheetId);
        if (sheetPath is null || !package.Has(sheetPath)) throw SheetRejectedException.Malformed("Excel 文件中找不到工作表的内容 / the worksheet part is missing");
        var sharedPath = package.Relationship(relsPath, folder, t => t.EndsWith("/sharedStrings", StringComparison.Ordinal));
        var shared = sharedPath is null ? [] : SharedStrings(package, sharedPath, limits, ct);
        var builder = new SheetBuilder(limits, ct);
        ReadSheet(package, sheetPath, shared, builder);
        return builder.Build();
    }

    /// <summary>The relationship id of the first sheet that is not hidden.</summary>
    private static string? FirstVisibleSheet(OoxmlPackage package, string workbookPath)
    {
        using var reader = package.Xml(workbookPath, "工作簿")!;
        while (XmlPart.Read(reader))
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "sheet") continue;
            var state = reader.GetAttribute("state");
            if (state is "hidden" or "veryHidden") continue;
            for (var n = 0; n < reader.AttributeCount; n++)
            {
                reader.MoveToAttribute(n);
                if (reader.LocalName == "id" && reader.NamespaceURI.Contains("relationships", StringComparison.Ordinal)) return reader.Value;
            }
            reader.MoveToElement();
        }
        return null;
    }

    private static List<string> SharedStrings(OoxmlPackage package, string path, ImportLimits limits, CancellationToken ct)
    {
        var list = new List<string>();
        using var reader = package.Xml(path, "共享字符串表");
        if (reader is null) return list;
        var text = new StringBuilder();
        var inItem = false;
        var walk = new XmlWalk(reader);
        while (walk.Next())
        {
            if (walk.End == "si" && inItem) { Add(text.ToString()); inItem = false; }
            switch (walk.Start)
            {
                case "si" when !walk.IsEmptyElement:
                    inItem = true;
                    text.Clear();
                    break;
                case "si":
                    Add("");
                    break;
                case "t" when inItem && !walk.InPhonetic:
                    text.Append(walk.Text());
                    if (text.Length > limits.MaxCellChars)
                        throw SheetRejectedException.Limit($"共享字符串第 {list.Count + 1} 项超过 {ImportLimits.Number(limits.MaxCellChars)} 字上限 / shared string too long");
                    break;
            }
        }
        return list;

        void Add(string value)
        {
            if (list.Count >= limits.MaxSharedStrings)
                throw SheetRejectedException.Limit($"共享字符串超过 {ImportLimits.Number(limits.MaxSharedStrings)} 项的上限 / too many shared strings");
            if ((list.Count & 1023) == 0) ct.ThrowIfCancellationRequested();
            list.Add(value);
        }
    }

    private static void ReadSheet(OoxmlPackage package, string path, List<string> shared, SheetBuilder builder)
    {
        using var reader = package.Xml(path, "工作表")!;
        var rowNumber = 0;
        var column = -1;
        string? cellType = null, value = null, formula = null;
        var inline = new StringBuilder();
        var inCell = false;
        var walk = new XmlWalk(reader);
        while (walk.Next())
        {
            if (walk.End == "c" && inCell) EndCell();
            switch (walk.Start)
            {
                case "row":
                    builder.Tick();
                    rowNumber = Number(walk.Attribute("r"), rowNumber + 1);
                    column = -1;
                    break;
                case "c":
                    column = walk.Attribute("r") is { } reference ? ParseReference(reference, rowNumber).Column : column + 1;
                    cellType = walk.Attribute("t");
                    value = formula = null;
                    inline.Clear();
                    inCell = !walk.IsEmptyElement;
                    if (!inCell) EndCell();
                    break;
                case "v" when inCell:
                    value = walk.Text();
                    break;
                case "f" when inCell:
                    formula = walk.Text();
                    break;
                case "t" when inCell && !walk.InPhonetic:
                    inline.Append(walk.Text());
                    break;
                case "mergeCell":
                    if (walk.Attribute("ref") is { } range) Merge(range);
                    break;
            }
        }

        void EndCell()
        {
            inCell = false;
            var text = SheetReader.Unneutralise(CellText(cellType, value, formula, inline.ToString(), shared));
            builder.Set(rowNumber, column, text);
        }

        void Merge(string range)
        {
            if (range.Split(':') is not [var from, var to])
            {
                if (range.Split(':').Length == 1) return; // a one-cell "merge" merges nothing
                throw SheetRejectedException.Malformed($"合并单元格范围“{range}”无效 / invalid merged range");
            }
            var (r1, c1) = ParseReference(from, 0);
            var (r2, c2) = ParseReference(to, 0);
            builder.Merge(r1, c1, r2, c2, range);
        }
    }

    private static int Number(string? text, int otherwise) =>
        text is null ? otherwise
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
        : throw SheetRejectedException.Malformed($"工作表中的行号“{Clip(text)}”无效 / invalid row number");

    private static string CellText(string? type, string? raw, string? formula, string inline, List<string> shared)
    {
        if (type == "inlineStr") return inline.Trim();
        if (raw is null) return formula is { Length: > 0 } f ? "=" + f : "";
        if (type == "s")
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < shared.Count ? shared[n].Trim() : "";
        if (type == "b") return raw == "1" ? "是" : "否";
        return raw.Trim();
    }

    /// <summary>"F5" → (row 5, column 5): the row as written, the column 0-based; a reference without a row takes <paramref name="row"/>.</summary>
    internal static (int Row, int Column) ParseReference(string reference, int row)
    {
        var column = 0L;
        var n = 0;
        var text = reference.Replace("$", "", StringComparison.Ordinal);
        for (; n < text.Length && char.IsAsciiLetter(text[n]); n++)
        {
            column = column * 26 + (char.ToUpperInvariant(text[n]) - 'A' + 1);
            if (column > 16_384) throw SheetRejectedException.Malformed($"单元格引用“{Clip(reference)}”超出 Excel 的列范围 / invalid cell reference");
        }
        if (n == 0) throw SheetRejectedException.Malformed($"单元格引用“{Clip(reference)}”无效 / invalid cell reference");
        if (n < text.Length)
        {
            if (!int.TryParse(text.AsSpan(n), NumberStyles.None, CultureInfo.InvariantCulture, out row) || row < 1)
                throw SheetRejectedException.Malformed($"单元格引用“{Clip(reference)}”无效 / invalid cell reference");
        }
        return (row, (int)column - 1);
    }

    private static string Clip(string text) => text.Length > 20 ? text[..20] + "…" : text;
}
