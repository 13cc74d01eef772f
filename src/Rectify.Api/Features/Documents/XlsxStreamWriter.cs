using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// An .xlsx written front to back, row by row, into any stream (a download's response body included, which cannot
/// seek): each worksheet is a zip entry written through the OpenXml SAX writer as its rows come, the workbook, its
/// relationships, the styles and the content types follow the last sheet, so a sheet can be added once the rows before
/// it are known. The compressed bytes collect in a small buffer that <see cref="DrainAsync"/> hands to the output, so
/// memory stays the same whatever the number of rows. Excel, LibreOffice and the OpenXml SDK read the parts wherever
/// they stand in the zip.
/// </summary>
public sealed class XlsxStreamWriter : IDisposable
{
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// <summary>How many compressed bytes may wait before <see cref="ShouldDrain"/> says to hand them on.</summary>
    public const int DrainAt = 64 * 1024;

    private readonly Stream output;
    private readonly Buffer buffer = new();
    private readonly ZipArchive zip;
    private readonly List<(string Name, uint HeaderRow)> sheets = [];
    private Stream? entry;
    private OpenXmlWriter? writer;
    private (bool HasTitle, IReadOnlyList<(string Header, double Width)> Columns) current;
    private uint rowIndex;
    private bool finished;

    public XlsxStreamWriter(Stream output)
    {
        this.output = output;
        zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
    }

    /// <summary>Compressed bytes are waiting: <see cref="DrainAsync"/> now keeps the buffer small.</summary>
    public bool ShouldDrain => buffer.Pending >= DrainAt;

    /// <summary>Starts a worksheet: its title row merged across the columns (when given) and its header row, frozen with everything above it.</summary>
    public void BeginSheet(string name, string? title, IReadOnlyList<(string Header, double Width)> columns)
    {
        if (writer is not null) throw new InvalidOperationException("the previous sheet is not ended");
        var headerRow = title is null ? 1u : 2u;
        sheets.Add((SafeText.ForXml(name), headerRow));
        entry = zip.CreateEntry($"xl/worksheets/sheet{sheets.Count}.xml", CompressionLevel.Fastest).Open();
        writer = OpenXmlWriter.Create(entry, new UTF8Encoding(false));
        writer.WriteStartDocument(true);
        XlsxBuilder.WriteSheetStart(writer, headerRow, columns, selected: sheets.Count == 1);
        current = (title is not null, columns);
        rowIndex = 1;
        if (title is not null) XlsxBuilder.WriteRow(writer, rowIndex++, [title], XlsxBuilder.TitleStyle, height: 30);
        var headers = columns.Select(c => (object?)c.Header).ToList();
        XlsxBuilder.WriteRow(writer, rowIndex++, headers, XlsxBuilder.HeaderStyle, height: Math.Max(24, XlsxBuilder.WrappedHeight(headers, columns)));
    }

    /// <summary>One body row: text, numbers or nulls, one per column; its height fits its wrapped text.</summary>
    public void Row(IReadOnlyList<object?> values)
    {
        var w = writer ?? throw new InvalidOperationException("no sheet is begun");
        XlsxBuilder.WriteRow(w, rowIndex++, values, XlsxBuilder.BodyStyle, height: XlsxBuilder.WrappedHeight(values, current.Columns));
    }

    public void EndSheet()
    {
        var w = writer ?? throw new InvalidOperationException("no sheet is begun");
        XlsxBuilder.WriteSheetEnd(w, current.HasTitle, current.Columns.Count);
        w.Close();
        w.Dispose();
        entry!.Dispose();
        writer = null;
        entry = null;
    }

    /// <summary>A whole sheet from rows that arrive one by one (a database reader), handing the bytes on as they grow.</summary>
    public async Task WriteSheetAsync(string name, string? title, IReadOnlyList<(string Header, double Width)> columns,
        IAsyncEnumerable<IReadOnlyList<object?>> rows, CancellationToken ct)
    {
        BeginSheet(name, title, columns);
        // The first bytes go out at once: the download starts before the first row is read.
        await DrainAsync(ct, flush: true);
        await foreach (var row in rows.WithCancellation(ct))
        {
            Row(row);
            if (ShouldDrain) await DrainAsync(ct);
        }
        EndSheet();
        await DrainAsync(ct);
    }

