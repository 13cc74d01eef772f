namespace Rectify.Api.Infrastructure;

/// <summary>
/// A search text as a LIKE pattern that matches it literally anywhere: <c>%</c>, <c>_</c> and <c>\</c> in what a person
/// typed are escaped (PostgreSQL's default LIKE escape is the backslash), so <c>q=%</c> finds titles containing "%",
/// not every title.
/// </summary>
public static class SqlLike
{
    public static string? Contains(string? q) =>
        q is null ? null : "%" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
