using System.Globalization;
using System.Text;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// Problem-list files as offices make them, written independently of the service's own writer: shared strings,
/// numeric date cells, merged cells, title rows (OpenXml); comma-separated text in UTF-8 or GBK (CsvHelper).
/// </summary>
public static class ImportFiles
{
    /// <summary>Rows from row 1; a cell is a string (shared string), a double (number) or null. Merges like "B3:B5".</summary>
    public static byte[] Xlsx(IReadOnlyList<object?[]> rows, params string[] merges)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sharedPart = workbook.AddNewPart<SharedStringTablePart>();
            var strings = new List<string>();
            var sheetData = new SheetData();
            for (var r = 0; r < rows.Count; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var reference = Column(c) + (r + 1).ToString(CultureInfo.InvariantCulture);
                    switch (rows[r][c])
                    {
                        case string s:
                            var index = strings.IndexOf(s);
                            if (index < 0) { strings.Add(s); index = strings.Count - 1; }
                            row.Append(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(index.ToString(CultureInfo.InvariantCulture)) });
                            break;
                        case double d:
                            row.Append(new Cell { CellReference = reference, CellValue = new CellValue(d.ToString(CultureInfo.InvariantCulture)) });
                            break;
                    }
                }
                sheetData.Append(row);
            }
            sharedPart.SharedStringTable = new SharedStringTable(strings.Select(s => new SharedStringItem(new Text(s) { Space = SpaceProcessingModeValues.Preserve })));
            var worksheet = new Worksheet(sheetData);
            if (merges.Length > 0) worksheet.Append(new MergeCells(merges.Select(m => new MergeCell { Reference = m })));
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            sheetPart.Worksheet = worksheet;
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "问题清单" }));
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    public enum CsvEncoding { Utf8Bom, Utf8, Gbk }

    public static byte[] Csv(IReadOnlyList<string?[]> rows, CsvEncoding encoding)
    {
        var text = new StringWriter();
        using (var writer = CsvWriter.Create(text, new CsvWriterOptions { ValidateFieldCount = false }, true))
        {
            foreach (var row in rows) writer.WriteRecord(row.Select(c => c ?? "").ToArray());
        }
        var csv = text.ToString();
        return encoding switch
        {
            CsvEncoding.Utf8Bom => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)],
            CsvEncoding.Utf8 => Encoding.UTF8.GetBytes(csv),
            _ => CodePagesEncodingProvider.Instance.GetEncoding(936)!.GetBytes(csv),
        };
    }

    /// <summary>An Excel date serial (what a date typed into a cell is stored as).</summary>
    public static double Serial(int year, int month, int day) => new DateTime(year, month, day).ToOADate();

    private static string Column(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }
}
