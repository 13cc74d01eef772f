namespace Rectify.Api.Ui;

/// <summary>Instants shown in the campaign's zone (default Asia/Shanghai), minutes precision.</summary>
public static class Format
{
    public static string Local(DateTimeOffset? at, string timeZone = "Asia/Shanghai") =>
        at is { } v ? TimeZoneInfo.ConvertTime(v, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>A report cadence as a person says it (P1M → 每月, P2W → 每 2 周); anything else as it was written.</summary>
    public static string Cadence(string? iso, UiText t)
    {
        if (string.IsNullOrEmpty(iso)) return "";
        var m = System.Text.RegularExpressions.Regex.Match(iso, "^P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?$");
        var parts = new[] { (m.Groups[1], "每年", "每 {0} 年"), (m.Groups[2], "每月", "每 {0} 个月"), (m.Groups[3], "每周", "每 {0} 周"), (m.Groups[4], "每天", "每 {0} 天") }
            .Where(p => p.Item1.Success).ToList();
        if (!m.Success || parts.Count != 1) return iso;
        var (group, one, many) = parts[0];
        return group.Value == "1" ? t[one] : t.Format(many, group.Value);
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB",
    };
}
