namespace Rectify.Notifications.Content;

/// <summary>
/// The message text for every kind and level (issue 4 §4), Chinese with an English alternative. Subjects follow
/// office usage: 【交办】【提醒】【催办】【督办】【挂牌督办】【约谈通知】. Each names the item, the campaign and its
/// document number, what is due by when, the lead unit and responsible leader, and links to the item.
/// </summary>
public static partial class Templates
{
    public static Draft For(MessageFacts f) => f.Kind switch
    {
        "assigned" => Assigned(f),
        "reminder" => Reminder(f),
        "escalation" => Escalation(f),
        "phase" => Phase(f),
        "deliverable" => Deliverable(f),
        "periodicReport" => PeriodicReport(f),
        "decision" => Decision(f),
        "digest" => Digest(f),
        _ => Generic(f),
    };

    private static Draft Assigned(MessageFacts f) => new(
        new Version("【交办】", $"{Words.ItemLabelZh(f.Item)}请按时整改",
            $"{CampaignZh(f)}中的以下整改问题已交办{UnitZh(f)}，请及时签收，按整改时限完成整改并报送进展。",
            ItemFieldsZh(f, withMeasures: true), "请登录系统签收。"),
        new Version("[Assigned] ", $"{Cap(Words.ItemLabelEn(f.Item))} has been assigned",
            $"The following problem item of {CampaignEn(f)} has been assigned to your unit. Please acknowledge it and rectify it by the deadline.",
            ItemFieldsEn(f, withMeasures: true), "Please sign in to acknowledge it."));

    private static Draft Reminder(MessageFacts f)
    {
        var left = f.WorkingDaysLeft;
        var dueZh = f.Deadline is { } d ? $"将于{Words.ZhShort(d)}到期" : "临近整改时限";
        var leadZh = left is { } n
            ? n == 0 ? "以下整改问题今日到期，请抓紧完成整改并申请销号。" : $"以下整改问题距整改时限还剩{n}个工作日，请抓紧推进并及时报送进展。"
            : "以下整改问题临近整改时限，请抓紧推进并及时报送进展。";
        return new(
            new Version("【提醒】", $"{Words.ItemLabelZh(f.Item)}{dueZh}", leadZh, ItemFieldsZh(f), null),
            new Version("[Reminder] ", $"{Cap(Words.ItemLabelEn(f.Item))} is due {Words.En(f.Deadline) ?? "soon"}",
                left is { } m ? $"The following item is due in {m} working day(s). Please push it forward and report progress." : "The following item is due soon.",
                ItemFieldsEn(f), null));
    }

