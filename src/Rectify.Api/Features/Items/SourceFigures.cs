namespace Rectify.Api.Features.Items;

/// <summary>
/// 清零 per source (issue 15.5): of the items found by one source (考核反馈, 审计 …), how many, how many closed, how many
/// still open. A source is cleared (已清零) when it has items and none is open; withdrawn items count as not open.
/// </summary>
public sealed record SourceFigure(string Source, int Total, int Closed, int Open)
{
    public const string Unnamed = "（未注明来源）";

    public bool Cleared => Total > 0 && Open == 0;

    public string ClosedShare => Total == 0 ? "—" : (100.0 * Closed / Total).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>
    /// One line per source in the order the sources first appear in the list, items without a source last; empty when
    /// no item names a source (the table is then left out).
    /// </summary>
    public static IReadOnlyList<SourceFigure> Of<T>(IEnumerable<T> items, Func<T, string?> source, Func<T, bool> closed, Func<T, bool> open)
    {
        var list = items.ToList();
        if (!list.Any(i => source(i) is not null)) return [];
        // GroupBy keeps the order in which the keys first appear; OrderBy is stable.
        return list.GroupBy(i => source(i) ?? Unnamed)
            .Select(g => new SourceFigure(g.Key, g.Count(), g.Count(closed), g.Count(open)))
            .OrderBy(f => f.Source == Unnamed)
            .ToList();
    }
}
