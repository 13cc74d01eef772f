namespace Rectify.Api.Ui;

/// <summary>Instants shown in the campaign's zone (default Asia/Shanghai), minutes precision.</summary>
public static class Format
{
    public static string Local(DateTimeOffset? at, string timeZone = "Asia/Shanghai") =>
        at is { } v ? TimeZoneInfo.ConvertTime(v, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";

    public static string Local(DateTime? utc, string timeZone = "Asia/Shanghai") =>
        utc is { } v ? Local(new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)), timeZone) : "";

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB",
    };
}
