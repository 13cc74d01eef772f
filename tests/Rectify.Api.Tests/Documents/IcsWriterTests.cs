using System.Text;
using Rectify.Api.Features.CalendarFeeds;

namespace Rectify.Api.Tests.Documents;

public sealed class IcsWriterTests
{
    private static readonly DateTimeOffset Now = new(2018, 6, 1, 2, 3, 4, TimeSpan.Zero);

    private static string Feed(string summary, string description) => IcsWriter.Calendar("县扶贫办 整改时限", "Asia/Shanghai", Now,
        [new IcsEvent("item-1@rectify", new DateOnly(2018, 6, 10), summary, description, 2, Now.AddDays(-1), "整改时限")]);

    [Fact]
    public void Escape_BackslashSemicolonCommaAndLineBreaks()
    {
        IcsWriter.Escape("a\\b;c,d\ne\r\nf\rg").ShouldBe("a\\\\b\\;c\\,d\\ne\\nf\\ng");
    }

    [Fact]
    public void Calendar_EndsEveryLineWithCrlf_AndNoBareLineFeeds()
    {
        var text = Feed("标题", "第一行\n第二行");
        text.ShouldEndWith("END:VCALENDAR\r\n");
        text.Replace("\r\n", "").ShouldNotContain("\n");
        text.Replace("\r\n", "").ShouldNotContain("\r");
        text.ShouldContain("\r\nDTSTART;VALUE=DATE:20180610\r\nDTEND;VALUE=DATE:20180611\r\n");
        text.ShouldContain("\r\nSEQUENCE:2\r\n");
        text.ShouldContain("\r\nLAST-MODIFIED:20180531T020304Z\r\n");
        text.ShouldContain("\r\nDESCRIPTION:第一行\\n第二行\r\n");
    }

    [Fact]
    public void Fold_LongChineseLines_At75OctetsWithoutSplittingACharacter()
    {
        var summary = "【整改时限】12. " + string.Concat(Enumerable.Repeat("贫困人口识别不精准，存在错评、漏评现象；", 6)) + "abc";
        var text = Feed(summary, "短");
        var bytes = Encoding.UTF8.GetBytes(text);
        var physical = text.Split("\r\n");
        foreach (var line in physical)
        {
            Encoding.UTF8.GetByteCount(line).ShouldBeLessThanOrEqualTo(75, line);
            // Each physical line is valid UTF-8 on its own: no sequence was cut.
            var lineBytes = Encoding.UTF8.GetBytes(line);
            new UTF8Encoding(false, true).GetString(lineBytes).ShouldBe(line);
        }
        physical.Count(l => l.StartsWith(' ')).ShouldBeGreaterThan(3);
        // Unfolding (RFC 5545 §3.1: remove CRLF followed by one space) gives the escaped content line back.
        var unfolded = text.Replace("\r\n ", "");
        unfolded.ShouldContain("\r\nSUMMARY:" + IcsWriter.Escape(summary) + "\r\n");
        bytes.Length.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Fold_CountsOctetsNotCharacters()
    {
        // 30 three-octet characters = 90 octets after "SUMMARY:" (8): first physical line takes 8 + 22 × 3 = 74 octets.
        var folded = IcsWriter.Fold("SUMMARY:" + new string('整', 30));
        var lines = folded.Split("\r\n");
        lines[0].ShouldBe("SUMMARY:" + new string('整', 22));
        lines[1].ShouldBe(" " + new string('整', 8));
        IcsWriter.Fold(new string('a', 75)).ShouldBe(new string('a', 75));
        IcsWriter.Fold(new string('a', 76)).ShouldBe(new string('a', 75) + "\r\n a");
    }
}
