using System.Globalization;
using System.Text;

namespace Rectify.Workflows.Domain;

/// <summary>
/// One rule for the characters text may hold, used by every write path (the API's <c>Validator</c>, file names of
/// attachments, the importer) and, as a second line of defence, by every document builder (rows stored before the rule
/// exist). Refused at input:
/// <list type="bullet">
/// <item>characters XML cannot carry — C0 controls (tab, CR and LF only where a field is multi-line), U+FFFE, U+FFFF,
/// lone surrogates — one of them made ledger.xlsx answer 500 to every role;</item>
/// <item>C1 controls U+0080–U+009F and DEL;</item>
/// <item>invisible formatting that makes text read other than it is: bidi controls U+202A–U+202E, U+2066–U+2069,
/// U+061C, zero-width characters U+200B–U+200F and U+FEFF (U+202E in a file name shows "报告exe.pdf" for
/// "报告fdp.exe").</item>
/// </list>
/// </summary>
public static class SafeText
{
    /// <summary>The index of the first character text must not hold, or -1.</summary>
    public static int FindUnsafe(string text, bool multiline = false) => Find(text, c => IsUnsafe(c, multiline));

    /// <summary>The index of the first lone surrogate or of the first other character <paramref name="bad"/> names, or -1.</summary>
    private static int Find(string text, Func<char, bool> bad)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return i;
            }
            if (char.IsLowSurrogate(c) || bad(c)) return i;
        }
        return -1;
    }

    public static bool IsSafe(string text, bool multiline = false) => FindUnsafe(text, multiline) < 0;

    /// <summary>A character as a person can name it: U+202E.</summary>
    public static string Name(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>The field error for <paramref name="text"/>, or null when it is safe.</summary>
    public static string? Problem(string text, bool multiline = false)
    {
        var at = FindUnsafe(text, multiline);
        if (at < 0) return null;
        var c = text[at];
        return IsFormatting(c)
            ? $"不能包含不可见的格式字符（{Name(c)}，如从右到左标记、零宽字符），请删除后重试 / must not contain invisible formatting characters such as bidi controls or zero-width characters ({Name(c)})"
            : $"不能包含控制字符或无效字符（{Name(c)}，第 {at + 1} 个字符）/ must not contain control or invalid characters ({Name(c)} at {at + 1})";
    }

    /// <summary>
    /// The text with every character removed that an XML document cannot hold (C0 controls but tab, CR, LF; U+FFFE,
    /// U+FFFF; lone surrogates). What document builders (xlsx, docx) write; returns the same instance when nothing goes.
    /// </summary>
    public static string ForXml(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        return XmlSafe(text) ? text : Without(text, c => !IsXmlChar(c));
    }

    /// <summary>
    /// The text with every unsafe character removed (<see cref="FindUnsafe"/>), for output where a spoofing character
    /// must not reach the reader either (file names in Content-Disposition, a calendar event's summary, e-mail subjects).
    /// </summary>
    public static string Strip(string? text, bool multiline = false)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        return IsSafe(text, multiline) ? text : Without(text, c => IsUnsafe(c, multiline));
    }

    /// <summary>The text without lone surrogates and without the (non-surrogate) characters <paramref name="drop"/> names; pairs are kept.</summary>
    private static string Without(string text, Func<char, bool> drop)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { sb.Append(c).Append(text[i + 1]); i++; }
                continue;
            }
            if (char.IsLowSurrogate(c) || drop(c)) continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool XmlSafe(string text) => Find(text, c => !IsXmlChar(c)) < 0;

    /// <summary>XML 1.0 Char, for one UTF-16 unit that is not a surrogate.</summary>
    private static bool IsXmlChar(char c) => c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xFFFD);

    private static bool IsUnsafe(char c, bool multiline)
    {
        if (c is '\n' or '\r' or '\t') return !multiline;
        if (c < 0x20 || c is >= '\u007F' and <= '\u009F') return true;
        if (c is '\uFFFE' or '\uFFFF') return true;
        return IsFormatting(c);
    }

    private static bool IsFormatting(char c) =>
        c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or >= '\u200B' and <= '\u200F' or '\uFEFF' or '\u061C';
}
