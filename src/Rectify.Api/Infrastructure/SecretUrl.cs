namespace Rectify.Api.Infrastructure;

/// <summary>
/// Robot and webhook URLs carry their secret in the query (<c>key=</c>, <c>access_token=</c>) or, for Feishu, as the
/// last path segment. Answers show them masked; a masked value sent back means "keep the stored one".
/// </summary>
public static class SecretUrl
{
    public const string Stars = "****";

    public static string? Mask(string? url)
    {
        if (string.IsNullOrEmpty(url)) return url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return Stars;
        var segments = uri.AbsolutePath.Split('/');
        // A long last segment is a token (Feishu: /open-apis/bot/v2/hook/{token}).
        if (segments.Length > 1 && segments[^1].Length >= 16) segments[^1] = Stars;
        var query = uri.Query.Length <= 1 ? "" : "?" + string.Join("&", uri.Query[1..].Split('&').Select(pair =>
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? pair : pair[..(eq + 1)] + Stars;
        }));
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{uri.Scheme}://{uri.Host}{port}{string.Join('/', segments)}{query}";
    }

    public static bool IsMasked(string? url) => url?.Contains(Stars, StringComparison.Ordinal) == true;

    /// <summary>The stored URL when <paramref name="sent"/> is its masked form; otherwise what was sent.</summary>
    public static string? Keep(string? sent, string? stored) =>
        stored is not null && IsMasked(sent) && sent == Mask(stored) ? stored : sent;
}
