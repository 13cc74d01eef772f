using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// The latest progress note of each item, read from the runtime's journal: table <c>item_journal</c> with columns
/// <c>item_id uuid, at timestamptz, note text</c> and, when present, <c>type text</c> (then only <c>type = 'progress'</c>
/// rows count). Until that table exists (before the runtime is merged) every item simply has no note.
/// </summary>
public static class ProgressNotes
{
    public const string Table = "item_journal";

    public static async Task<IReadOnlyDictionary<Guid, string>> LatestAsync(
        NpgsqlConnection connection, Guid[] itemIds, DateTimeOffset? before, CancellationToken ct)
    {
        const string probe = $"""
            select column_name from information_schema.columns
            where table_schema = current_schema() and table_name = '{Table}' and column_name in ('item_id', 'at', 'note', 'type')
            """;
        var columns = (await connection.QueryAsync<string>(new CommandDefinition(probe, cancellationToken: ct))).ToHashSet();
        if (!columns.IsSupersetOf(["item_id", "at", "note"]) || itemIds.Length == 0) return new Dictionary<Guid, string>();
        const string typed = $"""
            select distinct on (item_id) item_id, note from {Table}
            where item_id = any(@itemIds) and type = 'progress' and coalesce(note, '') <> '' and (@before::timestamptz is null or at < @before)
            order by item_id, at desc
            """;
        const string untyped = $"""
            select distinct on (item_id) item_id, note from {Table}
            where item_id = any(@itemIds) and coalesce(note, '') <> '' and (@before::timestamptz is null or at < @before)
            order by item_id, at desc
            """;
        var rows = await connection.QueryAsync<(Guid ItemId, string Note)>(new CommandDefinition(
            columns.Contains("type") ? typed : untyped, new { itemIds, before }, cancellationToken: ct));
        return rows.ToDictionary(r => r.ItemId, r => r.Note);
    }
}
