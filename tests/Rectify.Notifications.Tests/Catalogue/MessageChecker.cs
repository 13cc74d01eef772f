using System.Text.RegularExpressions;
using Rectify.Notifications.Content;

namespace Rectify.Notifications.Tests.Catalogue;

/// <summary>
/// What a recipient must never read (issue 14 §2): an empty field, an unfilled placeholder, a raw identifier (a
/// camelCase key, a step key such as <c>escalation:urge</c>, a GUID outside a link) or a date in the wrong form
/// (ISO dates in Chinese text, Chinese dates in English text, the empty date 0001-01-01).
/// </summary>
public static partial class MessageChecker
{
    /// <summary>Every problem found in a rendering, in words; empty when it reads right.</summary>
    public static IReadOnlyList<string> Problems(RenderedMessage m, string language)
    {
        var problems = new List<string>();
        var (zh, en) = SplitText(m.Text, language);
        CheckText("subject", m.Subject, language == "en" ? "en" : "zh", problems);
        CheckText("text (Chinese)", zh, "zh", problems);
        CheckText("text (English)", en, "en", problems);
        CheckText("markdown", m.Markdown, language == "en" ? "en" : "zh", problems, mixedTail: true);
        CheckText("sms", m.Short, language == "en" ? "en" : "zh", problems);
        var html = HtmlTags().Replace(m.Html.Replace("<td></td>", "<td>\u2400</td>", StringComparison.Ordinal), "\n");
        if (m.Html.Contains("<td></td>", StringComparison.Ordinal)) problems.Add("html: an empty table cell");
        CheckCommon("html", System.Net.WebUtility.HtmlDecode(html), problems);
        return problems;
    }

    /// <summary>The first-language and second-language parts of the plain text, by the separator Composer writes.</summary>
    private static (string Zh, string En) SplitText(string text, string language)
    {
        var separator = language == "en" ? "—— 中文 ——" : "—— English ——";
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        if (at < 0) return language == "en" ? ("", text) : (text, "");
        var first = text[..at];
        var second = text[(at + separator.Length)..];
        return language == "en" ? (second, first) : (first, second);
    }

    private static void CheckText(string where, string text, string language, List<string> problems, bool mixedTail = false)
    {
        CheckCommon(where, text, problems);
        var body = Urls().Replace(text, "LINK");
        // The robot markdown ends with the other language's subject line; check the dates of the body only.
        if (mixedTail && body.LastIndexOf('\n') is var last and > 0) body = body[..last];
        if (language == "zh" && IsoDate().Match(body) is { Success: true } iso) problems.Add($"{where}: ISO date '{iso.Value}' in Chinese text");
        if (language == "en" && ZhDate().Match(body) is { Success: true } zhd) problems.Add($"{where}: Chinese date '{zhd.Value}' in English text");
    }

    private static void CheckCommon(string where, string text, List<string> problems)
    {
        var body = Urls().Replace(text, "LINK");
        var lines = body.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim().TrimStart('>').Trim();
            // A label over a numbered list ("今日通知：" then "1. …") is filled; so is the greeting ("王建国：").
            var listFollows = i + 1 < lines.Length && ListLine().IsMatch(lines[i + 1].Trim());
            if (EmptyField().IsMatch(trimmed) && !listFollows && trimmed.TrimEnd('：', ':') != Recipient)
                problems.Add($"{where}: empty field '{trimmed}'");
        }
        if (EmptyQuotes().Match(body) is { Success: true } q) problems.Add($"{where}: empty quotes '{q.Value}' around a missing name");
        if (Placeholder().Match(body) is { Success: true } p) problems.Add($"{where}: unfilled placeholder '{p.Value}'");
        if (CamelCase().Match(body) is { Success: true } c) problems.Add($"{where}: raw identifier '{c.Value}'");
        if (StepKey().Match(body) is { Success: true } s) problems.Add($"{where}: raw step key '{s.Value}'");
        if (Guid().Match(body) is { Success: true } g) problems.Add($"{where}: raw id '{g.Value}' outside a link");
        if (body.Contains("0001-01-01", StringComparison.Ordinal) || body.Contains("1年1月1日", StringComparison.Ordinal))
            problems.Add($"{where}: the empty date");
        if (MissingName().Match(body) is { Success: true } n) problems.Add($"{where}: '{n.Value}' names nothing");
        if (LazyPhrase().Match(body) is { Success: true } z) problems.Add($"{where}: '{z.Value}' says a count of nothing");
    }

    /// <summary>The recipient of the fixed scenario: the greeting line is the one label allowed to stand alone.</summary>
    public const string Recipient = "王建国";

    [GeneratedRegex(@"^\d+\. ")] private static partial Regex ListLine();
    [GeneratedRegex(@"https?://\S+")] private static partial Regex Urls();
    [GeneratedRegex(@"<[^>]+>")] private static partial Regex HtmlTags();
    [GeneratedRegex(@"^[^\s：:]{1,24}[：:]\s*$")] private static partial Regex EmptyField();
    [GeneratedRegex(@"“”|《》|（）|\(\)|""""|【】|\[\]")] private static partial Regex EmptyQuotes();
    [GeneratedRegex(@"\{[^}]*\}|\bnull\b|\bNull\b|\bundefined\b|\bNaN\b|\{\{|\}\}")] private static partial Regex Placeholder();
    [GeneratedRegex(@"\b[a-z]+[A-Z][A-Za-z]*\b")] private static partial Regex CamelCase();
    [GeneratedRegex(@"\b(?:escalation|reminder|periodic|phase|item|deliverable|campaign|person)(?::[\w\-]+)+")] private static partial Regex StepKey();
    [GeneratedRegex(@"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")] private static partial Regex Guid();
    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")] private static partial Regex IsoDate();
    [GeneratedRegex(@"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日")] private static partial Regex ZhDate();
    [GeneratedRegex(@"关于的|对的|】列入|】关于的|^列入")] private static partial Regex MissingName();
    [GeneratedRegex(@"逾期0天|剩余0个工作日|0 days overdue")] private static partial Regex LazyPhrase();
}
