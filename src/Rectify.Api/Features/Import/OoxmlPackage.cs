using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Rectify.Api.Features.Import;

/// <summary>
/// An Office Open XML zip (.xlsx, .docx) opened with every part's size checked as it is inflated: the declared
/// sizes first (cheap), then the bytes actually read (a zip may lie about them). XML is read forward only with
/// DTDs refused, so an entity expansion or an external entity never runs.
/// </summary>
internal sealed class OoxmlPackage : IDisposable
{
    private const long SmallPart = 1024 * 1024;
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private readonly ImportLimits limits;
    private long totalRead;

    private OoxmlPackage(ZipArchive zip, ImportLimits limits)
    {
        this.zip = zip;
        this.limits = limits;
        entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in zip.Entries) entries.TryAdd(entry.FullName.TrimStart('/'), entry);
    }

    public static OoxmlPackage Open(byte[] content, ImportLimits limits, string notValid)
    {
        var count = DeclaredEntryCount(content);
        if (count is null) throw SheetRejectedException.Malformed(notValid);
        if (count > limits.MaxZipEntries)
            throw SheetRejectedException.Limit($"文件包含 {ImportLimits.Number(count.Value)} 个压缩条目，超过上限 {ImportLimits.Number(limits.MaxZipEntries)} / too many zip entries");
        try
        {
            return new OoxmlPackage(new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read), limits);
        }
        catch (InvalidDataException)
        {
            throw SheetRejectedException.Malformed(notValid);
        }
    }

    public bool Has(string path) => entries.ContainsKey(path);

    /// <summary>The part's XML, forward only; null when the package has no such part.</summary>
    public XmlReader? Xml(string path, string what)
    {
        if (!entries.TryGetValue(path.TrimStart('/'), out var entry)) return null;
        var declared = entry.Length;
        if (declared > limits.MaxPartBytes || totalRead + declared > limits.MaxTotalBytes)
            throw SheetRejectedException.Limit($"{what}解压后有 {ImportLimits.Number(declared)} 字节，超过上限 {ImportLimits.Number(limits.MaxPartBytes)} / part too large when uncompressed");
        if (declared > SmallPart && entry.CompressedLength > 0 && declared / entry.CompressedLength > limits.MaxCompressionRatio)
            throw SheetRejectedException.Limit($"{what}压缩比 {declared / entry.CompressedLength}:1 异常（疑似压缩炸弹），上限 {limits.MaxCompressionRatio}:1 / suspicious compression ratio");
        Stream stream;
        try
        {
            stream = entry.Open();
        }
        catch (InvalidDataException)
        {
            throw SheetRejectedException.Malformed($"{what}已损坏，无法解压 / part cannot be decompressed");
        }
        var budget = Math.Min(limits.MaxPartBytes, limits.MaxTotalBytes - totalRead);
        var bounded = new BoundedStream(stream, budget,
            read => $"{what}解压后超过 {ImportLimits.Number(budget)} 字节上限（疑似压缩炸弹） / part too large when uncompressed",
            n => totalRead += n);
        return XmlPart.Create(bounded, what);
    }

    /// <summary>The target of the first relationship of <paramref name="type"/> in a .rels part, as a package path.</summary>
    public string? Relationship(string relsPath, string baseFolder, Func<string, bool> type, string? id = null)
    {
        using var reader = Xml(relsPath, "关系文件");
        if (reader is null) return null;
        while (XmlPart.Read(reader))
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "Relationship") continue;
            var target = reader.GetAttribute("Target");
            if (target is null || reader.GetAttribute("TargetMode") == "External") continue;
            if (id is not null ? reader.GetAttribute("Id") != id : !type(reader.GetAttribute("Type") ?? "")) continue;
            return Resolve(baseFolder, target);
        }
        return null;
    }

    /// <summary>"worksheets/sheet1.xml" against "xl/" → "xl/worksheets/sheet1.xml"; "/xl/x.xml" is absolute; ".." is followed.</summary>
    internal static string Resolve(string baseFolder, string target)
    {
        var parts = new List<string>();
        if (!target.StartsWith('/')) parts.AddRange(baseFolder.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); }
            else if (segment != ".") parts.Add(segment);
        }
        return string.Join('/', parts);
    }

    /// <summary>The entry count of the end-of-central-directory record, read before the archive lists its entries; null when there is none.</summary>
    private static long? DeclaredEntryCount(byte[] content)
    {
        for (var at = content.Length - 22; at >= Math.Max(0, content.Length - 22 - 65_535); at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(at)) != 0x06054b50) continue;
            int count = BinaryPrimitives.ReadUInt16LittleEndian(content.AsSpan(at + 10));
            // 0xFFFF means "see the zip64 record"; such a count is beyond any limit of ours anyway.
            return count == 0xFFFF ? long.MaxValue : count;
        }
        return null;
    }

    public void Dispose() => zip.Dispose();
}

