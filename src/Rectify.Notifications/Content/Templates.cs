using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

/// <summary>
/// The message text for every kind, subject and level (issue 4 §4, issue 14), Chinese with an English alternative,
/// read from the typed message the runtime wrote. Subjects follow office usage: 【交办】【提醒】【催办】【督办】
/// 【挂牌督办】【约谈通知】. Each names what it is about (the item; the unit's share; the unit and its deliverable; the
/// periodic report), the campaign and its document number, what is due or late by when, the lead unit and
/// responsible leader, and links to it. docs/messages/ holds every rendering, checked by MessageCatalogueTests.
/// </summary>
public static partial class Templates
{
    public static Draft For(MessageFacts f) => f.Message switch
    {
        AssignedMessage a => Assigned(f, a),
        AssignedBatchMessage b => AssignedBatch(f, b),
        UnacknowledgedMessage => Unacknowledged(f),
        ReminderMessage { Subject: DeliverableRef d } => DeliverableReminder(f, d),
        ReminderMessage r => Reminder(f, r),
        MilestoneReminderMessage m => MilestoneReminder(f, m),
        PeriodicReportMessage p => PeriodicReport(f, p),
        EscalationMessage e => Escalation(f, e),
        DecisionMessage { Subject: DeliverableRef d } m => DeliverableDecision(f, m, d),
        DecisionMessage d => Decision(f, d),
        ChangedMessage c => Changed(f, c),
        PhaseMessage p => Phase(f, p),
        DigestMessage => Digest(f),
        WeeklyReportMessage w => WeeklyReport(f, w),
        NoticeMessage n => Notice(f, n),
        _ => Notice(f, new NoticeMessage(f.Message.Subject, null)),
    };

    private static Draft Assigned(MessageFacts f, AssignedMessage a)
    {
        var unit = UnitZh(f);
        var roleZh = a.Role == "responsible" ? "责任单位" : "牵头单位";
        var roleEn = a.Role == "responsible" ? "a responsible unit" : "the lead unit";
        return new(
            new Version("【交办】", $"{Words.ItemLabelZh(f.Item)}请{unit}按时整改",
                $"{CampaignZh(f)}中的以下整改问题已交办{unit}（{roleZh}），请及时签收，按整改时限完成整改并报送进展。",
                ItemFieldsZh(f, withMeasures: true), "请登录系统签收。"),
            new Version("[Assigned] ", $"{Cap(Words.ItemLabelEn(f.Item))} has been assigned to {UnitEn(f)}",
                $"The following problem item of {CampaignEn(f)} has been assigned to {UnitEn(f)} as {roleEn}. Please acknowledge it and rectify it by the deadline.",
                ItemFieldsEn(f, withMeasures: true), "Please sign in to acknowledge it."));
    }

    private static Draft Unacknowledged(MessageFacts f)
    {
        var unit = UnitZh(f);
        return new(
            new Version("【提醒】", $"{Words.ItemLabelZh(f.Item)}已交办{unit}，尚未签收",
                $"{CampaignZh(f)}中的以下整改问题已交办{unit}，至今尚未签收。请立即登录系统签收，并按整改时限推进整改。",
                ItemFieldsZh(f), "请登录系统签收。"),
            new Version("[Reminder] ", $"{Cap(Words.ItemLabelEn(f.Item))} has not been acknowledged by {UnitEn(f)}",
                $"The following item of {CampaignEn(f)} was assigned to {UnitEn(f)} and has not been acknowledged yet. Please sign in and acknowledge it now.",
                ItemFieldsEn(f), null));
    }

    private static Draft Reminder(MessageFacts f, ReminderMessage r)
    {
        var left = f.WorkingDaysLeft;
        var leadZh = left is { } n
            ? n == 0 ? "以下整改问题今日到期，请抓紧完成整改并申请销号。" : $"以下整改问题距整改时限还剩{n}个工作日，请抓紧推进并及时报送进展。"
            : "以下整改问题临近整改时限，请抓紧推进并及时报送进展。";
        var leadEn = left is { } m
            ? m == 0 ? "The following item is due today. Please finish it and request closure." : $"The following item is due in {m} working day(s). Please push it forward and report progress."
            : "The following item is due soon.";
        // One unit's share is named in the subject, so the units of one item do not get identical subjects (issue 14).
        var share = f.Message.Subject is AssignmentRef a ? f.UnitName(a.UnitCode) : null;
        var labelZh = Words.ItemLabelZh(f.Item) + (share is null ? "" : $"（{share}）");
        var labelEn = Words.ItemLabelEn(f.Item) + (share is null ? "" : $" ({share})");
        return new(
            new Version("【提醒】", $"{labelZh}将于{Words.ZhShort(r.Deadline)}到期", share is null ? leadZh : $"{share}承担的{leadZh}", ItemFieldsZh(f), null),
            new Version("[Reminder] ", $"{Cap(labelEn)} is due {Words.En(r.Deadline)}", share is null ? leadEn : $"For {share}, {char.ToLowerInvariant(leadEn[0])}{leadEn[1..]}", ItemFieldsEn(f), null));
    }

