using Rectify.Api.Features.Items;

namespace Rectify.Api.Features.Import;

/// <summary>A column of the list: its letter, its header as written and the field it was read as.</summary>
public sealed record PreviewColumn(string Column, string Header, string Field);

/// <summary>What one row will become (API.md import dry run): units resolved to names, the deadline as read beside its text.</summary>
public sealed record PreviewItem(
    string? Number, string? Category, string Title, string? Source, UnitChoice LeadUnit, IReadOnlyList<UnitChoice> Units,
    DateOnly? Deadline, string? DeadlineText, bool Ongoing, string? ReportEvery, IReadOnlyList<ItemMilestone> Milestones,
    bool HasResponsibleLeader, IReadOnlyList<CollectiveName> Collectives);

/// <summary>A sheet row in the preview: its cells as written, what it became (<c>kind</c> item, banner or header) and its errors.</summary>
public sealed record PreviewRow(int Row, string Kind, IReadOnlyList<string> Cells, PreviewItem? Item, IReadOnlyList<ImportError> Errors);

/// <summary>
/// The answer of <c>POST /api/campaigns/{id}/items/import?dryRun=true</c>: nothing is written but the upload, whose
/// <see cref="UploadId"/> confirms exactly this file (form field <c>uploadId</c>, with <c>choices</c> for ambiguous
/// names). <see cref="CanImport"/> is false while any error remains.
/// </summary>
public sealed record ImportPreview(
    bool DryRun, Guid UploadId, string FileName, int Imported, int WouldImport, bool CanImport, IReadOnlyList<PreviewColumn> Columns,
    IReadOnlyList<PreviewRow> Rows, IReadOnlyList<CollectiveName> Collectives, IReadOnlyList<ImportError> Errors)
{
    public static ImportPreview From(Guid uploadId, string fileName, IReadOnlyList<RawRow> rows, HeaderMap header, ImportPlan plan, UnitDirectory units)
    {
        var columns = header.Fields.OrderBy(f => f.Key)
            .Select(f => new PreviewColumn(SheetReader.ColumnName(f.Key), header.Headers.GetValueOrDefault(f.Key, ImportFields.HeaderOf(f.Value)), f.Value)).ToList();
        var errorsByRow = plan.Errors.ToLookup(e => e.Row);
        var shown = plan.Rows.Select(r => new PreviewRow(r.Raw.Number, r.Kind, r.Raw.Cells, r.Item is { } p ? Item(p, units) : null, errorsByRow[r.Raw.Number].ToList())).ToList();
        // Errors of rows the mapper did not list (the header's own) still show, on their row.
        var listed = shown.Select(r => r.Row).ToHashSet();
        foreach (var group in errorsByRow.Where(g => g.Key > 0 && !listed.Contains(g.Key)))
        {
            var raw = rows.FirstOrDefault(r => r.Number == group.Key);
            shown.Add(new PreviewRow(group.Key, "header", raw?.Cells ?? [], null, group.ToList()));
        }
        return new ImportPreview(true, uploadId, fileName, 0, plan.Errors.Count == 0 ? plan.Items.Count : 0, plan.Errors.Count == 0 && plan.Items.Count > 0,
            columns, [.. shown.OrderBy(r => r.Row)], plan.Collectives, plan.Errors);
    }

    private static PreviewItem Item(PlannedItem planned, UnitDirectory units)
    {
        var i = planned.Item;
        UnitChoice Unit(string code) => new(code, units.NameOf(code));
        return new PreviewItem(i.Number, i.Category, i.Title, i.Source, Unit(i.LeadUnit), [.. i.Units.Select(Unit)], i.Deadline, i.DeadlineText, i.Ongoing,
            i.ReportEvery, i.Milestones ?? [], i.ResponsibleLeaderId is not null, planned.Collectives);
    }
}

/// <summary>Column letters back to indexes, for showing a preview row's cells under its columns.</summary>
public static class PreviewIndex
{
    /// <summary>"A" → 0, "AB" → 27.</summary>
    public static int Of(string column)
    {
        var n = 0;
        foreach (var c in column) n = n * 26 + (c - 'A' + 1);
        return n - 1;
    }
}
