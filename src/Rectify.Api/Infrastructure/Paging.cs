using System.Text.Json.Serialization;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// A page of a list: <c>{ items, total }</c>. A list that does not count every match of a large set says so with
/// <c>totalEstimated: true</c> (total is then the planner's estimate, at least the matches counted); a list read in key
/// order gives <c>next</c>, the value of <c>after</c> for the page that follows. Both are left out when they do not apply.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? TotalEstimated { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Next { get; init; }
}

/// <summary>page / pageSize of API.md: defaults 1 and 50, pageSize at most 500.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    /// <summary>Rows to skip, in 64 bits: page 2147483647 of 500 is far past any list (an empty page), never an overflow.</summary>
    public long Offset => (long)(Page - 1) * PageSize;

    public static Paging From(int? page, int? pageSize) =>
        new(Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? 50, 1, 500));

    /// <summary>
    /// A list made of parts one after another (kinds of 待办, levels of the inbox), each of <c>Count</c> rows: the parts this
    /// page falls in, with the rows to skip in each and how many to take from it.
    /// </summary>
    public IEnumerable<(T Part, long Offset, long Limit)> Cut<T>(IEnumerable<(T Part, long Count)> parts)
    {
        long skip = Offset, take = PageSize;
        foreach (var (part, count) in parts)
        {
            if (take == 0) yield break;
            if (skip >= count) { skip -= count; continue; }
            var here = Math.Min(take, count - skip);
            yield return (part, skip, here);
            (skip, take) = (0, take - here);
        }
    }
}
