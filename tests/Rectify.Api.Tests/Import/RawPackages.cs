using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// Zip packages written part by part as text, so a test can make exactly the hostile file it needs: a DTD in a
/// sheet, malformed XML, a merged-range bomb, a Word document, a zip whose headers lie about sizes.
/// </summary>
public static class RawPackages
{
    public const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    public const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    public const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    public static byte[] Zip(params (string Path, string Text)[] parts) => Zip(parts.Select(p => (p.Path, (Func<Stream, Task>?)null, (string?)p.Text)).ToArray());

    /// <summary>Parts given as text, or written by a function (for parts too large to hold as a string).</summary>
    public static byte[] Zip((string Path, Func<Stream, Task>? Write, string? Text)[] parts)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, write, text) in parts)
            {
                using var entry = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
                if (write is not null) write(entry).GetAwaiter().GetResult();
                else entry.Write(Encoding.UTF8.GetBytes(text!));
            }
        }
        return stream.ToArray();
    }

    /// <summary>A minimal .xlsx: workbook, one sheet with <paramref name="sheetXml"/> as its whole text, optional shared strings.</summary>
    public static byte[] Xlsx(string sheetXml, string? sharedStringsXml = null, string? workbookXml = null)
    {
        var parts = new List<(string, string)>
        {
            ("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>"""),
            ("_rels/.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{Rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""),
            ("xl/workbook.xml", workbookXml ?? $"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{Main}" xmlns:r="{Rel}"><sheets><sheet name="问题清单" sheetId="1" r:id="rId1"/></sheets></workbook>"""),
            ("xl/_rels/workbook.xml.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{Rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{Rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""),
            ("xl/worksheets/sheet1.xml", sheetXml),
        };
        if (sharedStringsXml is not null) parts.Add(("xl/sharedStrings.xml", sharedStringsXml));
        return Zip([.. parts]);
    }

    /// <summary>A sheet of inline strings: rows from row 1, then the merged ranges.</summary>
    public static string Sheet(IEnumerable<string[]> rows, params string[] merges)
    {
        var sb = new StringBuilder($"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{Main}"><sheetData>""");
        var r = 0;
        foreach (var row in rows)
        {
            r++;
            sb.Append($"<row r=\"{r}\">");
            for (var c = 0; c < row.Length; c++)
            {
                if (row[c].Length == 0) continue;
                sb.Append($"<c r=\"{(char)('A' + c)}{r}\" t=\"inlineStr\"><is><t>{System.Security.SecurityElement.Escape(row[c])}</t></is></c>");
            }
            sb.Append("</row>");
        }
        sb.Append("</sheetData>");
        if (merges.Length > 0) sb.Append("<mergeCells>").Append(string.Concat(merges.Select(m => $"<mergeCell ref=\"{m}\"/>"))).Append("</mergeCells>");
        return sb.Append("</worksheet>").ToString();
    }

    /// <summary>A .docx whose body is <paramref name="bodyXml"/> (paragraphs and tables), optionally with a numbering part.</summary>
    public static byte[] Docx(string bodyXml, string? numberingXml = null)
    {
        var parts = new List<(string, string)>
        {
            ("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""),
            ("_rels/.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{Rel}/officeDocument" Target="word/document.xml"/></Relationships>"""),
            ("word/document.xml", $"""<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{bodyXml}</w:body></w:document>"""),
        };
        if (numberingXml is not null)
        {
            parts.Add(("word/_rels/document.xml.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="{Rel}/numbering" Target="numbering.xml"/></Relationships>"""));
            parts.Add(("word/numbering.xml", $"""<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W}">{numberingXml}</w:numbering>"""));
        }
        return Zip([.. parts]);
    }

    /// <summary>A Word table: each cell is text, or null for a cell that continues the merge above (vMerge).</summary>
    public static string Table(IEnumerable<WordCell[]> rows)
    {
        var sb = new StringBuilder("<w:tbl>");
        foreach (var row in rows)
        {
            sb.Append("<w:tr>");
            foreach (var cell in row)
            {
                sb.Append("<w:tc><w:tcPr>");
                if (cell.Span > 1) sb.Append($"<w:gridSpan w:val=\"{cell.Span}\"/>");
                if (cell.VMerge == "restart") sb.Append("<w:vMerge w:val=\"restart\"/>");
                else if (cell.VMerge == "continue") sb.Append("<w:vMerge/>");
                sb.Append("</w:tcPr>");
                foreach (var line in cell.Text.Split('\n')) sb.Append(Paragraph(line, cell.NumId));
                sb.Append("</w:tc>");
            }
            sb.Append("</w:tr>");
        }
        return sb.Append("</w:tbl>").ToString();
    }

    public static string Paragraph(string text, int? numId = null, int level = 0) =>
        "<w:p>" + (numId is { } n ? $"<w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"{n}\"/></w:numPr></w:pPr>" : "")
        + (text.Length > 0 ? $"<w:r><w:t xml:space=\"preserve\">{System.Security.SecurityElement.Escape(text)}</w:t></w:r>" : "") + "</w:p>";

    /// <summary>Sets the uncompressed size a zip declares for <paramref name="path"/> (local and central headers) to <paramref name="size"/>.</summary>
    public static byte[] LieAboutSize(byte[] zip, string path, uint size)
    {
        var bytes = (byte[])zip.Clone();
        var name = Encoding.UTF8.GetBytes(path);
        for (var at = 0; at + 46 < bytes.Length; at++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            if (signature == 0x04034b50 && bytes.AsSpan(at + 30, name.Length).SequenceEqual(name)
                && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 26)) == name.Length)
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), size);
            if (signature == 0x02014b50 && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 28)) == name.Length
                && bytes.AsSpan(at + 46, name.Length).SequenceEqual(name))
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), size);
        }
        return bytes;
    }
}

/// <summary>A cell of a Word table: text, columns it spans, and "restart"/"continue" for a vertical merge.</summary>
public sealed record WordCell(string Text, int Span = 1, string? VMerge = null, int? NumId = null)
{
    public static implicit operator WordCell(string text) => new(text);
}
