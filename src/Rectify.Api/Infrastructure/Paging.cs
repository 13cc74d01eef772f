namespace Rectify.Api.Infrastructure;

/// <summary>A page of a list: <c>{ items, total }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total);

/// <summary>page / pageSize of API.md: defaults 1 and 50, pageSize at most 500.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public int Offset => (Page - 1) * PageSize;

    public static Paging From(int? page, int? pageSize) =>
        new(Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? 50, 1, 500));
}
