namespace Rectify.Notifications.Content;

public static partial class Templates
{
    private static Draft Phase(MessageFacts f)
    {
        var key = f.Payload.String("phaseKey", "phase.key", "phase");
        var start = f.Payload.Date("phaseStart", "phase.start");
        var end = f.Payload.Date("phaseEnd", "phase.end");
        var boundary = f.Payload.String("boundary") ?? "start";
        var name = Words.PhaseZh(key);
        var window = start is { } s && end is { } e ? $"（{Words.Zh(s)}至{Words.Zh(e)}）" : "";
        var fieldsZh = CampaignFieldsZh(f);
        var fieldsEn = CampaignFieldsEn(f);
        if (start is { } s1) { fieldsZh.Add(("阶段开始", Words.Zh(s1))); fieldsEn.Add(("Phase starts", Words.En(s1))); }
        if (end is { } e1) { fieldsZh.Add(("阶段结束", Words.Zh(e1))); fieldsEn.Add(("Phase ends", Words.En(e1))); }
        fieldsZh.Add(("查看详情", f.Link)); fieldsEn.Add(("Details", f.Link));
        var starting = boundary != "end";
        return new(
            new Version("【阶段提示】", starting ? $"“{name}”阶段开始" : $"“{name}”阶段即将结束",
                starting ? $"{CampaignZh(f)}“{name}”阶段{window}已开始，请按方案要求开展本阶段工作。"
                         : $"{CampaignZh(f)}“{name}”阶段{window}将于{Words.Zh(end) ?? "近日"}结束，请在结束前完成本阶段各项工作。",
                fieldsZh, null),
            new Version("[Phase] ", starting ? $"The {Words.PhaseEn(key)} phase has started" : $"The {Words.PhaseEn(key)} phase ends {Words.En(end)}",
                starting ? $"The {Words.PhaseEn(key)} phase of {CampaignEn(f)} has started." : $"The {Words.PhaseEn(key)} phase of {CampaignEn(f)} ends on {Words.En(end)}; please finish its work.",
                fieldsEn, null));
    }

    private static Draft Deliverable(MessageFacts f)
    {
        var name = f.Payload.String("deliverableName", "deliverable.name", "name") ?? "整改材料";
        var nameEn = f.Payload.String("deliverableNameEn", "deliverable.nameEn") ?? name;
        var fieldsZh = f.Item is null ? CampaignFieldsZh(f) : ItemFieldsZh(f);
        var fieldsEn = f.Item is null ? CampaignFieldsEn(f) : ItemFieldsEn(f);
        fieldsZh.Insert(0, ("报送材料", name));
        fieldsEn.Insert(0, ("Deliverable", nameEn));
        if (f.Item is null)
        {
            if (DueZh(f) is { } due) fieldsZh.Add(("报送时限", due));
            if (DueEn(f) is { } dueEn) fieldsEn.Add(("Due", dueEn));
            fieldsZh.Add(("查看详情", f.Link)); fieldsEn.Add(("Details", f.Link));
        }
        var overdue = f.OverdueDays is > 0;
        return new(
            new Version("【报送提醒】", $"请于{Words.Zh(f.Deadline) ?? "规定时限"}前报送{name}",
                overdue ? $"{UnitZh(f)}应报送的“{name}”已超过报送时限，请立即报送。" : $"请{UnitZh(f)}于{Words.Zh(f.Deadline) ?? "规定时限"}前报送“{name}”。",
                fieldsZh, null),
            new Version("[Deliverable due] ", $"{nameEn} due {Words.En(f.Deadline) ?? "soon"}",
                overdue ? $"\"{nameEn}\" is overdue; please submit it now." : $"Please submit \"{nameEn}\" by {Words.En(f.Deadline) ?? "the deadline"}.",
                fieldsEn, null));
    }

