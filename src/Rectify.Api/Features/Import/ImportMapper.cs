using System.Text.RegularExpressions;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Import;

/// <summary>One problem in an import: the spreadsheet row, the API field, the cell ("F5") and a Chinese message naming it.</summary>
public sealed record ImportError(int Row, string Field, string? Cell, string Message);

/// <summary>
/// What an import produced: items ready for <see cref="ItemWriter"/> with each one's deadline text as written, the
/// collective names met and what they became — or the errors that stop it.
/// </summary>
public sealed record ImportPlan(IReadOnlyList<ValidItem> Items, IReadOnlyList<ImportError> Errors, IReadOnlyList<string?> DeadlineTexts, IReadOnlyList<CollectiveName> Collectives)
{
    public ImportPlan(IReadOnlyList<ValidItem> items, IReadOnlyList<ImportError> errors) : this(items, errors, [], []) { }
}

/// <summary>
/// Turns sheet rows into validated items: header matching, category banners, units by code or name, the responsible
/// leader by name, deadline texts; then the same field validation as <c>POST /api/campaigns/{id}/items</c>.
/// </summary>
public static partial class ImportMapper
{
    public const int MaxErrors = 500;
    private const int TitleLength = 500;

    public static ImportPlan Map(IReadOnlyList<RawRow> rows, HeaderMap header, UnitDirectory units, LeaderDirectory leaders, DeadlineContext deadlines)
    {
        var errors = new List<ImportError>();
        var items = new List<ValidItem>();
        var headerRow = rows[header.HeaderRowIndex].Number;
        foreach (var (field, alternatives) in new[]
                 {
                     (ImportFields.Title, new[] { ImportFields.Title }),
                     (ImportFields.Deadline, [ImportFields.Deadline]),
                     (ImportFields.Units, [ImportFields.LeadUnit, ImportFields.Units]),
                 })
        {
            if (alternatives.Any(header.Has)) continue;
            var names = string.Join("、", ImportFields.Synonyms.Where(s => alternatives.Contains(s.Field)).SelectMany(s => s.Headers).Select(h => $"“{h}”"));
            errors.Add(new ImportError(headerRow, field, null, $"第{headerRow}行 表头：缺少必需的列“{ImportFields.HeaderOf(alternatives[0])}”（可用列名：{names}）"));
        }
        if (errors.Count > 0) return new ImportPlan([], errors);

        string? banner = null;
        string? category = null;
        var texts = new List<string?>();
        var collectives = new Dictionary<string, CollectiveName>(StringComparer.Ordinal);
        for (var index = header.FirstDataRowIndex; index < rows.Count && errors.Count < MaxErrors; index++)
        {
            var row = rows[index];
            var filled = row.Cells.Select((text, column) => (text, column)).Where(c => c.text.Length > 0).ToList();
            if (filled.Count == 0) continue;
            // A header repeated (a Word table continued on the next page, lists pasted together) is not an item.
            if (HeaderMatcher.IsHeaderRow(row)) continue;
            if (IsBanner(filled, header))
            {
                banner = filled[0].text;
                category = null;
                continue;
            }
            // A category written once above the rows it heads (a merged cell saved as CSV) applies until the next one.
            if (header.ColumnOf(ImportFields.Category) is { } categoryColumn)
            {
                if (row.Cell(categoryColumn).Length > 0) category = row.Cell(categoryColumn);
                else if (category is not null) row = row with { Cells = WithCell(row.Cells, categoryColumn, category) };
            }
            var item = MapRow(row, header, units, leaders, deadlines, banner, errors, collectives);
            if (item is not null)
            {
                items.Add(item);
                texts.Add(header.ColumnOf(ImportFields.Deadline) is { } d && row.Cell(d).Trim() is { Length: > 0 } t ? t : null);
            }
        }
        if (errors.Count == 0 && items.Count == 0)
            errors.Add(new ImportError(headerRow, "file", null, $"第{headerRow}行表头以下没有问题数据 / no rows under the header"));
        return errors.Count == 0 ? new ImportPlan(items, errors, texts, [.. collectives.Values]) : new ImportPlan([], errors, [], []);
    }

    private static string[] WithCell(string[] cells, int column, string value)
    {
        var copy = new string[Math.Max(cells.Length, column + 1)];
        Array.Fill(copy, "");
        cells.CopyTo(copy, 0);
        copy[column] = value;
        return copy;
    }

    /// <summary>"一、责任落实方面": one value merged across the row, or alone outside the problem column, heads the rows below.</summary>
    private static bool IsBanner(List<(string text, int column)> filled, HeaderMap header)
    {
        if (filled.Select(c => c.text).Distinct().Count() != 1) return false;
        if (filled.Count >= 2) return true;
        // Alone in the first column (where a CSV saved from a merged banner puts it) it must not be a bare row number.
        return !header.ColumnsOf(ImportFields.Title).Contains(filled[0].column) && !header.ColumnsOf(ImportFields.Deadline).Contains(filled[0].column)
               && !RowNumber().IsMatch(filled[0].text);
    }

