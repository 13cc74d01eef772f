using System.Text;
using System.Text.RegularExpressions;

namespace Rectify.Api.Features.Runtime;

/// <summary>
/// Evidence files (佐证材料): what we accept and how a name is made safe. The content decides the type (magic bytes),
/// and the extension must agree with it, so a renamed executable is refused whatever its name says.
/// </summary>
public static partial class EvidenceFiles
{
    public const long MaxBytes = 20 * 1024 * 1024;
    public const int MaxFilesPerRequest = 20;

    /// <summary>Content types a page may show in place (<c>?inline=true</c>): images and PDF. Nothing that runs script.</summary>
    private static readonly IReadOnlySet<string> ShownInPlace = new HashSet<string>(StringComparer.Ordinal)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
    };

    /// <summary>Whether a file of this content type opens in place (an image, a PDF) rather than as a download.</summary>
    public static bool OpensInPlace(string? contentType) => contentType is not null && ShownInPlace.Contains(contentType);

    private static readonly (string Extension, string ContentType, string Family)[] Types =
    [
        (".pdf", "application/pdf", "pdf"),
        (".png", "image/png", "png"),
        (".jpg", "image/jpeg", "jpeg"), (".jpeg", "image/jpeg", "jpeg"),
        (".gif", "image/gif", "gif"),
        (".webp", "image/webp", "webp"),
        (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
        (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
        (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip"),
        (".ofd", "application/ofd", "zip"),
        (".zip", "application/zip", "zip"),
        (".doc", "application/msword", "ole"), (".xls", "application/vnd.ms-excel", "ole"), (".wps", "application/vnd.ms-works", "ole"),
        (".txt", "text/plain; charset=utf-8", "text"), (".csv", "text/csv; charset=utf-8", "text"),
    ];

    /// <summary>The family the bytes belong to, or null when we do not accept such content.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8)) return "pdf";
        if (head.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "png";
        if (head.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })) return "jpeg";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "gif";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "webp";
        if (head.StartsWith(new byte[] { 0x50, 0x4B, 0x03, 0x04 })) return "zip";
        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 })) return "ole";
        return LooksLikeText(head) ? "text" : null;
    }

    /// <summary>The content type to store, or an error message (Chinese / English) when name and content disagree.</summary>
    public static (string? ContentType, string? Error) Classify(string fileName, ReadOnlySpan<byte> head)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var known = Types.Where(t => t.Extension == extension).ToList();
        if (known.Count == 0)
            return (null, $"不支持的文件类型“{extension}”，可上传 PDF、图片、Office/WPS 文档、OFD、ZIP、TXT/CSV / file type {extension} not accepted");
        var family = Sniff(head);
        if (family is null || known[0].Family != family)
            return (null, $"文件内容与扩展名“{extension}”不符 / the content of the file does not match its extension {extension}");
        return (known[0].ContentType, null);
    }

    /// <summary>A file name safe to store and to send back in Content-Disposition: no path, no control or reserved characters.</summary>
    public static string SafeName(string? raw)
    {
        var name = Path.GetFileName((raw ?? "").Replace('\\', '/'));
        name = Unsafe().Replace(name, "_").Trim().Trim('.');
        if (name.Length == 0) name = "file";
        if (name.Length > 150)
        {
            var extension = Path.GetExtension(name);
            name = name[..(150 - Math.Min(extension.Length, 20))] + extension[..Math.Min(extension.Length, 20)];
        }
        return name;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty || head.Contains((byte)0)) return false;
        // Valid UTF-8 (a multi-byte sequence may be cut at the end of the sample), or GB18030 text from older office software.
        var sample = head.Length > 3 ? head[..^3] : head;
        return System.Text.Unicode.Utf8.IsValid(sample) || !sample.ToArray().Any(b => b < 0x09 || b is > 0x0D and < 0x20);
    }

    [GeneratedRegex(@"[\x00-\x1F\x7F<>:""/\\|?*]|\.\.")]
    private static partial Regex Unsafe();
}