    private static Draft Escalation(MessageFacts f)
    {
        var overdueZh = f.OverdueDays is > 0 and var od ? $"已逾期{od}天" : "逾期未完成";
        var overdueEn = f.OverdueDays is > 0 and var oe ? $"{oe} days overdue" : "overdue";
        var fieldsZh = ItemFieldsZh(f);
        var fieldsEn = ItemFieldsEn(f);
        var office = f.Campaign?.SupervisionName ?? f.Letter?.OfficeName ?? f.Campaign?.IssuedByName ?? "督查室";
        switch (f.Level)
        {
            case "supervisionLetter":
            {
                var number = f.Letter?.Number ?? f.Payload.String("letterNumber");
                var due = f.Letter?.ResponseDue ?? f.Payload.Date("responseDue");
                if (number is not null) { fieldsZh.Add(("督办函文号", number)); fieldsEn.Add(("Letter number", number)); }
                if (due is { } rd) { fieldsZh.Add(("书面报告时限", Words.Zh(rd))); fieldsEn.Add(("Written response due", Words.En(rd))); }
                if (f.Letter is not null)
                {
                    var url = $"{f.BaseUrl}/api/escalations/{f.Letter.EscalationId}/letter.docx";
                    fieldsZh.Add(("督办函下载", url));
                    fieldsEn.Add(("Letter download", url));
                }
                return new(
                    new Version("【督办】", number is null ? $"关于{Words.ItemLabelZh(f.Item)}的督办函" : $"{number}：关于{Words.ItemLabelZh(f.Item)}的督办函",
                        $"以下整改问题{overdueZh}，仍未完成整改销号。{office}现予督办（督办函{(f.Letter is null ? "" : "见附件")}），请{(due is { } d1 ? $"于{Words.Zh(d1)}前" : "在规定时限内")}将整改落实情况书面报告{office}。",
                        fieldsZh, "请高度重视，按要求办理。"),
                    new Version("[Supervision letter] ", $"{Cap(Words.ItemLabelEn(f.Item))}: supervision letter {number}".TrimEnd(),
                        $"The following item is {overdueEn} and not closed. The supervision office has issued a supervision letter{(f.Letter is null ? "" : " (attached)")}; a written response is due {Words.En(due) ?? "within the set time"}.",
                        fieldsEn, null));
            }
            case "listedSupervision":
                return new(
                    new Version("【挂牌督办】", $"{Words.ItemLabelZh(f.Item)}列入挂牌督办",
                        $"以下整改问题{overdueZh}，经催办、督办仍未完成整改，现列入挂牌督办。请责任领导亲自研究推动，限期整改销号，并每周报告进展。",
                        fieldsZh, $"督办单位：{office}"),
                    new Version("[Listed supervision] ", $"{Cap(Words.ItemLabelEn(f.Item))} is under listed supervision",
                        $"The following item is {overdueEn} after urging and a supervision letter; it is now under listed supervision. The responsible leader must drive it personally.",
                        fieldsEn, null));
            case "admonitoryTalk":
            {
                var at = f.Payload.String("talkAt", "meetingAt");
                var place = f.Payload.String("place", "location");
                if (at is not null) { fieldsZh.Add(("约谈时间", at)); fieldsEn.Add(("Time", at)); }
                if (place is not null) { fieldsZh.Add(("约谈地点", place)); fieldsEn.Add(("Place", place)); }
                return new(
                    new Version("【约谈通知】", $"关于{Words.ItemLabelZh(f.Item)}整改不力的约谈通知",
                        $"以下整改问题{overdueZh}，经挂牌督办仍未完成整改。根据有关规定，决定对{f.Item?.LeadUnitName ?? "责任单位"}主要负责人进行约谈，请按时参加。",
                        fieldsZh, $"约谈单位：{office}"),
                    new Version("[Admonitory talk] ", $"Admonitory talk about {Words.ItemLabelEn(f.Item)}",
                        $"The following item is {overdueEn} after listed supervision. The head of the lead unit is summoned to an admonitory talk.",
                        fieldsEn, null));
            }
            default:
                return new(
                    new Version("【催办】", $"{Words.ItemLabelZh(f.Item)}{overdueZh}",
                        $"以下整改问题已超过整改时限{(f.WorkingDaysOverdue is { } w ? $"{w}个工作日" : "")}仍未销号，现予催办。请尽快完成整改，并将进展情况及时反馈。",
                        fieldsZh, null),
                    new Version("[Urging] ", $"{Cap(Words.ItemLabelEn(f.Item))} is {overdueEn}",
                        "The following item is past its deadline and not closed. Please complete it as soon as possible and report progress.",
                        fieldsEn, null));
        }
    }

    private static Draft Generic(MessageFacts f) => new(
        new Version("【通知】", Words.ItemLabelZh(f.Item) is { Length: > 0 } l ? l : f.Campaign?.Title ?? "整改工作通知",
            f.Payload.String("note", "text") ?? "您有一条整改工作通知。", ItemFieldsZh(f), null),
        new Version("[Notice] ", Words.ItemLabelEn(f.Item) is { Length: > 0 } e ? e : f.Campaign?.Title ?? "Rectification notice",
            f.Payload.String("noteEn", "note") ?? "You have a rectification notice.", ItemFieldsEn(f), null));

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
