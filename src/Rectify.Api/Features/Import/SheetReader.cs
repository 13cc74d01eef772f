using System.Globalization;
using System.Text;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Api.Features.Import;

/// <summary>One row of a sheet as text: its number as the spreadsheet shows it (1-based) and its cells.</summary>
public sealed record RawRow(int Number, string[] Cells)
{
    public string Cell(int column) => column < Cells.Length ? Cells[column] : "";
}

/// <summary>
/// Reads the first worksheet of an .xlsx (merged cells filled from their top-left cell, so a category merged
/// over ten rows applies to all ten) or a .csv (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030/GBK).
/// </summary>
public static class SheetReader
{
    public static (IReadOnlyList<RawRow>? Rows, string? Error) Read(byte[] content, string? fileName)
    {
        if (content.Length == 0) return (null, "文件为空 / the file is empty");
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (content.Length >= 4 && content[0] == 0xD0 && content[1] == 0xCF && content[2] == 0x11 && content[3] == 0xE0)
            return (null, "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入 / legacy .xls is not supported, save as .xlsx");
        if (content.Length >= 2 && content[0] == (byte)'P' && content[1] == (byte)'K') return ReadXlsx(content);
        if (extension is ".xlsx" or ".xlsm") return (null, "文件不是有效的 Excel（.xlsx）文件 / not a valid .xlsx file");
        return ReadCsv(content);
    }

    /// <summary>A, B, …, Z, AA, … for a 0-based column.</summary>
    public static string ColumnName(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    private static (IReadOnlyList<RawRow>?, string?) ReadXlsx(byte[] content)
    {
        SpreadsheetDocument document;
        try
        {
            document = SpreadsheetDocument.Open(new MemoryStream(content, writable: false), false);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or IOException or FileFormatException)
        {
            return (null, "文件不是有效的 Excel（.xlsx）文件 / not a valid .xlsx file");
        }
        using (document)
        {
            var workbook = document.WorkbookPart;
            var sheet = workbook?.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault(s => s.State is null || s.State.Value == SheetStateValues.Visible);
            if (workbook is null || sheet?.Id?.Value is null || workbook.GetPartById(sheet.Id.Value) is not WorksheetPart part)
                return (null, "Excel 文件中没有工作表 / the workbook has no worksheet");
            var shared = workbook.SharedStringTablePart is { } sharedPart ? ReadSharedStrings(sharedPart) : [];
            var (cells, merges) = ReadCells(part, shared);
            foreach (var merge in merges)
            {
                if (merge.Split(':') is not [var from, var to]) continue;
                var (r1, c1) = ParseReference(from);
                var (r2, c2) = ParseReference(to);
                if (!cells.TryGetValue(r1, out var top) || !top.TryGetValue(c1, out var value)) continue;
                for (var r = r1; r <= r2; r++)
                {
                    if (!cells.TryGetValue(r, out var line)) cells[r] = line = [];
                    for (var c = c1; c <= c2; c++) line[c] = value;
                }
            }
            var rows = cells.Select(pair =>
            {
                var array = new string[pair.Value.Keys.Max() + 1];
                Array.Fill(array, "");
                foreach (var (c, v) in pair.Value) array[c] = v;
                return new RawRow(pair.Key, array);
            }).ToList();
            return (rows, null);
        }
    }

    /// <summary>Undoes the apostrophe our ledger puts before formula-like text, so a ledger imports back unchanged.</summary>
    private static string Unneutralise(string text) =>
        text.Length > 1 && text[0] == '\'' && text[1] is '=' or '+' or '-' or '@' ? text[1..] : text;

    /// <summary>Shared strings with the SAX reader (the DOM costs seconds on a 5,000-row list); phonetic runs are left out.</summary>
    private static string[] ReadSharedStrings(SharedStringTablePart part)
    {
        var list = new List<string>();
        var text = new StringBuilder();
        var phonetic = 0;
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            var type = reader.ElementType;
            if (type == typeof(SharedStringItem)) { if (reader.IsStartElement) text.Clear(); else list.Add(text.ToString()); }
            else if (type == typeof(PhoneticRun)) phonetic += reader.IsStartElement ? 1 : -1;
            else if (type == typeof(Text) && reader.IsStartElement && phonetic == 0) text.Append(reader.GetText());
        }
        return [.. list];
    }

