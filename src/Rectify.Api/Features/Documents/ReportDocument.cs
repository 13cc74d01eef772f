using System.Globalization;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Documents;

/// <summary>The text of the progress and final reports: the figures in words, the table by unit, the item lists.</summary>
public static class ReportDocument
{
    public static byte[] Build(ReportData d)
    {
        var final = d.Kind == "final";
        var s = d.Summary;
        var date = Labels.Date(d.AsOf);
        var source = d.Campaign.DocumentNumber is { } number ? $"《{d.Campaign.Title}》（{number}）" : $"《{d.Campaign.Title}》";
        var ongoing = d.Ongoing;
        var word = new WordBuilder()
            .Title(final ? "整改情况报告" : "整改进度报告")
            .Subtitle($"——{d.Campaign.Title}")
            .Subtitle($"（截至{date}）")
            .Blank()
            .Para($"按照{source}的工作安排，现将截至{date}的整改{(final ? "完成" : "推进")}情况报告如下。")
            .Heading("一、总体情况")
            .Para($"本次整改共梳理问题{s.Total}项。截至{date}，已整改销号{s.Closed}项，其中按期销号{s.ClosedOnTime}项、逾期销号{s.ClosedLate}项，" +
                  $"销号率{Percent(s.Closed, s.Total)}；尚未销号{s.Open}项，其中超过整改时限未销号{s.Overdue}项；累计启动督办{s.Escalated}项。" +
                  (ongoing > 0 ? $"另有长期坚持类问题{ongoing}项，按期报告进展。" : ""))
            .Heading("二、分单位情况")
            .Table(
            [
                ("序号", 600), ("牵头单位", 2045), ("问题数", 800), ("已销号", 800), ("按期销号", 900), ("逾期销号", 900), ("未销号", 800),
                ("超期未销号", 1100), ("督办", 900),
            ],
            d.ByUnit.Select((u, n) => Line((n + 1).ToString(CultureInfo.InvariantCulture), u))
                .Append(Line("", d.Summary with { UnitName = "合计" })));
        // 清零 per source (issue 15.5): the office reports each source's problems cleared or not.
        var sources = d.BySource;
        if (sources.Count > 0)
        {
            var cleared = sources.Where(x => x.Cleared && x.Source != Items.SourceFigure.Unnamed).Select(x => x.Source).ToList();
            word.Para("按问题来源：" + (cleared.Count > 0 ? $"{string.Join("、", cleared)}反馈的问题已全部销号（清零）" : "尚无来源的问题全部销号") + "。")
                .Table(
                [("问题来源", 2645), ("问题数", 1100), ("已销号", 1100), ("未销号", 1100), ("销号率", 1100), ("清零", 1100)],
                sources.Select(x => (IReadOnlyList<string>)[x.Source, Int(x.Total), Int(x.Closed), Int(x.Open), x.ClosedShare, x.Cleared ? "已清零" : "未清零"]));
        }

        var open = d.Open.Rows;
        word.Heading(final ? "三、尚未完成整改的问题及原因" : "三、超期未销号问题");
        if (open.Count == 0) word.Para("无。");
        else
        {
            var numberWidth = NumberWidth(open);
            word.Table(
                [
                    ("序号", numberWidth), ("问题", 3145 - numberWidth), ("牵头单位", 1300), ("整改时限", 1100), ("逾期工作日", 900),
                    ("督办", 800), ("最新进展", 1600),
                ],
                open.Select(i => (IReadOnlyList<string>)
                [
                    i.Number ?? "", i.Title, i.LeadUnitName, i.Ongoing ? "长期坚持" : Labels.IsoDate(i.EffectiveDeadline),
                    ReportFigures.IsOverdue(i, d.AsOf) ? i.WorkingDaysOverdue(d.Calendar, d.AsOf).ToString(CultureInfo.InvariantCulture) : "",
                    d.Escalations.TryGetValue(i.Id, out var level) ? Labels.Escalation(level) : "",
                    d.Notes.GetValueOrDefault(i.Id) ?? "（暂无进展报告）",
                ]));
            if (d.Open.Bounded)
                word.Para($"以上列出{(final ? "整改时限最早的" : "逾期最久的")}{Int(open.Count)}项；" +
                          $"{(final ? "尚未完成整改的" : "超期未销号的")}全部{Int(d.Open.Count)}项详见整改台账（ledger.xlsx）。");
        }

        var closed = d.Closed.Rows;
        word.Heading("四、已销号问题");
        if (closed.Count == 0) word.Para("无。");
        else
        {
            var numberWidth = NumberWidth(closed);
            word.Table(
                [("序号", numberWidth), ("问题", 4045 - numberWidth), ("牵头单位", 1500), ("整改时限", 1100), ("销号日期", 1100), ("完成情况", 1100)],
                closed.Select(i => (IReadOnlyList<string>)
                [
                    i.Number ?? "", i.Title, i.LeadUnitName, i.Ongoing ? "长期坚持" : Labels.IsoDate(i.EffectiveDeadline), Labels.IsoDate(i.ClosedOn),
                    ReportFigures.ClosedOnTime(i, d.AsOf) ? "按期" : "逾期",
                ]));
            if (d.Closed.Bounded)
                word.Para($"以上列出最近销号的{Int(closed.Count)}项；已销号的全部{Int(d.Closed.Count)}项详见整改台账（ledger.xlsx）。");
        }

        word.Heading("五、各单位得分与等次");
        if (d.UnitScores.Count == 0) word.Para("无。");
        else
        {
            var rules = d.AsOf < d.Today ? $"（按截至{Labels.Date(d.Today)}各单位本单位承担部分的记录计分）" : "（按各单位本单位承担部分的记录计分）";
            var grades = UnitGrades.Ordered.Select(g => $"{g}{d.UnitScores.Count(u => u.Grade == g)}个").ToList();
            word.Para($"{rules}参加评分的单位{d.UnitScores.Count}个，其中评为{string.Join("、", grades)}。")
                .Table(
                [
                    ("名次", 600), ("单位", 1345), ("交办数", 700), ("已签收", 700), ("按时完成", 800), ("逾期完成", 800), ("逾期未完成", 900),
                    ("逾期工作日", 900), ("督办", 700), ("得分", 700), ("等次", 700),
                ],
                d.UnitScores.Select(u => (IReadOnlyList<string>)
                [
                    Int(u.Rank), u.UnitName, Int(u.Assigned), Int(u.Acknowledged), Int(u.ClosedOnTime), Int(u.ClosedLate), Int(u.Overdue),
                    Int(u.OverdueDays), Int(u.Escalations), u.Score.ToString("0.#", CultureInfo.InvariantCulture), u.Grade,
                ]));
            foreach (var u in d.UnitScores.Where(u => u.Veto is not null))
                word.Para($"{u.UnitName}：{Pick(u.Veto!)}。");
        }

        word.Heading("六、下步工作打算")
            .Para("（此部分由领导小组办公室结合实际填写。）")
            .Blank().Blank()
            .Right(d.IssuerName)
            .Right(date);
        return word.Build();
    }

    private static IReadOnlyList<string> Line(string number, Figures f) =>
    [
        number, f.UnitName, Int(f.Total), Int(f.Closed), Int(f.ClosedOnTime), Int(f.ClosedLate), Int(f.Open), Int(f.Overdue), Int(f.Escalated),
    ];

    /// <summary>The Chinese side of a bilingual "中文 / English" text.</summary>
    private static string Pick(string bilingual) => bilingual.Split(" / ", 2)[0].TrimEnd('。');

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The width (twips) of a list's 序号 column: 600 fits a number of up to four characters; a longer one (ZG0001715 in a
    /// national list) widens the column, up to 1,600, taken from the 问题 column, so a number is not broken over lines.
    /// </summary>
    private static int NumberWidth(IEnumerable<DocumentItem> rows) =>
        Math.Clamp(140 * rows.Max(i => i.Number?.Length ?? 0) + 240, 600, 1600);

    private static string Percent(int part, int total) =>
        total == 0 ? "0%" : (100.0 * part / total).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
