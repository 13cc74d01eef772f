using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    private static string CampaignZh(MessageFacts f) =>
        f.Campaign is null ? "整改工作" : f.Campaign.DocumentNumber is { Length: > 0 } n ? $"《{f.Campaign.Title}》（{n}）" : $"《{f.Campaign.Title}》";

    private static string CampaignEn(MessageFacts f) =>
        f.Campaign is null ? "the campaign" : f.Campaign.DocumentNumber is { Length: > 0 } n ? $"\"{f.Campaign.Title}\" ({n})" : $"\"{f.Campaign.Title}\"";

    /// <summary>The unit a message addresses: the assignment's or deliverable's unit, else the item's lead unit, else the recipient's.</summary>
    private static string UnitZh(MessageFacts f) =>
        f.UnitName(f.Message.Subject.Unit()) ?? f.Item?.LeadUnitName ?? f.RecipientUnitName ?? "你单位";

    private static string UnitEn(MessageFacts f) =>
        f.UnitName(f.Message.Subject.Unit()) ?? f.Item?.LeadUnitName ?? f.RecipientUnitName ?? "your unit";

    /// <summary>The office that escalates: the one the runtime named, else the campaign's supervision or issuing office.</summary>
    private static string OfficeZh(MessageFacts f, EscalationMessage e) =>
        f.UnitName(e.OfficeUnit) ?? f.Campaign?.SupervisionName ?? f.Letter?.OfficeName ?? f.Campaign?.IssuedByName ?? "督查室";

    /// <summary>True when the date of the message is the item's own deadline (not a periodic report's or a deliverable's).</summary>
    private static bool AboutItemDeadline(MessageFacts f) => f.Message is not MilestoneReminderMessage && f.Message.Subject is ItemRef or AssignmentRef;

    /// <summary>The item's deadline as the 整改时限 line shows it: with days left or overdue only when the message is about it.</summary>
    private static string? ItemDeadlineZh(MessageFacts f)
    {
        if (AboutItemDeadline(f)) return Words.DeadlineZh(f);
        if (f.Item is null) return null;
        return f.Item.Ongoing && f.Item.EffectiveDeadline is null ? "长期坚持" : Words.Zh(f.Item.EffectiveDeadline ?? f.Item.Deadline);
    }

    private static string? ItemDeadlineEn(MessageFacts f)
    {
        if (AboutItemDeadline(f)) return Words.DeadlineEn(f);
        if (f.Item is null) return null;
        return f.Item.Ongoing && f.Item.EffectiveDeadline is null ? "ongoing" : Words.En(f.Item.EffectiveDeadline ?? f.Item.Deadline);
    }

    private static List<(string Label, string Value)> CampaignFieldsZh(MessageFacts f)
    {
        var list = new List<(string, string)>();
        if (f.Campaign is not null) list.Add(("整改工作", CampaignZh(f)));
        return list;
    }

    private static List<(string Label, string Value)> CampaignFieldsEn(MessageFacts f)
    {
        var list = new List<(string, string)>();
        if (f.Campaign is not null) list.Add(("Campaign", CampaignEn(f)));
        return list;
    }

    /// <summary>
    /// The facts every item message names (issue 4 §4): campaign, number and title, deadline, lead unit, the unit
    /// addressed when it is one unit's share, responsible leader; <paramref name="extra"/> goes before the link.
    /// </summary>
    private static List<(string Label, string Value)> ItemFieldsZh(MessageFacts f, bool withMeasures = false, params (string, string?)[] extra)
    {
        var list = CampaignFieldsZh(f);
        if (f.Item is { } i)
        {
            list.Add(("问题编号", i.Number is { Length: > 0 } n ? $"第{n}项" : "未编号"));
            list.Add(("问题", i.Title));
            if (withMeasures && i.Measures is { Length: > 0 } m) list.Add(("整改措施", m));
        }
        if (ItemDeadlineZh(f) is { } due) list.Add(("整改时限", due));
        if (f.Item is { } it)
        {
            list.Add(("牵头单位", it.LeadUnitName));
            if (f.Message.Subject is AssignmentRef a && a.UnitCode != it.LeadUnit && f.UnitName(a.UnitCode) is { } unit) list.Add(("责任单位", unit));
            list.Add(("责任领导", it.LeaderName ?? "未指定"));
        }
        foreach (var (label, value) in extra)
            if (!string.IsNullOrWhiteSpace(value)) list.Add((label, value));
        list.Add(("查看详情", f.Link));
        return list;
    }

    private static List<(string Label, string Value)> ItemFieldsEn(MessageFacts f, bool withMeasures = false, params (string, string?)[] extra)
    {
        var list = CampaignFieldsEn(f);
        if (f.Item is { } i)
        {
            list.Add(("Item", i.Number is { Length: > 0 } n ? $"No. {n}: {i.Title}" : i.Title));
            if (withMeasures && i.Measures is { Length: > 0 } m) list.Add(("Measures", m));
        }
        if (ItemDeadlineEn(f) is { } due) list.Add(("Deadline", due));
        if (f.Item is { } it)
        {
            list.Add(("Lead unit", it.LeadUnitName));
            if (f.Message.Subject is AssignmentRef a && a.UnitCode != it.LeadUnit && f.UnitName(a.UnitCode) is { } unit) list.Add(("Responsible unit", unit));
            list.Add(("Responsible leader", it.LeaderName ?? "not set"));
        }
        foreach (var (label, value) in extra)
            if (!string.IsNullOrWhiteSpace(value)) list.Add((label, value));
        list.Add(("Details", f.Link));
        return list;
    }

    /// <summary>The facts of a deliverable message: campaign, deliverable, unit, due date (with days left or overdue).</summary>
    private static List<(string Label, string Value)> DeliverableFieldsZh(MessageFacts f, DeliverableRef d, params (string, string?)[] extra)
    {
        var list = CampaignFieldsZh(f);
        list.Add(("报送材料", d.Name));
        list.Add(("报送单位", f.UnitName(d.UnitCode) ?? "报送单位"));
        if (Words.DeadlineZh(f) is { } due) list.Add(("报送时限", due));
        foreach (var (label, value) in extra)
            if (!string.IsNullOrWhiteSpace(value)) list.Add((label, value));
        list.Add(("查看详情", f.Link));
        return list;
    }

    private static List<(string Label, string Value)> DeliverableFieldsEn(MessageFacts f, DeliverableRef d, params (string, string?)[] extra)
    {
        var list = CampaignFieldsEn(f);
        list.Add(("Deliverable", d.NameEn ?? d.Name));
        list.Add(("Unit", f.UnitName(d.UnitCode) ?? "the unit"));
        if (Words.DeadlineEn(f) is { } due) list.Add(("Due", due));
        foreach (var (label, value) in extra)
            if (!string.IsNullOrWhiteSpace(value)) list.Add((label, value));
        list.Add(("Details", f.Link));
        return list;
    }

    /// <summary>"县扶贫办“单位整改方案”": whose deliverable and which.</summary>
    private static string DeliverableLabelZh(MessageFacts f, DeliverableRef d) => $"{f.UnitName(d.UnitCode) ?? "报送单位"}“{d.Name}”";

    private static string DeliverableLabelEn(MessageFacts f, DeliverableRef d) => $"\"{d.NameEn ?? d.Name}\" of {f.UnitName(d.UnitCode) ?? "the unit"}";

    /// <summary>How late: "已逾期5天（其中3个工作日）", or "" when it is not late (yet).</summary>
    private static string LateZh(MessageFacts f) => f.OverdueDays is > 0 and var od
        ? f.WorkingDaysOverdue is > 0 and var w ? $"已逾期{od}天（其中{w}个工作日）" : $"已逾期{od}天"
        : "";

    private static string LateEn(MessageFacts f) => f.OverdueDays is > 0 and var od
        ? f.WorkingDaysOverdue is > 0 and var w ? $"{od} days overdue, {w} working days" : $"{od} days overdue"
        : "";

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
