using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    private static Draft Phase(MessageFacts f, PhaseMessage p)
    {
        var name = p.PhaseName is { Length: > 0 } n ? n : Words.PhaseZh(p.PhaseKey is { Length: > 0 } k ? k : null);
        var nameEn = p.PhaseNameEn ?? Words.PhaseEn(p.PhaseKey is { Length: > 0 } k2 ? k2 : null);
        var window = p.Start is { } s && p.End is { } e ? $"（{Words.Zh(s)}至{Words.Zh(e)}）" : "";
        var fieldsZh = CampaignFieldsZh(f);
        var fieldsEn = CampaignFieldsEn(f);
        if (p.Start is { } s1) { fieldsZh.Add(("阶段开始", Words.Zh(s1))); fieldsEn.Add(("Phase starts", Words.En(s1))); }
        if (p.End is { } e1) { fieldsZh.Add(("阶段结束", Words.Zh(e1))); fieldsEn.Add(("Phase ends", Words.En(e1))); }
        fieldsZh.Add(("查看详情", f.Link)); fieldsEn.Add(("Details", f.Link));
        var starting = p.Boundary != "end";
        return new(
            new Version("【阶段提示】", starting ? $"“{name}”阶段开始" : $"“{name}”阶段即将结束",
                starting ? $"{CampaignZh(f)}“{name}”阶段{window}已开始，请按方案要求开展本阶段工作。"
                         : $"{CampaignZh(f)}“{name}”阶段{window}将于{Words.Zh(p.End) ?? "近日"}结束，请在结束前完成本阶段各项工作。",
                fieldsZh, null),
            new Version("[Phase] ", starting ? $"The {nameEn} phase has started" : $"The {nameEn} phase ends {Words.En(p.End) ?? "soon"}",
                starting ? $"The {nameEn} phase of {CampaignEn(f)} has started{(p.Start is { } s2 && p.End is { } e2 ? $" ({Words.En(s2)} to {Words.En(e2)})" : "")}."
                         : $"The {nameEn} phase of {CampaignEn(f)} ends on {Words.En(p.End) ?? "a near date"}; please finish its work.",
                fieldsEn, null));
    }

    /// <summary>A launch that gave one unit more items than fit one message each: one message lists them.</summary>
    private static Draft AssignedBatch(MessageFacts f, AssignedBatchMessage b)
    {
        var unit = f.UnitName(b.UnitCode) ?? f.RecipientUnitName ?? "你单位";
        var numbers = b.ItemNumbers.Count == 0 ? null : string.Join("、", b.ItemNumbers.Select(n => $"第{n}项")) + (b.ItemCount > b.ItemNumbers.Count ? "等" : "");
        var numbersEn = b.ItemNumbers.Count == 0 ? null : string.Join(", ", b.ItemNumbers) + (b.ItemCount > b.ItemNumbers.Count ? " …" : "");
        var fieldsZh = CampaignFieldsZh(f);
        var fieldsEn = CampaignFieldsEn(f);
        fieldsZh.Add(("交办单位", unit)); fieldsEn.Add(("Unit", unit));
        fieldsZh.Add(("问题数量", $"{b.ItemCount}项")); fieldsEn.Add(("Items", b.ItemCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (b.FirstDeadline is { } first) { fieldsZh.Add(("最早整改时限", Words.Zh(first))); fieldsEn.Add(("Earliest deadline", Words.En(first))); }
        if (numbers is not null) { fieldsZh.Add(("问题编号", numbers)); fieldsEn.Add(("Item numbers", numbersEn!)); }
        fieldsZh.Add(("查看详情", f.Link)); fieldsEn.Add(("Details", f.Link));
        return new(
            new Version("【交办】", $"{CampaignZh(f)}{b.ItemCount}项整改问题交办{unit}",
                $"{CampaignZh(f)}共有{b.ItemCount}项整改问题交办{unit}，请登录系统逐项签收，按整改时限完成整改并报送进展。", fieldsZh, "请登录系统签收。"),
            new Version("[Assigned] ", $"{b.ItemCount} items of {CampaignEn(f)} assigned to {unit}",
                $"{b.ItemCount} problem items of {CampaignEn(f)} have been assigned to {unit}. Please sign in and acknowledge each of them.", fieldsEn, null));
    }

    private static Draft Digest(MessageFacts f)
    {
        var fieldsZh = new List<(string, string)>();
        var fieldsEn = new List<(string, string)>();
        foreach (var section in f.Digest.GroupBy(l => l.Section))
        {
            var (zh, en) = SectionTitle(section.Key);
            fieldsZh.Add((zh, string.Join("\n", section.Select((l, n) => $"{n + 1}. {l.Text}"))));
            fieldsEn.Add((en, string.Join("\n", section.Select((l, n) => $"{n + 1}. {l.TextEn}"))));
        }
        fieldsZh.Add(("查看详情", f.Link)); fieldsEn.Add(("Details", f.Link));
        var count = f.Digest.Count;
        return new(
            new Version("【每日汇总】", $"{Words.Zh(f.Today)}整改事项提醒（{count}项）",
                $"以下是截至{Words.Zh(f.Today)}需要您关注的整改事项：到期、逾期和督办情况。", fieldsZh, null),
            new Version("[Daily digest] ", $"Rectification items for {Words.En(f.Today)} ({count})",
                $"Items due, overdue and escalated as of {Words.En(f.Today)}.", fieldsEn, null));
    }

    /// <summary>The weekly progress report to the leading group: the campaign's figures as of the report's date.</summary>
    private static Draft WeeklyReport(MessageFacts f, WeeklyReportMessage w)
    {
        static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rate = w.Total == 0 ? 0 : (int)Math.Round(100.0 * w.Closed / w.Total);
        var fieldsZh = CampaignFieldsZh(f);
        var fieldsEn = CampaignFieldsEn(f);
        fieldsZh.Add(("问题总数", $"{N(w.Total)}项"));
        fieldsZh.Add(("已销号", $"{N(w.Closed)}项（{N(rate)}%），本周销号{N(w.ClosedThisWeek)}项"));
        fieldsZh.Add(("整改中", $"{N(w.InProgress)}项"));
        fieldsZh.Add(("已逾期", $"{N(w.Overdue)}项"));
        fieldsZh.Add(("督办中", $"{N(w.Escalated)}项"));
        fieldsZh.Add(("7日内到期", $"{N(w.DueWithinWeek)}项"));
        fieldsZh.Add(("查看详情", f.Link));
        fieldsEn.Add(("Items", N(w.Total)));
        fieldsEn.Add(("Closed", $"{N(w.Closed)} ({N(rate)}%), {N(w.ClosedThisWeek)} this week"));
        fieldsEn.Add(("In progress", N(w.InProgress)));
        fieldsEn.Add(("Overdue", N(w.Overdue)));
        fieldsEn.Add(("Escalated", N(w.Escalated)));
        fieldsEn.Add(("Due within 7 days", N(w.DueWithinWeek)));
        fieldsEn.Add(("Details", f.Link));
        return new(
            new Version("【整改周报】", $"{CampaignZh(f)}整改进展（截至{Words.Zh(w.AsOf)}）",
                $"截至{Words.Zh(w.AsOf)}，{CampaignZh(f)}共{N(w.Total)}项问题，已销号{N(w.Closed)}项，整改中{N(w.InProgress)}项，逾期{N(w.Overdue)}项。",
                fieldsZh, "请登录系统查看各单位整改进度。"),
            new Version("[Weekly report] ", $"Progress of {CampaignEn(f)} as of {Words.En(w.AsOf)}",
                $"As of {Words.En(w.AsOf)}, {CampaignEn(f)} has {N(w.Total)} items: {N(w.Closed)} closed, {N(w.InProgress)} in progress, {N(w.Overdue)} overdue.",
                fieldsEn, null));
    }

    private static (string Zh, string En) SectionTitle(string section) => section switch
    {
        "messages" => ("今日通知", "Notices"),
        "overdue" => ("逾期事项", "Overdue"),
        "escalated" => ("督办事项", "Escalated"),
        "due" => ("临近到期", "Due soon"),
        _ => (section, section),
    };
}
