using System.Net;
using System.Text;

namespace Rectify.Notifications.Content;

public sealed record Attachment(string FileName, string ContentType, byte[] Content);

/// <summary>A message ready for any channel: e-mail uses Subject/Text/Html, robots Markdown, SMS Short.</summary>
public sealed record RenderedMessage(
    string Subject, string Text, string Html, string Markdown, string Short, string Link, IReadOnlyList<Attachment> Attachments);

/// <summary>Lays a <see cref="Draft"/> out as plain text, HTML, robot markdown and a short SMS text.</summary>
public static class Composer
{
    public static RenderedMessage Compose(Draft draft, MessageFacts f)
    {
        var (first, second, separator) = f.Language == "en"
            ? (draft.En, draft.Zh, "—— 中文 ——")
            : (draft.Zh, draft.En, "—— English ——");
        var greeting = f.Language == "en" ? $"Dear {f.RecipientName}," : $"{f.RecipientName}：";
        var greetingSecond = f.Language == "en" ? $"{f.RecipientName}：" : $"Dear {f.RecipientName},";
        var text = new StringBuilder()
            .Append(Text(first, greeting)).Append("\n\n").Append(separator).Append("\n\n").Append(second.Subject).Append("\n\n").Append(Text(second, greetingSecond))
            .Append("\n\n").Append(f.Language == "en" ? "— Rectify 整改督办系统" : "整改督办系统 / Rectify").ToString();
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">")
            .Append(Html(first, greeting)).Append("<hr>").Append(Html(second, greetingSecond))
            .Append("<p style=\"color:#888\">整改督办系统 / Rectify</p></body></html>").ToString();
        var attachments = f.Letter is { Content: { } content } letter
            ? new[] { new Attachment(letter.FileName, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", content) }
            : [];
        return new RenderedMessage(first.Subject, text, html, Markdown(first, second), $"{first.Subject} {f.Link}", f.Link, attachments);
    }

    private static string Text(Version v, string greeting)
    {
        var sb = new StringBuilder().Append(greeting).Append('\n').Append(v.Lead).Append('\n');
        foreach (var (label, value) in v.Fields)
            sb.Append('\n').Append(label).Append(label.Any(c => c > 0x2E80) ? "：" : ": ").Append(value.Contains('\n') ? "\n" + value : value);
        if (v.Closing is not null) sb.Append("\n\n").Append(v.Closing);
        return sb.ToString();
    }

    private static string Html(Version v, string greeting)
    {
        var sb = new StringBuilder()
            .Append("<h3>").Append(E(v.Subject)).Append("</h3>")
            .Append("<p>").Append(E(greeting)).Append("</p><p>").Append(E(v.Lead)).Append("</p><table cellpadding=\"4\">");
        foreach (var (label, value) in v.Fields)
        {
            var cell = value.StartsWith("http://", StringComparison.Ordinal) || value.StartsWith("https://", StringComparison.Ordinal)
                ? $"<a href=\"{E(value)}\">{E(value)}</a>"
                : E(value).Replace("\n", "<br>", StringComparison.Ordinal);
            sb.Append("<tr><th align=\"left\" valign=\"top\">").Append(E(label)).Append("</th><td>").Append(cell).Append("</td></tr>");
        }
        sb.Append("</table>");
        if (v.Closing is not null) sb.Append("<p>").Append(E(v.Closing)).Append("</p>");
        return sb.ToString();
    }

    /// <summary>Markdown that WeCom, DingTalk and Feishu robots all render: a heading, quoted facts, a link.</summary>
    private static string Markdown(Version first, Version second)
    {
        var sb = new StringBuilder().Append("### ").Append(first.Subject).Append("\n\n").Append(first.Lead).Append("\n\n");
        foreach (var (label, value) in first.Fields)
        {
            var colon = label.Any(c => c > 0x2E80) ? "：" : ": ";
            if (value.StartsWith("http", StringComparison.Ordinal)) sb.Append("> ").Append(label).Append(colon).Append('[').Append(value).Append("](").Append(value).Append(")\n\n");
            else sb.Append("> ").Append(label).Append(colon).Append(value.Replace("\n", "\n> ", StringComparison.Ordinal)).Append("\n\n");
        }
        sb.Append(second.Subject);
        return sb.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