    /// <summary>The workbook (its sheets and the rows printed again on every page), the styles, relationships and content types; then the zip's directory.</summary>
    public void Finish()
    {
        if (writer is not null) throw new InvalidOperationException("the last sheet is not ended");
        if (finished) return;
        finished = true;
        Part("xl/styles.xml", XlsxBuilder.Styles().OuterXml);

        var workbook = new Workbook();
        workbook.AddNamespaceDeclaration("r", RelNs);
        var list = workbook.AppendChild(new Sheets());
        var printTitles = new DefinedNames();
        for (var n = 0; n < sheets.Count; n++)
        {
            var (name, headerRow) = sheets[n];
            list.Append(new Sheet { Id = $"rId{n + 1}", SheetId = (uint)(n + 1), Name = name });
            // The title and header rows are printed again at the top of every page.
            printTitles.Append(new DefinedName($"'{name.Replace("'", "''", StringComparison.Ordinal)}'!$1:${headerRow}")
            { Name = "_xlnm.Print_Titles", LocalSheetId = (uint)n });
        }
        workbook.Append(printTitles);
        Part("xl/workbook.xml", workbook.OuterXml);

        var rels = new StringBuilder($"<Relationships xmlns=\"{PackageRelNs}\">");
        for (var n = 0; n < sheets.Count; n++)
            rels.Append($"<Relationship Id=\"rId{n + 1}\" Type=\"{RelNs}/worksheet\" Target=\"worksheets/sheet{n + 1}.xml\"/>");
        rels.Append($"<Relationship Id=\"rId{sheets.Count + 1}\" Type=\"{RelNs}/styles\" Target=\"styles.xml\"/></Relationships>");
        Part("xl/_rels/workbook.xml.rels", rels.ToString());
        Part("_rels/.rels", $"<Relationships xmlns=\"{PackageRelNs}\"><Relationship Id=\"rId1\" Type=\"{RelNs}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");

        var types = new StringBuilder("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">")
            .Append("<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>")
            .Append("<Default Extension=\"xml\" ContentType=\"application/xml\"/>")
            .Append("<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>")
            .Append("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
        for (var n = 0; n < sheets.Count; n++)
            types.Append($"<Override PartName=\"/xl/worksheets/sheet{n + 1}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
        Part("[Content_Types].xml", types.Append("</Types>").ToString());
        zip.Dispose();
    }

    /// <summary><see cref="Finish"/>, then the last bytes to the output.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        Finish();
        await DrainAsync(ct, flush: true);
    }

    /// <summary>Hands the waiting bytes to the output (synchronously: an output in memory).</summary>
    public void Drain()
    {
        if (buffer.Pending == 0) return;
        output.Write(buffer.Bytes.Span);
        buffer.Clear();
    }

    /// <summary>Hands the waiting bytes to the output; with <paramref name="flush"/> the output sends them now.</summary>
    public async Task DrainAsync(CancellationToken ct, bool flush = false)
    {
        if (buffer.Pending > 0)
        {
            await output.WriteAsync(buffer.Bytes, ct);
            buffer.Clear();
        }
        if (flush) await output.FlushAsync(ct);
    }

    private void Part(string path, string xml)
    {
        using var stream = zip.CreateEntry(path, CompressionLevel.Fastest).Open();
        var bytes = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" + xml);
        stream.Write(bytes);
    }

    public void Dispose()
    {
        writer?.Dispose();
        entry?.Dispose();
        if (!finished) zip.Dispose();
    }

    /// <summary>A write-only stream into memory that is emptied as it is drained (the zip writes into it, the drain reads it).</summary>
    private sealed class Buffer : Stream
    {
        private readonly MemoryStream bytes = new();

        public int Pending => (int)bytes.Length;
        public ReadOnlyMemory<byte> Bytes => bytes.GetBuffer().AsMemory(0, (int)bytes.Length);
        public void Clear() => bytes.SetLength(0);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => bytes.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => bytes.Write(buffer);
    }
}
