using System.Text;
using System.Text.RegularExpressions;

namespace Rectify.Api.Features.Import;

/// <summary>The fields of a problem list and the column headers offices use for each.</summary>
public static class ImportFields
{
    public const string Number = "number";
    public const string Category = "category";
    public const string Title = "title";
    public const string Description = "description";
    public const string Measures = "measures";
    public const string Target = "target";
    public const string Leader = "responsibleLeader";
    public const string LeadUnit = "leadUnit";
    public const string Units = "units";
    public const string Deadline = "deadline";
    public const string Source = "source";

    /// <summary>Field → header synonyms; the first is the name the template and the ledger print.</summary>
    public static readonly IReadOnlyList<(string Field, string[] Headers)> Synonyms =
    [
        (Number, ["序号", "编号", "问题编号", "序"]),
        (Category, ["问题类别", "存在问题", "类别", "问题类型", "问题分类", "类型"]),
        (Title, ["反馈问题", "问题描述", "问题", "具体问题", "问题内容", "问题清单", "反馈问题描述", "主要问题"]),
        (Description, ["问题详情", "详细描述", "具体表现", "问题表现"]),
        (Measures, ["整改措施", "措施", "具体整改措施", "整改举措"]),
        (Target, ["整改目标", "目标", "目标任务", "整改目标任务"]),
        (Leader, ["责任领导", "牵头领导", "分管领导", "领导"]),
        (LeadUnit, ["牵头单位", "牵头部门", "牵头责任单位"]),
        (Units, ["责任单位", "责任部门", "配合单位", "配合部门", "协办单位", "责任主体"]),
        (Deadline, ["整改时限", "完成时限", "时限", "完成时间", "整改期限", "时限要求"]),
        (Source, ["问题来源", "来源", "问题出处", "发现渠道", "反馈来源"]),
    ];

    public static string HeaderOf(string field) => Synonyms.First(s => s.Field == field).Headers[0];
}

/// <summary>Where each field sits in a sheet: the header row, the first data row and column → field.</summary>
public sealed record HeaderMap(int HeaderRowIndex, int FirstDataRowIndex, IReadOnlyDictionary<int, string> Fields, IReadOnlyDictionary<int, string> Headers)
{
    private readonly ILookup<string, int> byField = Fields.OrderBy(f => f.Key).ToLookup(f => f.Value, f => f.Key);

    public IEnumerable<int> ColumnsOf(string field) => byField[field];
    public int? ColumnOf(string field) => byField[field].Cast<int?>().FirstOrDefault();
    public bool Has(string field) => byField.Contains(field);
}

/// <summary>
/// Finds the header row (a title row may sit above it) and matches headers tolerantly: whitespace, full-width
/// punctuation, an asterisk marking a required column, a note in brackets ("整改时限（完成时间）") are ignored.
/// A second header row under a merged "责任单位" (牵头单位 | 配合单位) refines the columns it names.
/// </summary>
public static partial class HeaderMatcher
{
    private const int RowsToScan = 20;

    private static readonly Dictionary<string, string> Lookup = ImportFields.Synonyms
        .SelectMany(s => s.Headers.Select(h => (h, s.Field)))
        .ToDictionary(p => p.h, p => p.Field);

    public static string? FieldOf(string header)
    {
        var key = Normalise(header);
        if (key.Length == 0) return null;
        if (Lookup.TryGetValue(key, out var field)) return field;
        var withoutNote = Bracketed().Replace(key, "");
        return withoutNote.Length > 0 && Lookup.TryGetValue(withoutNote, out field) ? field : null;
    }

    /// <summary>The best header row among the first rows: the one naming the most fields (the earliest on a tie).</summary>
    public static HeaderMap? Find(IReadOnlyList<RawRow> rows)
    {
        HeaderMap? best = null;
        var bestScore = 0;
        for (var index = 0; index < Math.Min(rows.Count, RowsToScan); index++)
        {
            var fields = Match(rows[index]);
            var score = fields.Values.Distinct().Count();
            if (score <= bestScore || score < 2) continue;
            bestScore = score;
            best = new HeaderMap(index, index + 1, fields, Headers(rows[index]));
        }
        if (best is null || best.FirstDataRowIndex >= rows.Count) return best;

        var next = rows[best.FirstDataRowIndex];
        var nonEmpty = next.Cells.Select((text, column) => (text, column)).Where(c => c.text.Length > 0).ToList();
        var sub = Match(next);
        if (sub.Count == 0 || sub.Count != nonEmpty.Count) return best;
        var fieldsMerged = new Dictionary<int, string>(best.Fields);
        var headers = new Dictionary<int, string>(best.Headers);
        foreach (var (column, field) in sub)
        {
            fieldsMerged[column] = field;
            headers[column] = next.Cell(column);
        }
        return new HeaderMap(best.HeaderRowIndex, best.FirstDataRowIndex + 1, fieldsMerged, headers);
    }

    /// <summary>A row that names three or more fields and holds nothing else is a header (repeated on a continued table).</summary>
    public static bool IsHeaderRow(RawRow row)
    {
        var fields = Match(row);
        return fields.Values.Distinct().Count() >= 3 && fields.Count == row.Cells.Count(c => c.Length > 0);
    }

    private static Dictionary<int, string> Match(RawRow row)
    {
        var fields = new Dictionary<int, string>();
        for (var column = 0; column < row.Cells.Length; column++)
        {
            if (FieldOf(row.Cells[column]) is { } field) fields[column] = field;
        }
        return fields;
    }

    private static Dictionary<int, string> Headers(RawRow row) =>
        row.Cells.Select((text, column) => (text, column)).Where(c => c.text.Length > 0)
            .ToDictionary(c => c.column, c => Regex.Replace(c.text, @"\s+", ""));

    /// <summary>Full-width to half-width, no whitespace, no asterisks, colons or quotes.</summary>
    internal static string Normalise(string text)
    {
        var nfkc = Halfwidth(text);
        var sb = new StringBuilder(nfkc.Length);
        foreach (var c in nfkc)
        {
            if (char.IsWhiteSpace(c) || c is '*' or ':' or '"' or '“' or '”' or '\'') continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Full-width ASCII (Ａ１，；（）) and the ideographic space to their half-width forms: what NFKC does to the
    /// characters offices type, at a fraction of its cost on a 5,000-row list.
    /// </summary>
    internal static string Halfwidth(string text)
    {
        var n = 0;
        while (n < text.Length && text[n] is not ('\u3000' or (>= '\uFF01' and <= '\uFF5E'))) n++;
        if (n == text.Length) return text;
        var chars = text.ToCharArray();
        for (; n < chars.Length; n++)
        {
            if (chars[n] == '\u3000') chars[n] = ' ';
            else if (chars[n] is >= '\uFF01' and <= '\uFF5E') chars[n] = (char)(chars[n] - 0xFEE0);
        }
        return new string(chars);
    }

    [GeneratedRegex(@"[(\[【〔][^)\]】〕]*[)\]】〕]")]
    private static partial Regex Bracketed();
}