    private static ValidItem? MapRow(
        RawRow row, HeaderMap header, UnitDirectory units, LeaderDirectory leaders, DeadlineContext deadlines, string? banner, List<ImportError> errors,
        Dictionary<string, CollectiveName> collectives)
    {
        var before = errors.Count;
        string Cell(string field) => header.ColumnOf(field) is { } c ? row.Cell(c) : "";
        string At(int column) => SheetReader.ColumnName(column) + row.Number;
        void Fail(string field, string sourceField, string message, int? at = null)
        {
            var column = at ?? header.ColumnOf(sourceField);
            var name = column is { } c && header.Headers.TryGetValue(c, out var h) ? h : ImportFields.HeaderOf(sourceField);
            var cell = column is { } col ? At(col) : null;
            errors.Add(new ImportError(row.Number, field, cell, cell is null ? $"第{row.Number}行 {name}：{message}" : $"第{row.Number}行 {name}（{cell}）：{message}"));
        }

        var problem = OneLine(Cell(ImportFields.Title));
        var description = Cell(ImportFields.Description);
        if (problem.Length > TitleLength)
        {
            if (description.Length == 0) description = Cell(ImportFields.Title).Trim();
            problem = problem[..(TitleLength - 1)] + "…";
        }

        // Units: the lead-unit column, then every responsible/cooperating column; "（牵头）" marks the lead.
        var leadTokens = header.ColumnsOf(ImportFields.LeadUnit).SelectMany(c => UnitDirectory.Split(row.Cell(c)).Select(t => (t.Token, Lead: true, Column: c))).ToList();
        var unitTokens = header.ColumnsOf(ImportFields.Units).SelectMany(c => UnitDirectory.Split(row.Cell(c)).Select(t => (t.Token, Lead: t.MarkedLead, Column: c))).ToList();
        string? lead = null;
        var codes = new List<string>();
        foreach (var (token, isLead, column) in leadTokens.Concat(unitTokens))
        {
            var resolution = units.Resolve(token);
            if (resolution.Error is { } error)
            {
                Fail(isLead && leadTokens.Any(t => t.Column == column) ? "leadUnit" : "units", header.Fields[column], error, column);
                continue;
            }
            if (resolution.Group is { } group)
            {
                collectives.TryAdd(token, new CollectiveName(token, group, resolution.Codes));
                if (isLead && leadTokens.Any(t => t.Column == column) && lead is null)
                {
                    Fail("leadUnit", header.Fields[column], $"牵头单位应为一个具体单位，“{token}”是集合名称（{resolution.Codes.Count} 个单位），请写在责任单位中", column);
                    continue;
                }
                foreach (var member in resolution.Codes) if (member != lead && !codes.Contains(member)) codes.Add(member);
                continue;
            }
            var code = resolution.Codes[0];
            if (isLead && lead is null) lead = code;
            else if (!codes.Contains(code)) codes.Add(code);
        }
        if (lead is null && codes.Count > 0) lead = codes[0];
        if (lead is null && errors.Count == before)
            Fail("leadUnit", header.Has(ImportFields.LeadUnit) ? ImportFields.LeadUnit : ImportFields.Units, "请填写牵头单位或责任单位");
        if (lead is not null && !header.Has(ImportFields.LeadUnit) && !codes.Contains(lead)) codes.Insert(0, lead);

        Guid? leaderId = null;
        var leaderCell = Cell(ImportFields.Leader);
        if (leaderCell.Length > 0)
        {
            var (id, error) = leaders.Resolve(leaderCell);
            if (id is null) Fail("responsibleLeaderId", ImportFields.Leader, error!);
            leaderId = id;
        }

        var (deadline, deadlineError) = DeadlineParser.Parse(Cell(ImportFields.Deadline), deadlines);
        if (deadlineError is not null) Fail("deadline", ImportFields.Deadline, deadlineError);
        // The same reach as POST /api/campaigns/{id}/items (issue 19): a year-9999 or a 1999 deadline is refused here,
        // in the words of the sheet, instead of being written and breaking the schedule later.
        else if (deadline?.Date is { } date && deadlines.ReachBasis is { } basis && Reach.DateProblem(date, basis) is { } reach)
            Fail("deadline", ImportFields.Deadline, $"“{Cell(ImportFields.Deadline).Trim()}”：{reach}");

        var category = OneLine(Cell(ImportFields.Category));
        var request = new ItemRequest(
            OneLine(Cell(ImportFields.Number)), category.Length > 0 ? category : banner, problem, description,
            Cell(ImportFields.Measures), Cell(ImportFields.Target), leaderId, lead ?? "", codes,
            deadline?.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), deadline?.Ongoing ?? false, deadline?.ReportEvery, null);
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        foreach (var (field, messages) in v.Errors)
        {
            // Deadline and unit problems were already reported in the words of the sheet.
            if (field is "deadline" or "leadUnit" || field.StartsWith("units", StringComparison.Ordinal)) continue;
            var source = field switch { "number" => ImportFields.Number, "category" => ImportFields.Category, "title" => ImportFields.Title,
                "description" => ImportFields.Description, "measures" => ImportFields.Measures, "target" => ImportFields.Target, _ => ImportFields.Title };
            foreach (var message in messages) Fail(field, source, field == "title" && message.StartsWith("必填", StringComparison.Ordinal) ? "问题内容为空" : message);
        }
        return errors.Count == before ? item : null;
    }

    /// <summary>Cells broken over lines with Alt+Enter become one line for the single-line fields.</summary>
    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"^[\d.]+$")]
    private static partial Regex RowNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
