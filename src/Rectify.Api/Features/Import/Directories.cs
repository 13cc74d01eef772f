using System.Text;
using System.Text.RegularExpressions;

namespace Rectify.Api.Features.Import;

/// <summary>
/// What one responsible-unit token of a cell became: units, and the group when it was a collective name; or an error,
/// with the units the office may pick from when the name is ambiguous or indefinite.
/// </summary>
public sealed record UnitResolution(IReadOnlyList<string> Codes, string? Group, string? Error, IReadOnlyList<string>? Candidates = null);

/// <summary>A collective name as the import read it: 各乡镇党委、政府 → group 乡镇 → its units.</summary>
public sealed record CollectiveName(string Name, string Group, IReadOnlyList<string> Units);

/// <summary>
/// Units by code, name, alias or short name, and collective names (issue 15.2): 各乡镇, 各乡（镇）党委、政府, 县直各部门,
/// 领导小组各成员单位, 各挂钩单位 expand to the units of the group of that name (or alias). Without such a group 乡镇
/// means every unit of kind township and 县直部门 every unit of kind department (API.md). An indefinite name
/// (县直相关部门, 有关单位) is an error naming the candidates.
/// </summary>
public sealed partial class UnitDirectory
{
    private const int CandidatesShown = 12;
    private readonly Dictionary<string, string> byCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<string>> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> byAlias = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Code)> names = [];
    private readonly Dictionary<string, string> nameOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> byKind = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Group, IReadOnlyList<string> Units)> groupKeys = [];

    public UnitDirectory(IEnumerable<(string Code, string Name)> units) : this(units.Select(u => (u.Code, u.Name, "other")), [], []) { }

    public UnitDirectory(IEnumerable<(string Code, string Name, string Kind)> units, IEnumerable<(string Name, string[] Aliases, string[] Units)> groups,
        IEnumerable<(string Alias, string Code)> aliases)
    {
        foreach (var (code, name, kind) in units)
        {
            byCode[code] = code;
            nameOf[code] = name;
            var key = Key(name);
            if (!byName.TryGetValue(key, out var list)) byName[key] = list = [];
            list.Add(code);
            names.Add((key, code));
            if (!byKind.TryGetValue(kind, out var ofKind)) byKind[kind] = ofKind = [];
            ofKind.Add(code);
        }
        foreach (var (alias, code) in aliases) byAlias[Key(alias)] = code;
        foreach (var (name, groupAliases, members) in groups)
        {
            foreach (var key in groupAliases.Prepend(name).Select(CollectiveKey).Where(k => k.Length > 0).Distinct())
                groupKeys.Add((key, name, members));
        }
    }

    /// <summary>Splits a cell on 、，, ; ； / and line breaks. A token marked "（牵头）" is the lead unit. "党委、政府" stays one token.</summary>
    public static IReadOnlyList<(string Token, bool MarkedLead)> Split(string cell) =>
        Separators().Split(PartyAndGovernment().Replace(HeaderMatcher.Halfwidth(cell), "党委政府"))
            .Select(t => t.Trim())
            .Where(t => t.Length > 0)
            .Select(t => (Token: LeadMark().Replace(t, "").Trim(), MarkedLead: LeadMark().IsMatch(t)))
            .Where(t => t.Token.Length > 0)
            .ToList();

    public string NameOf(string code) => nameOf.GetValueOrDefault(code, code);

    /// <summary>The unit(s) a token means, or a Chinese reason: unknown, ambiguous, indefinite, or a collective name without a group.</summary>
    public UnitResolution Resolve(string token)
    {
        if (byCode.TryGetValue(token, out var code)) return One(code);
        var key = Key(token);
        if (byName.TryGetValue(key, out var exact))
            return exact.Count == 1 ? One(exact[0]) : Fail($"单位名称“{token}”对应多个单位，请改用单位代码", exact);
        if (byAlias.TryGetValue(key, out code)) return One(code);
        var withoutNote = Key(Bracketed().Replace(token, ""));
        if (withoutNote.Length > 0 && byName.TryGetValue(withoutNote, out exact) && exact.Count == 1) return One(exact[0]);
        if (withoutNote.Length > 0 && byAlias.TryGetValue(withoutNote, out code)) return One(code);

        if (Indefinite().IsMatch(key)) return IndefiniteName(token, key);
        var collective = CollectiveKey(token);
        if (collective.Length > 0 && (key.Contains('各') || key.EndsWith("成员单位", StringComparison.Ordinal) || groupKeys.Any(g => g.Key == collective)))
            return Collective(token, collective);

        // A short name ("扶贫办" for "县扶贫办") when exactly one unit's name ends with it.
        if (key.Length >= 2)
        {
            var suffix = names.Where(n => n.Name.EndsWith(key, StringComparison.Ordinal)).Select(n => n.Code).Distinct().ToList();
            if (suffix.Count == 1) return One(suffix[0]);
            if (suffix.Count > 1) return Fail($"单位名称“{token}”对应多个单位（{Names(suffix)}），请写全称或单位代码", suffix);
        }
        return Fail($"无法识别的单位“{token}”");
    }

    private UnitResolution Collective(string token, string collective)
    {
        var matches = groupKeys.Where(g => g.Key == collective).ToList();
        if (matches.Count == 0)
            matches = groupKeys.Where(g => g.Key.EndsWith(collective, StringComparison.Ordinal) || collective.EndsWith(g.Key, StringComparison.Ordinal)).ToList();
        var groups = matches.Select(m => m.Group).Distinct().ToList();
        if (groups.Count > 1)
            return Fail($"“{token}”可以指多个单位分组（{string.Join("、", groups)}），请写明分组名称或具体单位");
        if (groups.Count == 1)
        {
            var units = matches[0].Units;
            return units.Count > 0 ? new UnitResolution(units, groups[0], null) : Fail($"“{token}”对应的单位分组“{groups[0]}”中还没有单位，请先在单位分组中添加");
        }
        var kind = collective switch
        {
            "乡镇" or "乡" or "镇" or "乡镇街道" => "township",
            "县直部门" or "县级部门" or "部门" or "县直单位" => "department",
            _ => null,
        };
        if (kind is not null && byKind.TryGetValue(kind, out var ofKind) && ofKind.Count > 0)
            return new UnitResolution(ofKind, kind == "township" ? "乡镇（全部乡镇类单位）" : "县直部门（全部部门类单位）", null);
        return Fail($"“{token}”是集合名称，但没有名为“{collective}”的单位分组，请先在“单位分组”中设置，或改写为具体单位");
    }

    private UnitResolution IndefiniteName(string token, string key)
    {
        var candidates = key.Contains("乡镇", StringComparison.Ordinal) || key.EndsWith('镇') || key.EndsWith('乡') ? byKind.GetValueOrDefault("township")
            : key.Contains("部门", StringComparison.Ordinal) ? byKind.GetValueOrDefault("department")
            : null;
        candidates ??= [.. byCode.Values];
        var shown = candidates.Count > CandidatesShown ? Names(candidates.Take(CandidatesShown)) + $" 等 {candidates.Count} 个" : Names(candidates);
        return Fail($"“{token}”没有指明具体单位，请改写为具体单位或单位分组（可选：{shown}）", candidates);
    }

    private string Names(IEnumerable<string> codes) => string.Join("、", codes.Select(NameOf));

    private static UnitResolution One(string code) => new([code], null, null);

    private static UnitResolution Fail(string error, IReadOnlyList<string>? candidates = null) => new([], null, error, candidates);

    /// <summary>True when <paramref name="code"/> is a unit's code.</summary>
    public bool Exists(string code) => byCode.ContainsKey(code);

    private static string Key(string name) => HeaderMatcher.Normalise(name);

    /// <summary>"各乡（镇）党委、政府" → "乡镇", "县直各部门" → "县直部门", "县扶贫开发领导小组各成员单位" → "县扶贫开发领导小组成员单位".</summary>
    internal static string CollectiveKey(string name)
    {
        var key = Key(PartyAndGovernment().Replace(HeaderMatcher.Halfwidth(name), "党委政府"));
        key = key.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal).Replace("各", "", StringComparison.Ordinal);
        key = GovernmentSuffix().Replace(key, "");
        return key;
    }

    [GeneratedRegex(@"[、，,;；/\s]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"党委\s*[、，,和及与]\s*(?:人民)?政府")]
    private static partial Regex PartyAndGovernment();

    [GeneratedRegex(@"(?:党委政府|党委|人民政府|政府)$")]
    private static partial Regex GovernmentSuffix();

    [GeneratedRegex(@"相关|有关")]
    private static partial Regex Indefinite();

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
