using System.Globalization;
using System.Text;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace Rectify.Api.Features.Import;

/// <summary>
/// Excel 97–2003 (.xls, BIFF in a compound file) with ExcelDataReader: the first visible sheet, its merged ranges,
/// dates as YYYY-MM-DD. Texts of old Chinese workbooks are in code page 936, hence the code-pages provider.
/// </summary>
internal static class XlsReader
{
    public const string NotValid = "文件不是有效的 Excel 97–2003（.xls）文件（Word 97–2003 的 .doc 文件请另存为 .docx） / not a valid .xls file";

    private const int MaxBiffRows = 65_536;
    private const int MaxBiffColumns = 256;

    public static IReadOnlyList<RawRow> Read(byte[] content, ImportLimits limits, CancellationToken ct)
    {
        // Idempotent; ExcelDataReader asks Encoding.GetEncoding for the workbook's code page and knows no other way.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var builder = new SheetBuilder(limits, ct);
        try
        {
            using var reader = ExcelReaderFactory.CreateBinaryReader(new MemoryStream(content, writable: false),
                new ExcelReaderConfiguration { FallbackEncoding = CodePagesEncodingProvider.Instance.GetEncoding(936)!, LeaveOpen = false });
            var found = false;
            do
            {
                if (!string.Equals(reader.VisibleState, "visible", StringComparison.OrdinalIgnoreCase)) continue;
                found = true;
                var row = 0;
                while (reader.Read())
                {
                    builder.Tick();
                    // A BIFF8 sheet has at most 65,536 rows; a parser that yields more is reading noise.
                    if (++row > MaxBiffRows) throw SheetRejectedException.Malformed(NotValid);
                    // And at most 256 columns: more is a damaged file, not a wide one.
                    if (reader.FieldCount > MaxBiffColumns) throw SheetRejectedException.Malformed(NotValid);
                    for (var column = 0; column < Math.Min(reader.FieldCount, limits.MaxColumns); column++)
                        builder.Set(row, column, SheetReader.Unneutralise(Text(reader.GetValue(column))));
                }
                foreach (var merge in reader.MergeCells ?? [])
                {
                    builder.Merge(merge.FromRow + 1, merge.FromColumn, merge.ToRow + 1, merge.ToColumn,
                        $"{SheetReader.ColumnName(merge.FromColumn)}{merge.FromRow + 1}:{SheetReader.ColumnName(merge.ToColumn)}{merge.ToRow + 1}");
                }
                break;
            } while (reader.NextResult());
            if (!found) throw SheetRejectedException.Limit("Excel 文件中没有可见的工作表 / the workbook has no visible worksheet");
        }
        catch (InvalidPasswordException)
        {
            throw SheetRejectedException.Malformed(SheetReader.Encrypted);
        }
        catch (Exception e) when (e is not (SheetRejectedException or OperationCanceledException))
        {
            // A third-party parser of a binary format: what it throws on hostile bytes is not a closed set
            // (format exceptions, index and argument errors, end of stream). Any of them means "not a readable .xls".
            throw SheetRejectedException.Malformed(NotValid);
        }
        return builder.Build();
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s.Trim(),
        DateTime d => d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        double n => n.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "是" : "否",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture).Trim(),
        _ => value.ToString()?.Trim() ?? "",
    };
}
