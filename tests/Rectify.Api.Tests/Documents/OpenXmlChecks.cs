using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;

namespace Rectify.Api.Tests.Documents;

/// <summary>Opens generated Office files the way a checker would: schema validation and plain cell text.</summary>
public static class OpenXmlChecks
{
    public static List<string> SpreadsheetErrors(byte[] bytes)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        return new OpenXmlValidator(FileFormatVersions.Office2013).Validate(document).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
    }

    public static List<string> WordErrors(byte[] bytes)
    {
        using var document = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        return new OpenXmlValidator(FileFormatVersions.Office2013).Validate(document).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
    }

    /// <summary>The first sheet's rows as text, cells placed by their references (empty cells as "").</summary>
    public static List<string[]> Rows(byte[] bytes) => Rows(bytes, null);

    /// <summary>The rows of the sheet named <paramref name="sheetName"/> (the first sheet when null).</summary>
    public static List<string[]> Rows(byte[] bytes, string? sheetName)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().First(s => sheetName is null || s.Name?.Value == sheetName);
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToArray() ?? [];
        var rows = new List<string[]>();
        foreach (var row in part.Worksheet.Descendants<Row>())
        {
            var cells = row.Elements<Cell>().ToList();
            var width = cells.Count == 0 ? 0 : cells.Max(c => ColumnIndex(c.CellReference!.Value!)) + 1;
            var values = Enumerable.Repeat("", width).ToArray();
            foreach (var cell in cells)
            {
                values[ColumnIndex(cell.CellReference!.Value!)] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText
                    : cell.DataType?.Value == CellValues.SharedString ? shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)]
                    : cell.CellValue?.Text ?? "";
            }
            rows.Add(values);
        }
        return rows;
    }

    public static Pane? FrozenPane(byte[] bytes)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        var part = (WorksheetPart)workbook.GetPartById(workbook.Workbook.Sheets!.Elements<Sheet>().First().Id!.Value!);
        return (Pane?)part.Worksheet.Descendants<Pane>().FirstOrDefault()?.CloneNode(true);
    }

    public static List<double> ColumnWidths(byte[] bytes)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        var part = (WorksheetPart)workbook.GetPartById(workbook.Workbook.Sheets!.Elements<Sheet>().First().Id!.Value!);
        return part.Worksheet.Descendants<Column>().Select(c => c.Width!.Value).ToList();
    }

    private static int ColumnIndex(string reference)
    {
        var column = 0;
        foreach (var c in reference.TakeWhile(char.IsAsciiLetter)) column = column * 26 + (c - 'A' + 1);
        return column - 1;
    }
}