    private static Draft PeriodicReport(MessageFacts f)
    {
        var period = f.Payload.String("period");
        var fieldsZh = ItemFieldsZh(f);
        var fieldsEn = ItemFieldsEn(f);
        if (period is not null) { fieldsZh.Insert(0, ("报告期", period)); fieldsEn.Insert(0, ("Period", period)); }
        var due = f.Payload.Date("dueDate", "reportDue");
        if (due is { } d) { fieldsZh.Insert(1, ("报送时限", Words.Zh(d))); fieldsEn.Insert(1, ("Due", Words.En(d))); }
        return new(
            new Version("【定期报告】", $"{Words.ItemLabelZh(f.Item)}{period ?? "本期"}进展报告",
                $"以下长期坚持的整改问题需定期报告进展，请{(due is { } d2 ? $"于{Words.Zh(d2)}前" : "按时")}报送{period ?? "本期"}整改进展、成效及下一步措施。",
                fieldsZh, null),
            new Version("[Periodic report] ", $"Progress report for {Words.ItemLabelEn(f.Item)} {period}".TrimEnd(),
                $"This ongoing item needs a periodic progress report{(due is { } d3 ? $" by {Words.En(d3)}" : "")}.", fieldsEn, null));
    }

    private static Draft Decision(MessageFacts f)
    {
        var decision = f.Payload.String("decision") ?? f.Level ?? "";
        var note = f.Payload.String("note");
        var newDeadline = f.Payload.Date("newDeadline");
        var fieldsZh = ItemFieldsZh(f);
        var fieldsEn = ItemFieldsEn(f);
        if (newDeadline is { } nd) { fieldsZh.Add(("新的整改时限", Words.Zh(nd))); fieldsEn.Add(("New deadline", Words.En(nd))); }
        if (note is not null) { fieldsZh.Add(("审核意见", note)); fieldsEn.Add(("Note", note)); }
        var label = Words.ItemLabelZh(f.Item);
        var labelEn = Cap(Words.ItemLabelEn(f.Item));
        return decision switch
        {
            "closureApproved" => new(
                new Version("【销号通过】", $"{label}已销号", "以下整改问题的销号申请已审核通过，该问题已办结销号。请注意巩固整改成效，防止反弹。", fieldsZh, null),
                new Version("[Closure approved] ", $"{labelEn} is closed", "The closure request was approved; the item is closed.", fieldsEn, null)),
            "closureReturned" => new(
                new Version("【销号退回】", $"{label}销号申请被退回", "以下整改问题的销号申请未通过审核，已退回。请按审核意见补充整改和佐证材料后重新申请。", fieldsZh, null),
                new Version("[Closure returned] ", $"{labelEn}: closure returned", "The closure request was returned. Please complete the work and evidence and apply again.", fieldsEn, null)),
            "extensionApproved" => new(
                new Version("【延期批准】", $"{label}延期申请已批准", $"以下整改问题的延期申请已批准，整改时限调整为{Words.Zh(newDeadline) ?? "新的时限"}，请在新时限内完成整改。", fieldsZh, null),
                new Version("[Extension approved] ", $"{labelEn}: extension approved", $"The extension was approved; the new deadline is {Words.En(newDeadline) ?? "set"}.", fieldsEn, null)),
            "extensionRejected" => new(
                new Version("【延期未批准】", $"{label}延期申请未获批准", "以下整改问题的延期申请未获批准，整改时限不变，请按原时限完成整改。", fieldsZh, null),
                new Version("[Extension rejected] ", $"{labelEn}: extension rejected", "The extension was rejected; the deadline stands.", fieldsEn, null)),
            _ => new(
                new Version("【审核结果】", $"{label}审核结果", "以下整改问题有新的审核结果。", fieldsZh, null),
                new Version("[Decision] ", $"{labelEn}: decision", "There is a new decision on the following item.", fieldsEn, null)),
        };
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

    private static (string Zh, string En) SectionTitle(string section) => section switch
    {
        "messages" => ("今日通知", "Notices"),
        "overdue" => ("逾期事项", "Overdue"),
        "escalated" => ("督办事项", "Escalated"),
        "due" => ("临近到期", "Due soon"),
        _ => (section, section),
    };
}
