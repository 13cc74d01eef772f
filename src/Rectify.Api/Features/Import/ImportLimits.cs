using System.Globalization;

namespace Rectify.Api.Features.Import;

/// <summary>
/// What one uploaded problem list may cost (issue 19.3: a 1.7 KB .xlsx with one merged range took 2.4 GB). Every
/// limit is checked while the file is streamed, so a hostile file is refused after reading at most a limit's worth.
/// Bound from <c>Rectify:Import:Limits</c>.
/// </summary>
public sealed class ImportLimits
{
    /// <summary>Rows holding any text (a county list has hundreds, a province's a few thousand).</summary>
    public int MaxRows { get; set; } = 50_000;

    /// <summary>Columns: the 256 of Excel 97–2003; a problem list uses about ten.</summary>
    public int MaxColumns { get; set; } = 256;

    /// <summary>Non-empty cells over the whole sheet.</summary>
    public int MaxCells { get; set; } = 1_000_000;

    /// <summary>Cells covered by merged ranges, all ranges together (a merged category over ten rows covers ten).</summary>
    public long MaxMergedCells { get; set; } = 500_000;

    /// <summary>Characters in one cell: Excel's own limit.</summary>
    public int MaxCellChars { get; set; } = 32_767;

    public int MaxSharedStrings { get; set; } = 1_000_000;

    /// <summary>Entries in the zip container (an .xlsx has about ten, a .docx about fifteen).</summary>
    public int MaxZipEntries { get; set; } = 2_000;

    /// <summary>Uncompressed bytes of one part that is read (sheet, shared strings, document body).</summary>
    public long MaxPartBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Uncompressed bytes of all parts read together.</summary>
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Uncompressed ÷ compressed for a part larger than 1 MB: XML of a real sheet packs 5–30×, a zip bomb thousands.</summary>
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>Reading the file (not writing the items) gives up after this long.</summary>
    public TimeSpan MaxReadTime { get; set; } = TimeSpan.FromSeconds(30);

    internal static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Why a file cannot be read: 400 for what is not a readable file of its kind, 422 for a readable file beyond a limit
/// or without content. Thrown from deep inside the streaming readers (the only way out of an XmlReader loop that
/// keeps the loops readable) and caught in one place, <see cref="SheetReader.Read"/>.
/// </summary>
public sealed class SheetRejectedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static SheetRejectedException Malformed(string message) => new(400, message);

    public static SheetRejectedException Limit(string message) => new(422, message);
}

/// <summary>A read-only stream that refuses to give more than <paramref name="limit"/> bytes (the zip's sizes may lie).</summary>
internal sealed class BoundedStream(Stream inner, long limit, Func<long, string> tooLarge, Action<long>? onRead = null) : Stream
{
    private long read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    private int Count(int n)
    {
        read += n;
        onRead?.Invoke(n);
        if (read > limit) throw SheetRejectedException.Limit(tooLarge(read));
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