    /// <summary>Cell texts by row number and 0-based column, and the merged ranges, read with the SAX reader.</summary>
    private static (SortedDictionary<int, Dictionary<int, string>> Cells, List<string> Merges) ReadCells(WorksheetPart part, string[] shared)
    {
        var cells = new SortedDictionary<int, Dictionary<int, string>>();
        var merges = new List<string>();
        var rowNumber = 0;
        var column = -1;
        Dictionary<int, string>? values = null;
        string? cellType = null, value = null, formula = null;
        var inline = new StringBuilder();
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            var type = reader.ElementType;
            if (type == typeof(Row))
            {
                if (reader.IsStartElement)
                {
                    rowNumber = Attribute(reader, "r") is { } r && int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : rowNumber + 1;
                    column = -1;
                    values = [];
                }
                else if (values is { Count: > 0 }) cells[rowNumber] = values;
            }
            else if (type == typeof(Cell))
            {
                if (reader.IsStartElement)
                {
                    column = Attribute(reader, "r") is { } reference ? ParseReference(reference).Column : column + 1;
                    cellType = Attribute(reader, "t");
                    value = formula = null;
                    inline.Clear();
                }
                else
                {
                    var text = Unneutralise(CellText(cellType, value, formula, inline.ToString(), shared));
                    if (text.Length > 0 && values is not null && column >= 0) values[column] = text;
                }
            }
            else if (reader.IsStartElement)
            {
                if (type == typeof(CellValue)) value = reader.GetText();
                else if (type == typeof(CellFormula)) formula = reader.GetText();
                else if (type == typeof(Text)) inline.Append(reader.GetText());
                else if (type == typeof(MergeCell) && Attribute(reader, "ref") is { } range) merges.Add(range);
            }
        }
        return (cells, merges);
    }

    private static string? Attribute(OpenXmlReader reader, string name)
    {
        foreach (var attribute in reader.Attributes)
        {
            if (attribute.LocalName == name) return attribute.Value;
        }
        return null;
    }

    private static string CellText(string? type, string? raw, string? formula, string inline, string[] shared)
    {
        if (type == "inlineStr") return inline.Trim();
        if (raw is null) return formula is { Length: > 0 } f ? "=" + f : "";
        if (type == "s")
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < shared.Length ? shared[n].Trim() : "";
        if (type == "b") return raw == "1" ? "是" : "否";
        return raw.Trim();
    }

    /// <summary>"F5" → (row 5, column 5): the row as written, the column 0-based.</summary>
    private static (int Row, int Column) ParseReference(string reference)
    {
        var column = 0;
        var n = 0;
        for (; n < reference.Length && char.IsAsciiLetter(reference[n]); n++) column = column * 26 + (char.ToUpperInvariant(reference[n]) - 'A' + 1);
        var row = int.TryParse(reference.AsSpan(n), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;
        return (row, column - 1);
    }

    private static (IReadOnlyList<RawRow>?, string?) ReadCsv(byte[] content)
    {
        var text = Decode(content);
        if (text.Contains('\0')) return (null, "文件不是 Excel（.xlsx）或 CSV 表格 / not a spreadsheet (.xlsx or .csv)");
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            SkipEmptyLines = false,
            TrimWhitespace = true,
            MaxRecordSize = 4 * 1024 * 1024,
        };
        var rows = new List<RawRow>();
        using var reader = CsvReader.FromText(text, options);
        while (reader.Read())
        {
            var cells = new string[reader.FieldCount];
            for (var n = 0; n < cells.Length; n++) cells[n] = Unneutralise(reader.GetString(n).Trim());
            if (cells.Any(c => c.Length > 0)) rows.Add(new RawRow((int)reader.RowNumber, cells));
        }
        return (rows, null);
    }

    /// <summary>UTF-8 (BOM or strictly valid), UTF-16 with BOM, otherwise GB18030 (a superset of GBK and GB2312).</summary>
    internal static string Decode(byte[] content)
    {
        if (content is [0xEF, 0xBB, 0xBF, ..]) return new UTF8Encoding(false).GetString(content, 3, content.Length - 3);
        if (content is [0xFF, 0xFE, ..]) return Encoding.Unicode.GetString(content, 2, content.Length - 2);
        if (content is [0xFE, 0xFF, ..]) return Encoding.BigEndianUnicode.GetString(content, 2, content.Length - 2);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            // Office's "CSV" on a Chinese Windows is ANSI = GBK; GB18030 decodes every GBK file the same way.
            return CodePagesEncodingProvider.Instance.GetEncoding(54936)!.GetString(content);
        }
    }
}
