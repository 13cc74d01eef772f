namespace Rectify.Api.Features.Import;

/// <summary>
/// Collects the cells of one sheet or table as a reader streams them, holding every limit of <see cref="ImportLimits"/>
/// at the moment a cell or a merged range arrives, and the request's cancellation once per row.
/// Merged ranges are filled from their top-left cell into the rows that exist (a category merged over ten rows
/// applies to all ten; no row is made up for a range that runs past the data).
/// </summary>
internal sealed class SheetBuilder(ImportLimits limits, CancellationToken ct)
{
    private readonly SortedDictionary<int, Dictionary<int, string>> rows = new();
    private readonly List<(int Row1, int Column1, int Row2, int Column2)> merges = [];
    private long cells;
    private long mergedCells;

    /// <summary>Called once per row read: honours cancellation (the request's, and the read-time limit).</summary>
    public void Tick() => ct.ThrowIfCancellationRequested();

    /// <summary>A cell's text; empty text is no cell. <paramref name="row"/> is 1-based, <paramref name="column"/> 0-based.</summary>
    public void Set(int row, int column, string text)
    {
        if (text.Length == 0) return;
        if (column < 0 || column >= limits.MaxColumns)
            throw SheetRejectedException.Limit($"第{row}行有超过 {limits.MaxColumns} 列的内容（第 {ImportLimits.Number(column + 1L)} 列），超出导入上限 / more than {limits.MaxColumns} columns");
        if (row < 1) throw SheetRejectedException.Malformed($"单元格的行号 {row} 无效 / invalid row number");
        if (text.Length > limits.MaxCellChars)
            throw SheetRejectedException.Limit($"单元格 {SheetReader.ColumnName(column)}{row} 有 {ImportLimits.Number(text.Length)} 个字符，超过 {ImportLimits.Number(limits.MaxCellChars)} 字上限 / cell too long");
        if (!rows.TryGetValue(row, out var line))
        {
            if (rows.Count >= limits.MaxRows)
                throw SheetRejectedException.Limit($"文件超过 {ImportLimits.Number(limits.MaxRows)} 行的导入上限，请分批导入 / more than {ImportLimits.Number(limits.MaxRows)} rows");
            rows[row] = line = [];
        }
        if (line.TryAdd(column, text))
        {
            if (++cells > limits.MaxCells)
                throw SheetRejectedException.Limit($"文件超过 {ImportLimits.Number(limits.MaxCells)} 个单元格的导入上限，请分批导入 / more than {ImportLimits.Number(limits.MaxCells)} cells");
        }
        else line[column] = text;
    }

    /// <summary>A merged range, 1-based rows and 0-based columns, as written (reversed corners are put in order).</summary>
    public void Merge(int row1, int column1, int row2, int column2, string reference)
    {
        if (row1 > row2) (row1, row2) = (row2, row1);
        if (column1 > column2) (column1, column2) = (column2, column1);
        if (row1 < 1 || column1 < 0) throw SheetRejectedException.Malformed($"合并单元格范围“{reference}”无效 / invalid merged range");
        var area = (long)(row2 - row1 + 1) * (column2 - column1 + 1);
        mergedCells += area;
        if (area > limits.MaxMergedCells || mergedCells > limits.MaxMergedCells)
            throw SheetRejectedException.Limit(
                $"合并单元格“{reference}”覆盖 {ImportLimits.Number(area)} 个单元格，合并区域合计超过 {ImportLimits.Number(limits.MaxMergedCells)} 个单元格的上限 / merged ranges too large");
        if (area > 1) merges.Add((row1, column1, row2, column2));
    }

    public IReadOnlyList<RawRow> Build()
    {
        foreach (var (row1, column1, row2, column2) in merges)
        {
            ct.ThrowIfCancellationRequested();
            if (!rows.TryGetValue(row1, out var top) || !top.TryGetValue(column1, out var value)) continue;
            for (var r = row1; r <= row2; r++)
            {
                if (!rows.TryGetValue(r, out var line)) continue;
                for (var c = column1; c <= Math.Min(column2, limits.MaxColumns - 1); c++) line.TryAdd(c, value);
            }
        }
        var list = new List<RawRow>(rows.Count);
        foreach (var (number, line) in rows)
        {
            var array = new string[line.Keys.Max() + 1];
            Array.Fill(array, "");
            foreach (var (c, v) in line) array[c] = v;
            list.Add(new RawRow(number, array));
        }
        return list;
    }
}
