using System.Text.RegularExpressions;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Import;

/// <summary>One problem in an import: the spreadsheet row, the API field, the cell ("F5") and a Chinese message naming it.</summary>
public sealed record ImportError(int Row, string Field, string? Cell, string Message)
{
    /// <summary>For an ambiguous or indefinite unit name: the name as written in the cell.</summary>
    public string? Name { get; init; }

    /// <summary>For an ambiguous or indefinite unit name: the units the office may pick from (the preview offers them).</summary>
    public IReadOnlyList<UnitChoice>? Candidates { get; init; }
}

/// <summary>A unit the office may pick for a name.</summary>
public sealed record UnitChoice(string Code, string Name);

/// <summary>The office's pick for an ambiguous or indefinite name in one cell: <c>{cell: "E5", name: "县直相关部门", units: [codes]}</c>.</summary>
public sealed record ImportChoice(string? Cell, string? Name, IReadOnlyList<string?>? Units);

/// <summary>One row that becomes an item, with the collective names (and picks) its unit cells held.</summary>
public sealed record PlannedItem(int Row, ValidItem Item, IReadOnlyList<CollectiveName> Collectives);

/// <summary>A sheet row as the mapper saw it: <c>item</c>, <c>banner</c> (a category heading the rows below) or <c>header</c> (repeated).</summary>
public sealed record MappedRow(RawRow Raw, string Kind, PlannedItem? Item);

/// <summary>
/// What an import produced: the items (with their deadline texts, milestones and sources), the collective names met
/// and what they became, the rows as read (for the preview) — and the errors that stop it. Items are written only
/// when there is no error (all rows or none).
/// </summary>
public sealed record ImportPlan(IReadOnlyList<PlannedItem> Items, IReadOnlyList<ImportError> Errors, IReadOnlyList<CollectiveName> Collectives, IReadOnlyList<MappedRow> Rows)
{
    public ImportPlan(IReadOnlyList<ImportError> errors) : this([], errors, [], []) { }
}

/// <summary>What the mapper resolves names and dates against.</summary>
public sealed record MapContext(UnitDirectory Units, LeaderDirectory Leaders, DeadlineContext Deadlines, IReadOnlyList<string> Sources, IReadOnlyList<ImportChoice> Choices);

/// <summary>
/// Turns sheet rows into validated items: header matching, category banners, units by code or name, the responsible
/// leader by name, deadline texts, dated steps in the measures (milestones), the source; then the same field
/// validation as <c>POST /api/campaigns/{id}/items</c>.
/// </summary>
public static partial class ImportMapper
{
    public const int MaxErrors = 500;
    private const int TitleLength = 500;

