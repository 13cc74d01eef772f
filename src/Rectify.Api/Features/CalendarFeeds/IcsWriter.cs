using System.Globalization;
using System.Text;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.CalendarFeeds;

/// <summary>One all-day event of a feed.</summary>
public sealed record IcsEvent(string Uid, DateOnly Date, string Summary, string Description, int Sequence, DateTimeOffset LastModified, string Category);

/// <summary>
/// RFC 5545 text: CRLF line ends, content lines folded at 75 octets (a continuation starts with one space and a
/// UTF-8 sequence is never split), TEXT values escaped (\\ ; , and line breaks).
/// </summary>
public static class IcsWriter
{
    public const string ContentType = "text/calendar; charset=utf-8";
    private const int MaxOctets = 75;

    public static string Calendar(string name, string timeZone, DateTimeOffset now, IEnumerable<IcsEvent> events)
    {
        var sb = new StringBuilder();
        void Line(string line) => sb.Append(Fold(line)).Append("\r\n");
        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//Rectify//Rectification deadlines//ZH");
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        Line("X-WR-CALNAME:" + Escape(name));
        Line("X-WR-TIMEZONE:" + timeZone);
        Line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        Line("X-PUBLISHED-TTL:PT1H");
        var stamp = Instant(now);
        foreach (var e in events)
        {
            Line("BEGIN:VEVENT");
            Line("UID:" + e.Uid);
            Line("DTSTAMP:" + stamp);
            Line("LAST-MODIFIED:" + Instant(e.LastModified));
            Line("SEQUENCE:" + e.Sequence.ToString(CultureInfo.InvariantCulture));
            Line("DTSTART;VALUE=DATE:" + Date(e.Date));
            Line("DTEND;VALUE=DATE:" + Date(e.Date.AddDays(1)));
            Line("SUMMARY:" + Escape(e.Summary));
            Line("DESCRIPTION:" + Escape(e.Description));
            Line("CATEGORIES:" + Escape(e.Category));
            Line("TRANSP:TRANSPARENT");
            Line("STATUS:CONFIRMED");
            Line("END:VEVENT");
        }
        Line("END:VCALENDAR");
        return sb.ToString();
    }

    /// <summary>
    /// TEXT escaping of RFC 5545 §3.3.11. Control characters (TEXT allows none but tab) and invisible formatting
    /// characters that stored text may still hold are dropped first (SafeText).
    /// </summary>
    public static string Escape(string text) =>
        SafeText.Strip(text, multiline: true).Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\n", "\\n").Replace("\r", "\\n");

    /// <summary>Splits a content line into physical lines of at most 75 octets, never inside a UTF-8 sequence.</summary>
    public static string Fold(string line)
    {
        var sb = new StringBuilder(line.Length + 8);
        var octets = 0;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.EncodeToUtf8(buffer);
            if (octets + size > MaxOctets)
            {
                sb.Append("\r\n ");
                octets = 1;
            }
            sb.Append(rune.ToString());
            octets += size;
        }
        return sb.ToString();
    }

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
