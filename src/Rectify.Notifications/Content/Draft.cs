using System.Globalization;

namespace Rectify.Notifications.Content;

/// <summary>One language's version of a message: subject tag and title, opening sentence, labelled facts, closing.</summary>
public sealed record Version(string Tag, string Title, string Lead, IReadOnlyList<(string Label, string Value)> Fields, string? Closing)
{
    public string Subject => Tag + Title;
}

/// <summary>A message in Chinese with its English alternative.</summary>
public sealed record Draft(Version Zh, Version En);

/// <summary>How dates and counts read in each language.</summary>
public static class Words
{
    public static string Zh(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";
    public static string ZhShort(DateOnly d) => $"{d.Month}月{d.Day}日";
    public static string En(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string? Zh(DateOnly? d) => d is { } v ? Zh(v) : null;

    /// <summary>"2026年7月1日 09:30" in the campaign's time zone.</summary>
    public static string ZhTime(DateTimeOffset at, string? zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(zone ?? "Asia/Shanghai"));
        return $"{Zh(DateOnly.FromDateTime(local.DateTime))} {local:HH:mm}";
    }

    public static string EnTime(DateTimeOffset at, string? zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(zone ?? "Asia/Shanghai"));
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }
    public static string? En(DateOnly? d) => d is { } v ? En(v) : null;

    public static string ItemLabelZh(ItemFacts? item) =>
        item is null ? "" : item.Number is { Length: > 0 } n ? $"第{n}项“{Clip(item.Title, 40)}”" : $"“{Clip(item.Title, 40)}”";

    public static string ItemLabelEn(ItemFacts? item) =>
        item is null ? "" : item.Number is { Length: > 0 } n ? $"item {n} \"{Clip(item.Title, 40)}\"" : $"\"{Clip(item.Title, 40)}\"";

    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static string PhaseZh(string? key) => key switch
    {
        "plan" => "制定方案",
        "rectify" => "集中整改",
        "supervise" => "督导整改",
        "report" => "信息报送",
        null => "工作",
        _ => key,
    };

    public static string PhaseEn(string? key) => key switch
    {
        "plan" => "planning",
        "rectify" => "rectification",
        "supervise" => "supervision",
        "report" => "reporting",
        null => "work",
        _ => key,
    };

    public static string LevelZh(string? level) => level switch
    {
        "urge" => "催办",
        "supervisionLetter" => "督办函",
        "listedSupervision" => "挂牌督办",
        "admonitoryTalk" => "约谈",
        _ => "提醒",
    };

    public static string LevelEn(string? level) => level switch
    {
        "urge" => "urging",
        "supervisionLetter" => "supervision letter",
        "listedSupervision" => "listed supervision",
        "admonitoryTalk" => "admonitory talk",
        _ => "reminder",
    };

    /// <summary>"2026年6月10日（剩余3个工作日）" or "…（已逾期5天，其中3个工作日）" or "长期坚持".</summary>
    public static string? DeadlineZh(MessageFacts f)
    {
        if (f.Item is { Ongoing: true } && f.Deadline is null) return "长期坚持";
        if (f.Deadline is not { } d) return null;
        if (f.OverdueDays is > 0 and var od)
            return f.WorkingDaysOverdue is { } w ? $"{Zh(d)}（已逾期{od}天，其中{w}个工作日）" : $"{Zh(d)}（已逾期{od}天）";
        if (f.WorkingDaysLeft is { } left)
            return left == 0 ? $"{Zh(d)}（今日到期）" : $"{Zh(d)}（剩余{left}个工作日）";
        return Zh(d);
    }

    public static string? DeadlineEn(MessageFacts f)
    {
        if (f.Item is { Ongoing: true } && f.Deadline is null) return "ongoing";
        if (f.Deadline is not { } d) return null;
        if (f.OverdueDays is > 0 and var od)
            return f.WorkingDaysOverdue is { } w ? $"{En(d)} ({od} days overdue, {w} working days)" : $"{En(d)} ({od} days overdue)";
        if (f.WorkingDaysLeft is { } left)
            return left == 0 ? $"{En(d)} (due today)" : $"{En(d)} ({left} working days left)";
        return En(d);
    }
}
