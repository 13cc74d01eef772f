using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    /// <summary>
    /// What an escalation is about, in each language: a label for subject lines (About, Short), the opening sentence
    /// that says what is late, the short 逾期事项 line, and what the recipient must now do.
    /// </summary>
    private sealed record Lateness(
        string AboutZh, string AboutEn, string ShortZh, string ShortEn, string SentenceZh, string SentenceEn,
        (string Label, string Zh, string LabelEn, string En) Field, string ActZh, string ActEn);

    private static Lateness LatenessOf(MessageFacts f, EscalationMessage e)
    {
        var lateZh = LateZh(f);
        var lateEn = LateEn(f);
        var commaLateZh = lateZh.Length > 0 ? $"，{lateZh}" : "";
        var parenLateEn = lateEn.Length > 0 ? $" ({lateEn})" : "";
        switch (e.Subject)
        {
            case DeliverableRef d:
            {
                var unit = f.UnitName(d.UnitCode) ?? "报送单位";
                var unitEn = f.UnitName(d.UnitCode) ?? "the unit";
                var name = d.NameEn ?? d.Name;
                var about = $"{unit}“{d.Name}”逾期未报送";
                return new(about, $"\"{name}\" of {unitEn} not submitted", about, $"\"{name}\" of {unitEn} is overdue",
                    $"{CampaignZh(f)}要求{unit}于{Words.Zh(d.DueDate)}前报送的“{d.Name}”至今未报送{commaLateZh}",
                    $"\"{name}\", due from {unitEn} on {Words.En(d.DueDate)}, has not been submitted{parenLateEn}",
                    ("逾期事项", $"“{d.Name}”应于{Words.Zh(d.DueDate)}前报送，至今未报送{commaLateZh}", "What is late", $"\"{name}\" was due {Words.En(d.DueDate)} and is not submitted{parenLateEn}"),
                    $"报送“{d.Name}”", $"submit \"{name}\"");
            }
            case PeriodicReportRef r:
            {
                var label = Words.ItemLabelZh(f.Item);
                var about = $"{label}{Words.ZhShort(r.ReportDate)}整改进展未报送";
                return new(about, $"{Words.ItemLabelEn(f.Item)}: progress report of {Words.En(r.ReportDate)} missing", about,
                    $"{Cap(Words.ItemLabelEn(f.Item))}: progress report of {Words.En(r.ReportDate)} missing",
                    $"以下长期坚持的整改问题，{Words.Zh(r.ReportDate)}应报送的整改进展至今未报送{commaLateZh}",
                    $"The progress report of the following ongoing item, due {Words.En(r.ReportDate)}, has not been received{parenLateEn}",
                    ("逾期事项", $"{Words.Zh(r.ReportDate)}应报送的整改进展未报送{commaLateZh}", "What is late", $"the progress report due {Words.En(r.ReportDate)} is missing{parenLateEn}"),
                    "报送整改进展", "report progress");
            }
            default:
            {
                // One unit's share (分解交办): the unit is named with the item, and the sentence says whose part is late.
                var share = e.Subject is AssignmentRef a ? f.UnitName(a.UnitCode) : null;
                var label = Words.ItemLabelZh(f.Item) + (share is null ? "" : $"（{share}）");
                var labelEn = Words.ItemLabelEn(f.Item) + (share is null ? "" : $" ({share})");
                var whose = share is null ? "以下整改问题" : $"{share}承担的以下整改问题";
                var whoseEn = share is null ? "The following item" : $"The share of {share} in the following item";
                if (e.AtLaunch)
                    return new(label, labelEn, $"{label}实行{Words.LevelZh(e.EscalationLevel)}", $"{Cap(labelEn)} is under {Words.LevelEn(e.EscalationLevel)}",
                        $"以下整改问题自交办起即实行督办（交办即督办），请于{Words.Zh(f.Deadline) ?? "整改时限"}前完成整改销号",
                        $"The following item is under supervision from assignment; it must be closed by {Words.En(f.Deadline) ?? "its deadline"}",
                        ("督办缘由", "交办即督办", "Why", "under supervision from assignment"), "完成整改销号", "close it");
                // A letter the supervision office issues by hand before the deadline (issue 13): behind schedule, not late.
                if (f.Deadline is { } ahead && ahead >= f.Today)
                    return new(label, labelEn, $"{label}整改进度滞后", $"{Cap(labelEn)} is behind schedule",
                        $"{whose}整改时限为{Words.Zh(ahead)}，整改进度滞后，尚未完成{(share is null ? "整改销号" : "整改")}",
                        $"{whoseEn} is due {Words.En(ahead)} and is behind schedule; it is not {(share is null ? "closed" : "completed")} yet",
                        ("督办事项", $"整改进度滞后，{(share is null ? "尚未销号" : "尚未完成")}", "Why", $"behind schedule, not {(share is null ? "closed" : "completed")} yet"),
                        share is null ? "完成整改销号" : "完成承担的整改任务", share is null ? "close it" : "complete your share");
                return new(label, labelEn, $"{label}{(lateZh.Length > 0 ? lateZh : "逾期未完成整改")}", $"{Cap(labelEn)} is {(lateEn.Length > 0 ? lateEn : "overdue")}",
                    $"{whose}整改时限为{Words.Zh(f.Deadline) ?? "规定时限"}{(lateZh.Length > 0 ? commaLateZh : "，已超过整改时限")}，仍未完成{(share is null ? "整改销号" : "整改")}",
                    $"{whoseEn} was due {Words.En(f.Deadline) ?? "earlier"} and is {(lateEn.Length > 0 ? lateEn : "overdue")}; it is not {(share is null ? "closed" : "completed")}",
                    ("逾期事项", $"超过整改时限{commaLateZh}，{(share is null ? "尚未销号" : "尚未完成")}", "What is late", $"past the deadline{parenLateEn}, {(share is null ? "not closed" : "not completed")}"),
                    share is null ? "完成整改销号" : "完成承担的整改任务", share is null ? "close it" : "complete your share");
            }
        }
    }

    private static (List<(string, string)> Zh, List<(string, string)> En) EscalationFields(MessageFacts f, EscalationMessage e, Lateness late,
        params ((string Zh, string En) Label, (string? Zh, string? En) Value)[] extra)
    {
        var officeLabel = e.EscalationLevel == "admonitoryTalk" ? ("约谈单位", "Summoned by") : ("督办单位", "Escalated by");
        var zh = new List<(string, string?)> { (late.Field.Label, late.Field.Zh), (officeLabel.Item1, OfficeZh(f, e)) };
        var en = new List<(string, string?)> { (late.Field.LabelEn, late.Field.En), (officeLabel.Item2, OfficeZh(f, e)) };
        foreach (var (label, value) in extra) { zh.Add((label.Zh, value.Zh)); en.Add((label.En, value.En)); }
        return e.Subject is DeliverableRef d
            ? (DeliverableFieldsZh(f, d, [.. zh]), DeliverableFieldsEn(f, d, [.. en]))
            : (ItemFieldsZh(f, extra: [.. zh]), ItemFieldsEn(f, extra: [.. en]));
    }

    /// <summary>Who must drive it: the item's responsible leader, or for a deliverable the head of its unit.</summary>
    private static string DriverZh(EscalationMessage e) => e.Subject is DeliverableRef ? "单位主要负责人" : "责任领导";

    private static Draft Escalation(MessageFacts f, EscalationMessage e)
    {
        var late = LatenessOf(f, e);
        var office = OfficeZh(f, e);
        switch (e.EscalationLevel)
        {
            case "supervisionLetter":
            {
                var number = f.Letter?.Number;
                var due = f.Letter?.ResponseDue;
                var url = f.Letter is null ? null : $"{f.BaseUrl}/api/escalations/{f.Letter.EscalationId}/letter.docx";
                var (zh, en) = EscalationFields(f, e, late,
                    (("督办函文号", "Letter number"), (number, number)),
                    (("书面报告时限", "Written response due"), (Words.Zh(due), Words.En(due))),
                    (("督办函下载", "Letter download"), (url, url)));
                var title = $"关于{late.AboutZh}的督办函";
                return new(
                    new Version("【督办】", number is null ? title : $"{number}：{title}",
                        $"{late.SentenceZh}。{office}现予督办{(f.Letter?.Content is null ? "" : "（督办函见附件）")}，请{(due is { } d1 ? $"于{Words.Zh(d1)}前" : "在规定时限内")}将整改落实情况书面报告{office}。",
                        zh, "请高度重视，按要求办理。"),
                    new Version("[Supervision letter] ", $"Supervision letter{(number is null ? "" : $" {number}")}: {late.AboutEn}",
                        $"{late.SentenceEn}. The supervision office has issued a supervision letter{(f.Letter?.Content is null ? "" : " (attached)")}; a written response is due {Words.En(due) ?? "within the set time"}.",
                        en, null));
            }
            case "listedSupervision":
            {
                var (zh, en) = EscalationFields(f, e, late);
                return new(
                    new Version("【挂牌督办】", $"{late.AboutZh}，列入挂牌督办",
                        $"{late.SentenceZh}{(e.AtLaunch ? "" : "，经催办、督办仍未解决")}，现列入挂牌督办。请{DriverZh(e)}亲自研究推动，限期办结，并每周向{office}报告进展。",
                        zh, null),
                    new Version("[Listed supervision] ", $"{Cap(late.AboutEn)}: under listed supervision",
                        $"{late.SentenceEn}. It is now under listed supervision; {(e.Subject is DeliverableRef ? "the head of the unit" : "the responsible leader")} must drive it personally and report weekly.",
                        en, null));
            }
            case "admonitoryTalk":
            {
                var talk = f.Talk;
                var (zh, en) = EscalationFields(f, e, late,
                    (("约谈对象", "Summoned"), ($"{TalkUnitZh(f, e)}主要负责人", $"the head of {TalkUnitZh(f, e)}")),
                    (("约谈时间", "Time"), (talk is null ? "另行通知" : Words.ZhTime(talk.At, f.Campaign?.TimeZone), talk is null ? "to be announced" : Words.EnTime(talk.At, f.Campaign?.TimeZone))),
                    (("约谈地点", "Place"), (talk?.Place ?? "另行通知", talk?.Place ?? "to be announced")),
                    (("参加人员", "Attendees"), (talk?.People, talk?.People)));
                var moved = talk is { Revision: > 1 };
                var when = talk is null
                    ? "约谈时间、地点由约谈单位另行通知。"
                    : $"{(moved ? "约谈时间、地点已调整，" : "")}请于{Words.ZhTime(talk.At, f.Campaign?.TimeZone)}到{talk.Place}参加约谈。";
                return new(
                    new Version("【约谈通知】", talk is null ? $"关于{late.AboutZh}的约谈通知"
                            : $"关于{late.AboutZh}的约谈通知（{Words.ZhTime(talk.At, f.Campaign?.TimeZone)}，{talk.Place}）",
                        $"{late.SentenceZh}，经挂牌督办仍未解决。根据有关规定，{office}决定对{TalkUnitZh(f, e)}主要负责人进行约谈。{when}",
                        zh, null),
                    new Version("[Admonitory talk] ", talk is null ? $"Admonitory talk: {late.AboutEn}"
                            : $"Admonitory talk: {late.AboutEn} ({Words.EnTime(talk.At, f.Campaign?.TimeZone)}, {talk.Place})",
                        $"{late.SentenceEn}, after listed supervision. The head of {TalkUnitZh(f, e)} is summoned to an admonitory talk{(talk is null ? "; time and place will be announced" : $"{(moved ? " (moved)" : "")} on {Words.EnTime(talk.At, f.Campaign?.TimeZone)} at {talk.Place}")}.",
                        en, null));
            }
            default:
            {
                var (zh, en) = EscalationFields(f, e, late);
                return new(
                    new Version("【催办】", late.ShortZh, $"{late.SentenceZh}，现予催办。请尽快{late.ActZh}，并将进展情况及时反馈{office}。", zh, null),
                    new Version("[Urging] ", late.ShortEn, $"{late.SentenceEn}. Please {late.ActEn} as soon as possible.", en, null));
            }
        }
    }

    /// <summary>The unit whose head is summoned: a deliverable's unit, else the item's lead unit.</summary>
    private static string TalkUnitZh(MessageFacts f, EscalationMessage e) =>
        e.Subject is DeliverableRef d ? f.UnitName(d.UnitCode) ?? "报送单位" : f.Item?.LeadUnitName ?? "牵头单位";
}
