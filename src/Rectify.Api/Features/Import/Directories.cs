using System.Text;
using System.Text.RegularExpressions;

namespace Rectify.Api.Features.Import;

/// <summary>Units by code or by name, as written in a problem list.</summary>
public sealed partial class UnitDirectory
{
    private readonly Dictionary<string, string> byCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<string>> byName = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Code)> names = [];

    public UnitDirectory(IEnumerable<(string Code, string Name)> units)
    {
        foreach (var (code, name) in units)
        {
            byCode[code] = code;
            var key = Key(name);
            if (!byName.TryGetValue(key, out var list)) byName[key] = list = [];
            list.Add(code);
            names.Add((key, code));
        }
    }

    /// <summary>Splits a cell on 、，, ; ； / and line breaks. A token marked "（牵头）" is the lead unit.</summary>
    public static IReadOnlyList<(string Token, bool MarkedLead)> Split(string cell) =>
        Separators().Split(HeaderMatcher.Halfwidth(cell))
            .Select(t => t.Trim())
            .Where(t => t.Length > 0)
            .Select(t => (Token: LeadMark().Replace(t, "").Trim(), MarkedLead: LeadMark().IsMatch(t)))
            .Where(t => t.Token.Length > 0)
            .ToList();

    /// <summary>The unit code, or a Chinese reason: unknown, or a short name that fits several units.</summary>
    public (string? Code, string? Error) Resolve(string token)
    {
        if (byCode.TryGetValue(token, out var code)) return (code, null);
        var key = Key(token);
        if (byName.TryGetValue(key, out var exact))
            return exact.Count == 1 ? (exact[0], null) : (null, $"单位名称“{token}”对应多个单位，请改用单位代码");
        var withoutNote = Key(Bracketed().Replace(token, ""));
        if (withoutNote.Length > 0 && byName.TryGetValue(withoutNote, out exact) && exact.Count == 1) return (exact[0], null);
        // A short name ("扶贫办" for "县扶贫办") when exactly one unit's name ends with it.
        if (key.Length >= 2)
        {
            var suffix = names.Where(n => n.Name.EndsWith(key, StringComparison.Ordinal)).Select(n => n.Code).Distinct().ToList();
            if (suffix.Count == 1) return (suffix[0], null);
            if (suffix.Count > 1) return (null, $"单位名称“{token}”对应多个单位（{string.Join("、", suffix)}），请写全称或单位代码");
        }
        return (null, $"无法识别的单位“{token}”");
    }

    private static string Key(string name) => HeaderMatcher.Normalise(name);

    [GeneratedRegex(@"[、，,;；/\s]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"[(（]\s*牵头\s*[)）]")]
    private static partial Regex LeadMark();

    [GeneratedRegex(@"[(\[【〔][^)\]】〕]*[)\]】〕]")]
    private static partial Regex Bracketed();
}

/// <summary>People by name, for the 责任领导 column.</summary>
public sealed partial class LeaderDirectory(IEnumerable<(Guid Id, string Name)> people)
{
    private readonly ILookup<string, Guid> byName = people.ToLookup(p => Key(p.Name), p => p.Id);

    /// <summary>The names to look up for a cell: the first name listed, with and without a title in brackets.</summary>
    public static IEnumerable<string> Candidates(string cell)
    {
        var first = UnitDirectory.Split(cell).Select(t => t.Token).FirstOrDefault();
        if (first is null) yield break;
        yield return Key(first);
        var withoutNote = Key(Bracketed().Replace(first, ""));
        if (withoutNote.Length > 0) yield return withoutNote;
    }

    /// <summary>The person's id, or a Chinese reason: unknown or a name shared by several people.</summary>
    public (Guid? Id, string? Error) Resolve(string cell)
    {
        foreach (var name in Candidates(cell))
        {
            var ids = byName[name].Distinct().ToList();
            if (ids.Count == 1) return (ids[0], null);
            if (ids.Count > 1) return (null, $"责任领导“{name}”有 {ids.Count} 人同名，请先在人员管理中区分（如改名加注单位）");
        }
        return (null, $"人员中没有名为“{cell.Trim()}”的责任领导，请先在人员管理中添加");
    }

    internal static string Key(string name) => HeaderMatcher.Normalise(name);

    [GeneratedRegex(@"[(\[【〔][^)\]】〕]*[)\]】〕]")]
    private static partial Regex Bracketed();
}
