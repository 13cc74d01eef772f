namespace Rectify.Api.Ui;

/// <summary>
/// The UI's language. Chinese is the source text (and the key); English comes from <see cref="English"/> when the
/// visitor chose it (cookie <c>rectify.lang=en</c>). A missing translation shows the Chinese, never a blank.
/// </summary>
public sealed partial class UiText(IHttpContextAccessor accessor)
{
    public const string CookieName = "rectify.lang";

    public bool IsEnglish => accessor.HttpContext?.Request.Cookies[CookieName] == "en";

    public string Lang => IsEnglish ? "en" : "zh-CN";

    public string this[string chinese] =>
        IsEnglish && (English.TryGetValue(chinese, out var en) || TodoEnglish.TryGetValue(chinese, out en)) ? en : chinese;

    /// <summary>Picks one side of a bilingual message "中文 / English" (the API's convention).</summary>
    public string Pick(string? bilingual)
    {
        if (string.IsNullOrEmpty(bilingual)) return "";
        var cut = bilingual.IndexOf(" / ", StringComparison.Ordinal);
        if (cut < 0) return bilingual;
        return IsEnglish ? bilingual[(cut + 3)..] : bilingual[..cut];
    }

    public string Format(string chinese, params object?[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, this[chinese], args);
}
