namespace Rectify.Notifications.Content;

public static partial class Templates
{
    private static string CampaignZh(MessageFacts f) =>
        f.Campaign is null ? "整改工作" : f.Campaign.DocumentNumber is { Length: > 0 } n ? $"《{f.Campaign.Title}》（{n}）" : $"《{f.Campaign.Title}》";

    private static string CampaignEn(MessageFacts f) =>
        f.Campaign is null ? "the campaign" : f.Campaign.DocumentNumber is { Length: > 0 } n ? $"\"{f.Campaign.Title}\" ({n})" : $"\"{f.Campaign.Title}\"";

    private static string UnitZh(MessageFacts f) => f.Item?.LeadUnitName ?? f.RecipientUnitName ?? "你单位";

    private static string? DueZh(MessageFacts f) => Words.DeadlineZh(f);
    private static string? DueEn(MessageFacts f) => Words.DeadlineEn(f);

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

    private static List<(string Label, string Value)> ItemFieldsZh(MessageFacts f, bool withMeasures = false)
    {
        var list = CampaignFieldsZh(f);
        if (f.Item is { } i)
        {
            list.Add(("问题编号", i.Number is { Length: > 0 } n ? $"第{n}项" : "—"));
            list.Add(("问题", i.Title));
            if (withMeasures && i.Measures is { Length: > 0 } m) list.Add(("整改措施", m));
        }
        if (Words.DeadlineZh(f) is { } due) list.Add(("整改时限", due));
        if (f.Item is { } it)
        {
            list.Add(("牵头单位", it.LeadUnitName));
            list.Add(("责任领导", it.LeaderName ?? "未指定"));
        }
        if (f.Payload.String("note") is { } note && f.Kind is not "decision") list.Add(("说明", note));
        list.Add(("查看详情", f.Link));
        return list;
    }

    private static List<(string Label, string Value)> ItemFieldsEn(MessageFacts f, bool withMeasures = false)
    {
        var list = CampaignFieldsEn(f);
        if (f.Item is { } i)
        {
            list.Add(("Item", i.Number is { Length: > 0 } n ? $"No. {n}: {i.Title}" : i.Title));
            if (withMeasures && i.Measures is { Length: > 0 } m) list.Add(("Measures", m));
        }
        if (Words.DeadlineEn(f) is { } due) list.Add(("Deadline", due));
        if (f.Item is { } it)
        {
            list.Add(("Lead unit", it.LeadUnitName));
            list.Add(("Responsible leader", it.LeaderName ?? "not set"));
        }
        if (f.Payload.String("note") is { } note && f.Kind is not "decision") list.Add(("Note", note));
        list.Add(("Details", f.Link));
        return list;
    }
}
