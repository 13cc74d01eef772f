using System.Text.RegularExpressions;

namespace Rectify.Api.Features.Import;

/// <summary>A dated step inside an item (API.md <c>milestones</c>): by when, and what is due then, as the measures say it.</summary>
public sealed record FoundMilestone(DateOnly Date, string Text);

/// <summary>
/// Finds the dated steps in an item's measures (issue 15.4): "于5月20日前将危房全部排查出来，5月底前完成拆旧，6月10日前
/// 完成新建" is three steps. A step is a date that says "by" (…日前, …月底（前）, …旬前, …以前, …之前), and its text runs
/// from that date to the next dated step or the end of the sentence. Dates that only tell when something happened
/// ("5月9日召开会议") are not steps. A step on the item's own deadline is left to the deadline's own reminders, and the
/// item's deadline stays the one of the deadline column.
/// </summary>
public static partial class MilestoneFinder
{
    public const int MaxMilestones = 20;
    private const int MaxText = 500;

    /// <summary>The steps in order of appearance, each read against the campaign's dates as the deadline column is; with the errors of dates that do not exist.</summary>
    public static (IReadOnlyList<FoundMilestone> Milestones, string? Error) Find(string? measures, DateOnly? deadline, DeadlineContext context)
    {
        if (string.IsNullOrWhiteSpace(measures)) return ([], null);
        // Matched on the half-width text (one character for one, so positions agree), quoted from the text as written.
        var text = HeaderMatcher.Halfwidth(measures);
        var found = new List<FoundMilestone>();
        foreach (Match sentence in Sentence().Matches(text))
        {
            var dates = DatedStep().Matches(sentence.Value);
            for (var n = 0; n < dates.Count; n++)
            {
                var start = dates[n].Index;
                var end = n + 1 < dates.Count ? dates[n + 1].Index : sentence.Value.Length;
                var (parsed, error) = DeadlineParser.Parse(dates[n].Groups["date"].Value + "前", context);
                if (error is not null) return ([], $"整改措施中的“{dates[n].Value.Trim()}”：{error}");
                if (parsed?.Date is not { } date) continue;
                var step = Trim(measures.Substring(sentence.Index + start, end - start));
                if (step.Length > MaxText) step = step[..(MaxText - 1)] + "…";
                if (date == deadline || found.Any(f => f.Date == date && f.Text == step)) continue;
                found.Add(new FoundMilestone(date, step));
            }
        }
        if (found.Count > MaxMilestones)
            return ([], $"整改措施中有 {found.Count} 个带日期的步骤，超过每项 {MaxMilestones} 个的上限，请拆分为多项问题");
        return (found, null);
    }

    private static string Trim(string step) => Edges().Replace(step, "");

    /// <summary>A sentence (or a numbered point, or a line) of the measures.</summary>
    [GeneratedRegex(@"[^。；;！!？?\n]+")]
    private static partial Regex Sentence();

    /// <summary>"于5月20日前", "2018年6月10日前", "5月底前", "6月中旬前", "9月30日以前": a date that says "by".</summary>
    [GeneratedRegex(@"(?:[于在]\s*)?(?<date>(?:\d{4}年)?(?<!\d)\d{1,2}月(?:\d{1,2}[日号](?=\s*(?:前|以前|之前))|[底末]|[上中下]旬(?=\s*(?:前|以前|之前))))\s*(?:前|以前|之前)?")]
    private static partial Regex DatedStep();

    [GeneratedRegex(@"^[\s，,、：:]+|[\s，,、：:]+$")]
    private static partial Regex Edges();
}
