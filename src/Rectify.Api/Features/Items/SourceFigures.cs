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

    /// <summary>
    /// The 'source' rows of a whole campaign's maintained aggregate (item_dashboard_counts, migration 0940: source and
    /// class closed / withdrawn / other), each with the first seq of its source (an index range), parameter
    /// <c>@campaignId</c>; folded by <see cref="FromAggregate"/>. Today's figures: closed means closed now.
    /// </summary>
    public const string AggregateSql = """
        select s.source, s.cls, s.n, f.first_seq as FirstSeq
        from (select source, state as cls, sum(n)::bigint as n from item_dashboard_counts
              where campaign_id = @campaignId and kind = 'source' group by 1, 2 having sum(n) <> 0) s
        left join lateral (select min(i.seq) as first_seq from items i where i.campaign_id = @campaignId and i.source = s.source) f on true
        """;

    /// <summary>One row of <see cref="AggregateSql"/>.</summary>
    public sealed record AggregateRow(string? Source, string Cls, long N, int? FirstSeq);

    /// <summary>The figures of <see cref="Of{T}"/> from the rows of <see cref="AggregateSql"/>, in the same order.</summary>
    public static IReadOnlyList<SourceFigure> FromAggregate(IReadOnlyList<AggregateRow> rows)
    {
        if (!rows.Any(s => s.Source is not null)) return [];
        return rows.GroupBy(s => s.Source ?? Unnamed, StringComparer.Ordinal)
            .Select(g => (First: g.Min(s => s.Source is null ? int.MaxValue : s.FirstSeq ?? int.MaxValue),
                Figure: new SourceFigure(g.Key, (int)g.Sum(s => s.N), (int)g.Where(s => s.Cls == "closed").Sum(s => s.N),
                    (int)g.Where(s => s.Cls == "other").Sum(s => s.N))))
            .OrderBy(x => x.Figure.Source == Unnamed).ThenBy(x => x.First)
            .Select(x => x.Figure).ToList();
    }
}