    /// <summary>
    /// A dated step inside an item (issue 15.4): the step, its date, and the item's own deadline beside it, unchanged.
    /// The step is quoted as the measures say it; where the date is said in the message's own words, without its leading date.
    /// </summary>
    private static Draft MilestoneReminder(MessageFacts f, MilestoneReminderMessage m)
    {
        // The lead sentences give the date in their own words, so they quote the step without its leading date.
        var step = LeadingDate().Replace(m.Text, "") is { Length: > 0 } rest ? rest : m.Text;
        var left = f.WorkingDaysLeft;
        var unit = UnitZh(f);
        var leadZh = left is 0
            ? $"以下整改问题的阶段性任务“{m.Text}”今日到期，请{unit}今日内完成，完成后在系统中标记完成并报送进展。"
            : $"以下整改问题的阶段性任务须于{Words.Zh(m.Date)}前完成{(left is { } n ? $"（还剩{n}个工作日）" : "")}：“{step}”。请{unit}按时完成，完成后在系统中标记完成。";
        var leadEn = left is 0
            ? $"A step of the following item is due today: \"{step}\". Please finish it today and mark it done."
            : $"A step of the following item is due by {Words.En(m.Date)}{(left is { } k ? $" ({k} working days left)" : "")}: \"{step}\". Please finish it on time and mark it done.";
        return new(
            new Version("【提醒】", $"{Words.ItemLabelZh(f.Item)}的阶段性任务将于{Words.ZhShort(m.Date)}到期", leadZh,
                ItemFieldsZh(f, extra: [("阶段性任务", m.Text), ("节点时限", Words.Zh(m.Date))]), "请登录系统标记完成。"),
            new Version("[Reminder] ", $"A step of {Words.ItemLabelEn(f.Item)} is due {Words.En(m.Date)}", leadEn,
                ItemFieldsEn(f, extra: [("Step", step), ("Step due", Words.En(m.Date))]), "Please sign in to mark it done."));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*[于在]?\s*(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号]|[底末]|[上中下]旬)\s*(?:前|以前|之前)?\s*")]
    private static partial System.Text.RegularExpressions.Regex LeadingDate();

    private static Draft DeliverableReminder(MessageFacts f, DeliverableRef d)
    {
        var left = f.WorkingDaysLeft;
        var unit = f.UnitName(d.UnitCode) ?? "你单位";
        var leadZh = left is 0
            ? $"{CampaignZh(f)}要求{unit}报送的“{d.Name}”今日到期，请今日内登录系统报送。"
            : $"{CampaignZh(f)}要求{unit}于{Words.Zh(d.DueDate)}前报送“{d.Name}”{(left is { } n ? $"，还剩{n}个工作日" : "")}，请按时登录系统报送。";
        return new(
            new Version("【报送提醒】", $"{DeliverableLabelZh(f, d)}请于{Words.ZhShort(d.DueDate)}前报送", leadZh, DeliverableFieldsZh(f, d), null),
            new Version("[Deliverable due] ", $"{Cap(DeliverableLabelEn(f, d))} is due {Words.En(d.DueDate)}",
                $"{CampaignEn(f)} asks {f.UnitName(d.UnitCode) ?? "your unit"} to submit \"{d.NameEn ?? d.Name}\" by {Words.En(d.DueDate)}{(left is { } m ? $" ({m} working days left)" : "")}.",
                DeliverableFieldsEn(f, d), null));
    }

    private static Draft PeriodicReport(MessageFacts f, PeriodicReportMessage p)
    {
        var due = p.ReportDate;
        var left = f.WorkingDaysLeft is { } n and > 0 ? $"（还剩{n}个工作日）" : "";
        return new(
            new Version("【定期报告】", $"{Words.ItemLabelZh(f.Item)}请于{Words.ZhShort(due)}前报送整改进展",
                $"以下整改问题需长期坚持、定期报告。请{UnitZh(f)}于{Words.Zh(due)}前报送本期整改进展、成效及下一步措施{left}。",
                ItemFieldsZh(f, extra: ("报告日期", Words.Zh(due))), null),
            new Version("[Periodic report] ", $"Progress report for {Words.ItemLabelEn(f.Item)} due {Words.En(due)}",
                $"This ongoing item needs a periodic progress report by {Words.En(due)}{(f.WorkingDaysLeft is { } m ? $" ({m} working days left)" : "")}.",
                ItemFieldsEn(f, extra: ("Report due", Words.En(due))), null));
    }

    private static Draft Notice(MessageFacts f, NoticeMessage n) => new(
        new Version("【通知】", Words.ItemLabelZh(f.Item) is { Length: > 0 } l ? l : f.Campaign?.Title ?? "整改工作通知",
            n.Note ?? "您有一条整改工作通知，请登录系统查看。", f.Item is null ? WithLinkZh(f) : ItemFieldsZh(f), null),
        new Version("[Notice] ", Words.ItemLabelEn(f.Item) is { Length: > 0 } e ? Cap(e) : f.Campaign?.Title ?? "Rectification notice",
            n.Note ?? "You have a rectification notice; please sign in to read it.", f.Item is null ? WithLinkEn(f) : ItemFieldsEn(f), null));

    private static List<(string Label, string Value)> WithLinkZh(MessageFacts f)
    {
        var list = CampaignFieldsZh(f);
        list.Add(("查看详情", f.Link));
        return list;
    }

    private static List<(string Label, string Value)> WithLinkEn(MessageFacts f)
    {
        var list = CampaignFieldsEn(f);
        list.Add(("Details", f.Link));
        return list;
    }
}
