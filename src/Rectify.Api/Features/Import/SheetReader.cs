using System.Globalization;
using System.Text;
using CsvHelper;

namespace Rectify.Api.Features.Import;

/// <summary>One row of a sheet as text: its number as the spreadsheet shows it (1-based) and its cells.</summary>
public sealed record RawRow(int Number, string[] Cells)
{
    public string Cell(int column) => column < Cells.Length ? Cells[column] : "";
}

/// <summary>Why a file could not be read: 400 (not a readable file of its kind) or 422 (beyond a limit, or empty).</summary>
public sealed record SheetProblem(int Status, string Message);

/// <summary>
/// Reads a problem list from the bytes of an upload, whatever its name says: .xlsx (first visible sheet), .xls
/// (Excel 97–2003), .docx (the tables), or .csv (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030/GBK).
/// Merged cells are filled from their top-left cell, so a category merged over ten rows applies to all ten.
/// Every limit of <see cref="ImportLimits"/> holds while the file is read; reading stops at the request's
/// cancellation or after <see cref="ImportLimits.MaxReadTime"/>.
/// </summary>
public static class SheetReader
{
    public const string Encrypted = "文件已加密（设置了打开密码），请在 Excel 中取消密码后再导入 / the workbook is encrypted: remove the password first";
    public const string NotASheet = "文件不是 Excel（.xlsx/.xls）、Word（.docx）或 CSV 表格 / not a spreadsheet (.xlsx, .xls, .docx or .csv)";

    public static (IReadOnlyList<RawRow>? Rows, SheetProblem? Problem) Read(
        byte[] content, string? fileName, ImportLimits limits, TimeProvider wall, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(limits.MaxReadTime, wall);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var rows = ReadRows(content, Path.GetExtension(fileName ?? "").ToLowerInvariant(), limits, linked.Token);
            if (!rows.Any(r => r.Cells.Any(c => c.Length > 0))) return (null, new SheetProblem(422, "表格中没有任何内容（工作表为空） / the sheet is empty"));
            return (rows, null);
        }
        catch (SheetRejectedException e)
        {
            return (null, new SheetProblem(e.Status, e.Message));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (null, new SheetProblem(422, $"读取文件超过 {limits.MaxReadTime.TotalSeconds:0} 秒仍未完成，已停止；请检查文件或分批导入 / reading the file took too long"));
        }
    }

    private static IReadOnlyList<RawRow> ReadRows(byte[] content, string extension, ImportLimits limits, CancellationToken ct)
    {
        if (content.Length == 0) throw SheetRejectedException.Malformed("文件为空 / the file is empty");
        if (content is [0xD0, 0xCF, 0x11, 0xE0, ..])
        {
            // A compound (OLE) file: Excel 97–2003, or an OOXML workbook encrypted with a password (its parts
            // are then the streams "EncryptionInfo" and "EncryptedPackage" of a compound file).
            if (content.AsSpan().IndexOf(Encoding.Unicode.GetBytes("EncryptedPackage")) >= 0) throw SheetRejectedException.Malformed(Encrypted);
            return XlsReader.Read(content, limits, ct);
        }
        if (content is [(byte)'P', (byte)'K', ..])
        {
            var notValid = extension is ".docx" ? DocxReader.NotValid : XlsxReader.NotValid;
            using var package = OoxmlPackage.Open(content, limits, notValid);
            if (package.Has("word/document.xml") && !package.Has("xl/workbook.xml")) return DocxReader.Read(package, limits, ct);
            return XlsxReader.Read(package, limits, ct);
        }
        if (WrongFormat(content) is { } format) throw SheetRejectedException.Malformed($"文件实际是{format}，不是问题清单表格 / not a spreadsheet (.xlsx, .xls, .docx or .csv)");
        return extension switch
        {
            ".xlsx" or ".xlsm" => throw SheetRejectedException.Malformed(XlsxReader.NotValid),
            ".xls" => throw SheetRejectedException.Malformed(XlsReader.NotValid),
            ".docx" => throw SheetRejectedException.Malformed(DocxReader.NotValid),
            _ => ReadCsv(content, limits, ct),
        };
    }

    /// <summary>Formats often sent by mistake, named so the message says what the file is.</summary>
    private static string? WrongFormat(byte[] content) => content switch
    {
        [(byte)'%', (byte)'P', (byte)'D', (byte)'F', ..] => " PDF 文档",
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => " PNG 图片",
        [0xFF, 0xD8, 0xFF, ..] => " JPEG 图片",
        [(byte)'{', (byte)'\\', (byte)'r', (byte)'t', (byte)'f', ..] => " RTF 文档（请在 Word 中另存为 .docx）",
        [0x52, 0x61, 0x72, 0x21, ..] => " RAR 压缩包",
        [0x1F, 0x8B, ..] => " gzip 压缩包",
        _ => null,
    };

    /// <summary>A, B, …, Z, AA, … for a 0-based column.</summary>
    public static string ColumnName(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    /// <summary>Undoes the apostrophe our ledger puts before formula-like text, so a ledger imports back unchanged.</summary>
    internal static string Unneutralise(string text) =>
        text.Length > 1 && text[0] == '\'' && text[1] is '=' or '+' or '-' or '@' ? text[1..] : text;

    private static IReadOnlyList<RawRow> ReadCsv(byte[] content, ImportLimits limits, CancellationToken ct)
    {
        var text = Decode(content);
        if (text.Contains('\0')) throw SheetRejectedException.Malformed(NotASheet);
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            SkipEmptyLines = false,
            TrimWhitespace = true,
            MaxRecordSize = 4 * 1024 * 1024,
        };
        var builder = new SheetBuilder(limits, ct);
        using var reader = CsvReader.FromText(text, options);
        while (ReadRecord(reader))
        {
            builder.Tick();
            var row = (int)Math.Min(reader.RowNumber, int.MaxValue);
            if (reader.FieldCount > limits.MaxColumns)
                throw SheetRejectedException.Limit($"第{row}行有 {reader.FieldCount} 列，超过 {limits.MaxColumns} 列的导入上限 / more than {limits.MaxColumns} columns");
            for (var n = 0; n < reader.FieldCount; n++) builder.Set(row, n, Unneutralise(reader.GetString(n).Trim()));
        }
        return builder.Build();
    }

    private static bool ReadRecord(CsvReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (CsvFormatException)
        {
            throw SheetRejectedException.Malformed($"CSV 文件第 {reader.RowNumber + 1} 行格式错误（如引号未闭合或一行过长） / malformed CSV");
        }
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
