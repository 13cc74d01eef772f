using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    /// <summary>What an escalation is about, in each language: a label for subject lines and the sentence that says what is late.</summary>
    private sealed record Lateness(string AboutZh, string AboutEn, string ShortZh, string ShortEn, string SentenceZh, string SentenceEn);

    private static Lateness LatenessOf(MessageFacts f, EscalationMessage e)
    {
        var lateZh = LateZh(f);
        var lateEn = LateEn(f);
        switch (e.Subject)
        {
            case DeliverableRef d:
            {
                var unit = f.UnitName(d.UnitCode) ?? "报送单位";
                var unitEn = f.UnitName(d.UnitCode) ?? "the unit";
                var about = $"{unit}“{d.Name}”逾期未报送";
                return new(about, $"\"{d.NameEn ?? d.Name}\" of {unitEn} not submitted", about, $"\"{d.NameEn ?? d.Name}\" of {unitEn} is overdue",
                    $"{CampaignZh(f)}要求{unit}于{Words.Zh(d.DueDate)}前报送的“{d.Name}”至今未报送{(lateZh.Length > 0 ? $"，{lateZh}" : "")}",
                    $"\"{d.NameEn ?? d.Name}\", due from {unitEn} on {Words.En(d.DueDate)}, has not been submitted{(lateEn.Length > 0 ? $" ({lateEn})" : "")}");
            }
            case PeriodicReportRef r:
            {
                var label = Words.ItemLabelZh(f.Item);
                var about = $"{label}{Words.ZhShort(r.ReportDate)}整改进展未报送";
                return new(about, $"{Words.ItemLabelEn(f.Item)}: progress report of {Words.En(r.ReportDate)} missing", about,
                    $"{Cap(Words.ItemLabelEn(f.Item))}: progress report of {Words.En(r.ReportDate)} missing",
                    $"以下长期坚持的整改问题，{Words.Zh(r.ReportDate)}应报送的整改进展至今未报送{(lateZh.Length > 0 ? $"，{lateZh}" : "")}",
                    $"The progress report of the following ongoing item, due {Words.En(r.ReportDate)}, has not been received{(lateEn.Length > 0 ? $" ({lateEn})" : "")}");
            }
            default:
            {
                var label = Words.ItemLabelZh(f.Item);
                var labelEn = Words.ItemLabelEn(f.Item);
                if (e.AtLaunch)
                    return new(label, labelEn, $"{label}列入{Words.LevelZh(e.EscalationLevel)}", $"{Cap(labelEn)} is under {Words.LevelEn(e.EscalationLevel)}",
                        $"以下整改问题自交办起即列入{Words.LevelZh(e.EscalationLevel)}，请于{Words.Zh(f.Deadline) ?? "整改时限"}前完成整改销号",
                        $"The following item is under {Words.LevelEn(e.EscalationLevel)} from assignment; it must be closed by {Words.En(f.Deadline) ?? "its deadline"}");
                return new(label, labelEn, $"{label}{(lateZh.Length > 0 ? lateZh : "逾期未完成整改")}", $"{Cap(labelEn)} is {(lateEn.Length > 0 ? lateEn : "overdue")}",
                    $"以下整改问题整改时限为{Words.Zh(f.Deadline) ?? "规定时限"}，{(lateZh.Length > 0 ? lateZh : "已超过整改时限")}，仍未完成整改销号",
                    $"The following item was due {Words.En(f.Deadline) ?? "earlier"} and is {(lateEn.Length > 0 ? lateEn : "overdue")}; it is not closed");
            }
        }
    }

    private static (List<(string, string)> Zh, List<(string, string)> En) EscalationFields(MessageFacts f, EscalationMessage e, Lateness late,
        params ((string Zh, string En) Label, (string? Zh, string? En) Value)[] extra)
    {
        var zh = new List<(string, string?)> { ("逾期事项", late.SentenceZh + "。"), ("督办单位", OfficeZh(f, e)) };
        var en = new List<(string, string?)> { ("What is late", late.SentenceEn + "."), ("Escalated by", OfficeZh(f, e)) };
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
                        zh, $"督办单位：{office}"),
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
                    (("约谈地点", "Place"), (talk?.Place ?? "另行通知", talk?.Place ?? "to be announced")));
                var when = talk is null
                    ? "约谈时间、地点由约谈单位另行通知。"
                    : $"请于{Words.ZhTime(talk.At, f.Campaign?.TimeZone)}到{talk.Place}参加约谈。";
                return new(
                    new Version("【约谈通知】", $"关于{late.AboutZh}的约谈通知",
                        $"{late.SentenceZh}，经挂牌督办仍未解决。根据有关规定，{office}决定对{TalkUnitZh(f, e)}主要负责人进行约谈。{when}",
                        zh, $"约谈单位：{office}"),
                    new Version("[Admonitory talk] ", $"Admonitory talk: {late.AboutEn}",
                        $"{late.SentenceEn}, after listed supervision. The head of {TalkUnitZh(f, e)} is summoned to an admonitory talk{(talk is null ? "; time and place will be announced" : $" on {Words.EnTime(talk.At, f.Campaign?.TimeZone)} at {talk.Place}")}.",
                        en, null));
            }
            default:
            {
                var (zh, en) = EscalationFields(f, e, late);
                return new(
                    new Version("【催办】", late.ShortZh, $"{late.SentenceZh}，现予催办。请尽快办结，并将进展情况及时反馈{office}。", zh, null),
                    new Version("[Urging] ", late.ShortEn, $"{late.SentenceEn}. Please complete it as soon as possible and report progress.", en, null));
            }
        }
    }

    /// <summary>The unit whose head is summoned: a deliverable's unit, else the item's lead unit.</summary>
    private static string TalkUnitZh(MessageFacts f, EscalationMessage e) =>
        e.Subject is DeliverableRef d ? f.UnitName(d.UnitCode) ?? "报送单位" : f.Item?.LeadUnitName ?? "牵头单位";
}