/// <summary>XmlReader settings and errors shared by every part read: no DTD, no resolver, malformed XML is a 400.</summary>
internal static class XmlPart
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private static readonly byte[][] Doctype =
    [
        Encoding.ASCII.GetBytes("<!DOCTYPE"), Encoding.Unicode.GetBytes("<!DOCTYPE"), Encoding.BigEndianUnicode.GetBytes("<!DOCTYPE"),
    ];

    public static XmlReader Create(Stream stream, string what)
    {
        // The first bytes are looked at for a DOCTYPE so that the refusal says why (XmlException does not).
        var head = new byte[4096];
        var length = 0;
        try
        {
            for (int n; length < head.Length && (n = stream.Read(head, length, head.Length - length)) > 0;) length += n;
        }
        catch (InvalidDataException)
        {
            throw Corrupt(what);
        }
        var prefix = head.AsSpan(0, length);
        foreach (var doctype in Doctype)
        {
            if (prefix.IndexOf(doctype) >= 0)
                throw SheetRejectedException.Malformed($"{what}含有 DTD（<!DOCTYPE>），出于安全原因不予读取 / XML with a DTD is refused");
        }
        var whole = new ConcatenatedStream(new MemoryStream(head, 0, length, writable: false), stream);
        // The reader decodes its first bytes as it is made: a part in no encoding it can read fails here, not in Read.
        try
        {
            return XmlReader.Create(whole, Settings);
        }
        catch (XmlException e)
        {
            throw SheetRejectedException.Malformed(
                $"{what}的 XML 无法按其编码读取（第 {e.LineNumber} 行第 {e.LinePosition} 列），文件可能已损坏 / XML in an encoding that cannot be read");
        }
        catch (InvalidDataException)
        {
            throw Corrupt(what);
        }
    }

    /// <summary><see cref="XmlReader.Read"/>, with malformed XML (and a DTD past the first bytes) as a 400.</summary>
    public static bool Read(XmlReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (XmlException e)
        {
            var dtd = e.Message.Contains("DTD", StringComparison.Ordinal);
            throw SheetRejectedException.Malformed(dtd
                ? "文件中的 XML 含有 DTD，出于安全原因不予读取 / XML with a DTD is refused"
                : $"文件中的 XML 格式错误（第 {e.LineNumber} 行第 {e.LinePosition} 列），文件可能已损坏 / malformed XML");
        }
        catch (InvalidDataException)
        {
            throw Corrupt("文件中的压缩数据");
        }
    }

    private static SheetRejectedException Corrupt(string what) => SheetRejectedException.Malformed($"{what}已损坏，无法解压 / compressed data is corrupt");

    /// <summary>The element's text content (reads to its end); malformed XML is a 400.</summary>
    public static string Text(XmlReader reader)
    {
        try
        {
            return reader.ReadElementContentAsString();
        }
        catch (XmlException e)
        {
            throw SheetRejectedException.Malformed($"文件中的 XML 格式错误（第 {e.LineNumber} 行第 {e.LinePosition} 列），文件可能已损坏 / malformed XML");
        }
        catch (InvalidDataException)
        {
            throw Corrupt("文件中的压缩数据");
        }
    }
}

/// <summary>Two streams read one after the other.</summary>
internal sealed class ConcatenatedStream(Stream first, Stream second) : Stream
{
    private bool onSecond;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!onSecond)
        {
            var n = first.Read(buffer);
            if (n > 0) return n;
            onSecond = true;
        }
        return second.Read(buffer);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { first.Dispose(); second.Dispose(); }
        base.Dispose(disposing);
    }
}