    public static ImportPlan Map(IReadOnlyList<RawRow> rows, HeaderMap header, MapContext context)
    {
        var errors = new List<ImportError>();
        var items = new List<PlannedItem>();
        var mapped = new List<MappedRow>();
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
        if (errors.Count > 0) return new ImportPlan(errors);

        string? banner = null;
        string? category = null;
        var collectives = new Dictionary<string, CollectiveName>(StringComparer.Ordinal);
        for (var index = header.FirstDataRowIndex; index < rows.Count && errors.Count < MaxErrors; index++)
        {
            var row = rows[index];
            var filled = row.Cells.Select((text, column) => (text, column)).Where(c => c.text.Length > 0).ToList();
            if (filled.Count == 0) continue;
            // A header repeated (a Word table continued on the next page, lists pasted together) is not an item.
            if (HeaderMatcher.IsHeaderRow(row)) { mapped.Add(new MappedRow(row, "header", null)); continue; }
            if (IsBanner(filled, header))
            {
                banner = filled[0].text;
                category = null;
                mapped.Add(new MappedRow(row, "banner", null));
                continue;
            }
            // A category written once above the rows it heads (a merged cell saved as CSV) applies until the next one.
            var original = row;
            if (header.ColumnOf(ImportFields.Category) is { } categoryColumn)
            {
                if (row.Cell(categoryColumn).Length > 0) category = row.Cell(categoryColumn);
                else if (category is not null) row = row with { Cells = WithCell(row.Cells, categoryColumn, category) };
            }
            var rowCollectives = new List<CollectiveName>();
            var item = MapRow(row, header, context, banner, errors, rowCollectives);
            foreach (var c in rowCollectives) collectives.TryAdd(c.Name, c);
            var planned = item is null ? null : new PlannedItem(row.Number, item, rowCollectives);
            if (planned is not null) items.Add(planned);
            mapped.Add(new MappedRow(original, "item", planned));
        }
        if (errors.Count == 0 && items.Count == 0)
            errors.Add(new ImportError(headerRow, "file", null, $"第{headerRow}行表头以下没有问题数据 / no rows under the header"));
        return new ImportPlan(items, errors, [.. collectives.Values], mapped);
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

    private static ValidItem? MapRow(RawRow row, HeaderMap header, MapContext context, string? banner, List<ImportError> errors, List<CollectiveName> collectives)
    {
        var (units, leaders, deadlines) = (context.Units, context.Leaders, context.Deadlines);
        var before = errors.Count;
        string Cell(string field) => header.ColumnOf(field) is { } c ? row.Cell(c) : "";
        string At(int column) => SheetReader.ColumnName(column) + row.Number;
        void Fail(string field, string sourceField, string message, int? at = null, string? token = null, IReadOnlyList<string>? candidates = null)
        {
            var column = at ?? header.ColumnOf(sourceField);
            var name = column is { } c && header.Headers.TryGetValue(c, out var h) ? h : ImportFields.HeaderOf(sourceField);
            var cell = column is { } col ? At(col) : null;
            errors.Add(new ImportError(row.Number, field, cell, cell is null ? $"第{row.Number}行 {name}：{message}" : $"第{row.Number}行 {name}（{cell}）：{message}")
            {
                Name = token, Candidates = candidates?.Select(code => new UnitChoice(code, units.NameOf(code))).ToList(),
            });
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
            var resolution = Picked(At(column), token) ?? units.Resolve(token);
            if (resolution.Error is { } error)
            {
                Fail(isLead && leadTokens.Any(t => t.Column == column) ? "leadUnit" : "units", header.Fields[column], error, column, token, resolution.Candidates);
                continue;
            }
            if (resolution.Group is { } group)
            {
                if (!collectives.Any(c => c.Name == token)) collectives.Add(new CollectiveName(token, group, resolution.Codes));
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

        var (steps, stepsError) = MilestoneFinder.Find(Cell(ImportFields.Measures), deadline?.Date, deadlines);
        if (stepsError is not null) Fail("measures", ImportFields.Measures, stepsError);
        foreach (var step in steps)
        {
            if (deadlines.ReachBasis is { } stepBasis && Reach.DateProblem(step.Date, stepBasis) is { } stepReach)
                Fail("measures", ImportFields.Measures, $"阶段性节点“{step.Text}”：{stepReach}");
        }

        string? source = null;
        if (Cell(ImportFields.Source).Trim() is { Length: > 0 } sourceCell)
        {
            source = SourcesApi.Match(sourceCell, context.Sources);
            if (source is null)
                Fail("source", ImportFields.Source, $"无法识别的问题来源“{sourceCell}”（可选：{string.Join("、", context.Sources)}；其他来源请先在“问题来源”中添加）");
        }

        var category = OneLine(Cell(ImportFields.Category));
        var request = new ItemRequest(
            OneLine(Cell(ImportFields.Number)), category.Length > 0 ? category : banner, problem, description,
            Cell(ImportFields.Measures), Cell(ImportFields.Target), leaderId, lead ?? "", codes,
            deadline?.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), deadline?.Ongoing ?? false, deadline?.ReportEvery, null,
            Source: source);
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        foreach (var (field, messages) in v.Errors)
        {
            // Deadline and unit problems were already reported in the words of the sheet.
            if (field is "deadline" or "leadUnit" || field.StartsWith("units", StringComparison.Ordinal)) continue;
            var column = field switch
            {
                "number" => ImportFields.Number,
                "category" => ImportFields.Category,
                "title" => ImportFields.Title,
                "description" => ImportFields.Description,
                "measures" => ImportFields.Measures,
                "target" => ImportFields.Target,
                "source" => ImportFields.Source,
                _ => ImportFields.Title
            };
            foreach (var message in messages) Fail(field, column, field == "title" && message.StartsWith("必填", StringComparison.Ordinal) ? "问题内容为空" : message);
        }
        var text = Cell(ImportFields.Deadline).Trim();
        return errors.Count == before
            ? item with { DeadlineText = text.Length > 0 ? text : null, Milestones = [.. steps.Select(m => new ItemMilestone(m.Date, m.Text))] }
            : null;

        // The office's pick for this name in this cell (the preview's choice): those units, as if a group named them.
        UnitResolution? Picked(string cell, string token)
        {
            var choice = context.Choices.FirstOrDefault(c => c.Cell == cell && c.Name == token);
            if (choice is null) return null;
            var codes = (choice.Units ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u!.Trim()).Distinct().ToList();
            var unknown = codes.Where(c => !units.Exists(c)).ToList();
            if (codes.Count == 0) return new UnitResolution([], null, $"为“{token}”选定的单位为空，请至少选择一个单位");
            if (unknown.Count > 0) return new UnitResolution([], null, $"为“{token}”选定的单位 {string.Join("、", unknown)} 不存在");
            return codes.Count == 1 ? new UnitResolution(codes, null, null) : new UnitResolution(codes, "导入时选定", null);
        }
    }

    /// <summary>Cells broken over lines with Alt+Enter become one line for the single-line fields.</summary>
    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"^[\d.]+$")]
    private static partial Regex RowNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
