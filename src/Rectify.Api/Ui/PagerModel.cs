using Microsoft.AspNetCore.WebUtilities;

namespace Rectify.Api.Ui;

/// <summary>Previous / next links that keep the page's other query parameters; <paramref name="Param"/> names the page number (a page with two lists pages each by its own).</summary>
public sealed record PagerModel(HttpRequest Request, int Page, int PageSize, long Total, string Param = "page")
{
    public const int DefaultSize = 20;

    /// <summary>The total is the database's estimate (a list too large to count on every page, issue 17): shown as 约.</summary>
    public bool Estimated { get; init; }

    public int Pages => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);

    public string Link(int page)
    {
        var query = QueryHelpers.ParseQuery(Request.QueryString.Value)
            .Where(kv => kv.Key != Param)
            .ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
        query[Param] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString(Request.Path, query);
    }
}
