namespace Rectify.Api.Features.Documents;

/// <summary>Chinese words for the wire vocabularies, as documents print them.</summary>
public static class Labels
{
    public static string State(string state) => state switch
    {
        "draft" => "未交办",
        "assigned" => "已交办",
        "inProgress" => "整改中",
        "closureRequested" => "申请销号",
        "closed" => "已销号",
        "returned" => "已退回",
        "pending" => "待报送",
        "submitted" => "已报送",
        "accepted" => "已通过",
        _ => state,
    };

    public static string Escalation(string level) => level switch
    {
        "none" => "",
        "urge" => "催办",
        "supervisionLetter" => "督办函",
        "listedSupervision" => "挂牌督办",
        "admonitoryTalk" => "约谈",
        "accountability" => "问责",
        _ => level,
    };

    /// <summary>2026年6月20日</summary>
    public static string Date(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";

    /// <summary>2026-06-20, as spreadsheets sort and the import reads back.</summary>
    public static string IsoDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
