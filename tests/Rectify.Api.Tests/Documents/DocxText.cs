using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Rectify.Api.Tests.Documents;

/// <summary>The text of a .docx: paragraphs outside tables, and each table as rows of cell texts.</summary>
public sealed record DocxText(List<string> Paragraphs, List<List<string[]>> Tables)
{
    public string All => string.Join("\n", Paragraphs);

    public static DocxText Read(byte[] bytes)
    {
        using var document = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var body = document.MainDocumentPart!.Document.Body!;
        var paragraphs = body.Elements<Paragraph>().Select(p => p.InnerText).ToList();
        var tables = body.Elements<Table>()
            .Select(t => t.Elements<TableRow>().Select(r => r.Elements<TableCell>().Select(c => c.InnerText).ToArray()).ToList()).ToList();
        return new DocxText(paragraphs, tables);
    }
}
