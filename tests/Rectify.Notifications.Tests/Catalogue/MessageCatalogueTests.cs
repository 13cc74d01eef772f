using System.Text;
using Rectify.Notifications.Content;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Catalogue;

/// <summary>
/// Every message kind × subject × channel, in Chinese and English, rendered from <see cref="CatalogueScenario"/> and
/// kept in docs/messages/ as reviewed golden files (issue 14 §2). The test fails when a rendering changes and its file
/// was not updated (UPDATE_GOLDEN=1 rewrites them), and when any rendering has an empty field, an unfilled
/// placeholder, a raw identifier or a date in the wrong form (<see cref="MessageChecker"/>).
/// </summary>
public sealed class MessageCatalogueTests
{
    private static readonly string[] Languages = ["zh", "en"];

    [Fact]
    public async Task EveryMessage_ReadsRight_AndMatchesItsReviewedFile()
    {
        var directory = Path.Combine(Repository.Root, "docs", "messages");
        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";
        var problems = new List<string>();
        var changed = new List<string>();
        var written = new HashSet<string>(StringComparer.Ordinal);
        var index = new StringBuilder("# 消息目录 / Message catalogue\n\n")
            .Append("Every message Rectify sends, rendered from the fixed scenario of `tests/Rectify.Notifications.Tests/Catalogue/CatalogueScenario.cs` ")
            .Append("(Monday 2026-11-23). One file per message and reader language; each shows the e-mail (subject, plain text — also the inbox body —, HTML), ")
            .Append("the robot markdown (WeCom, DingTalk, Feishu) and the SMS text. `MessageCatalogueTests` fails when a rendering changes and its file was not ")
            .Append("updated: review the change, then run the test with `UPDATE_GOLDEN=1`.\n\n| message | 中文 | English |\n| --- | --- | --- |\n");
        foreach (var entry in CatalogueScenario.Entries())
        {
            index.Append("| ").Append(entry.Name).Append(" | [zh](").Append(entry.Name).Append(".zh.md) | [en](").Append(entry.Name).Append(".en.md) |\n");
            foreach (var language in Languages)
            {
                var facts = await CatalogueScenario.FactsAsync(entry, language);
                var message = Composer.Compose(Templates.For(facts), facts);
                problems.AddRange(MessageChecker.Problems(message, language).Select(p => $"{entry.Name}.{language}: {p}"));
                var file = $"{entry.Name}.{language}.md";
                written.Add(file);
                Compare(directory, file, Document(entry.Name, language, message), update, changed);
            }
        }
        written.Add("README.md");
        Compare(directory, "README.md", index.ToString(), update, changed);
        var stale = Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(Path.GetFileName).Where(f => !written.Contains(f!)).ToList()
            : [];
        if (update) foreach (var f in stale) File.Delete(Path.Combine(directory, f!));

        problems.ShouldBeEmpty(string.Join("\n", problems));
        if (!update)
        {
            changed.ShouldBeEmpty("renderings changed; review them and run with UPDATE_GOLDEN=1");
            stale.ShouldBeEmpty("files in docs/messages/ no message renders any more");
        }
    }

    private static void Compare(string directory, string file, string content, bool update, List<string> changed)
    {
        var path = Path.Combine(directory, file);
        var current = File.Exists(path) ? File.ReadAllText(path) : null;
        if (current == content) return;
        changed.Add(file);
        if (!update) return;
        Directory.CreateDirectory(directory);
        File.WriteAllText(path, content);
    }

    private static string Document(string name, string language, RenderedMessage m) => new StringBuilder()
        .Append("# ").Append(name).Append(language == "en" ? " (English reader)" : "（中文读者）").Append("\n\n")
        .Append("## 邮件主题 / E-mail subject\n\n").Append(m.Subject).Append("\n\n")
        .Append("## 邮件正文与站内信 / E-mail text and inbox\n\n```text\n").Append(m.Text).Append("\n```\n\n")
        .Append("## 邮件 HTML / E-mail HTML\n\n```html\n").Append(m.Html.Replace("<tr>", "\n<tr>", StringComparison.Ordinal)).Append("\n```\n\n")
        .Append("## 机器人 / Robot markdown\n\n```markdown\n").Append(m.Markdown).Append("\n```\n\n")
        .Append("## 短信 / SMS\n\n```text\n").Append(m.Short).Append("\n```\n")
        .Append(m.Attachments.Count == 0 ? "" : $"\n附件 / Attachment: {string.Join(", ", m.Attachments.Select(a => a.FileName))}\n")
        .ToString();

}

/// <summary>The checker refuses what a recipient must never read.</summary>
public sealed class MessageCheckerTests
{
    private static RenderedMessage Message(string text) => new("【提醒】第3项“问题”将于11月30日到期", text, "<html><body><p>x</p></body></html>",
        "### 【提醒】第3项\n\n> 问题：x", "【提醒】第3项 https://rectify.example.cn/items/1", "https://rectify.example.cn/items/1", []);

    [Fact]
    public void Problems_EmptyField_Refused()
    {
        MessageChecker.Problems(Message("王建国：\n以下整改问题临近整改时限。\n\n牵头单位：\n问题：台账不清"), "zh")
            .ShouldContain(p => p.Contains("empty field '牵头单位：'", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_RawIdentifier_Refused()
    {
        var problems = MessageChecker.Problems(Message("王建国：\n定时任务跳过 periodic:2026-07-25:escalation:urge\n状态：periodicReportReceived"), "zh");
        problems.ShouldContain(p => p.Contains("raw step key", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("raw identifier 'periodicReportReceived'", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_WrongDateFormsAndPlaceholders_Refused()
    {
        var problems = MessageChecker.Problems(Message("王建国：\n整改时限：2026-11-30\n关于的督办函\n逾期0天 {deadline}\n\n—— English ——\n\nDue 2026年11月30日"), "zh");
        problems.ShouldContain(p => p.Contains("ISO date", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("Chinese date", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("placeholder", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("count of nothing", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_AWellFormedMessage_Passes()
    {
        MessageChecker.Problems(Message("王建国：\n以下整改问题将于2026年11月30日到期。\n\n牵头单位：县扶贫办\n查看详情：https://rectify.example.cn/items/1\n\n—— English ——\n\nDue 2026-11-30"), "zh")
            .ShouldBe([]);
    }
}
