using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// The latest progress note of each item, read from the runtime's journal: table <c>journal</c> (migration 0100)
/// with columns <c>item_id uuid, at timestamptz, type text, note text</c>; only <c>type = 'progress'</c> rows with a
/// non-empty note count. Until that table exists (before the runtime is merged) every item simply has no note.
/// </summary>
public static class ProgressNotes
{
    public const string Table = "journal";

    public static async Task<IReadOnlyDictionary<Guid, string>> LatestAsync(
        NpgsqlConnection connection, Guid[] itemIds, DateTimeOffset? before, CancellationToken ct)
    {
        const string probe = $"""
            select count(*) = 4 from information_schema.columns
            where table_schema = current_schema() and table_name = '{Table}' and column_name in ('item_id', 'at', 'type', 'note')
            """;
        if (itemIds.Length == 0 || !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(probe, cancellationToken: ct)))
            return new Dictionary<Guid, string>();
        const string sql = $"""
            select distinct on (item_id) item_id, note from {Table}
            where item_id = any(@itemIds) and type = 'progress' and coalesce(note, '') <> '' and (@before::timestamptz is null or at < @before)
            order by item_id, at desc
            """;
        var rows = await connection.QueryAsync<(Guid ItemId, string Note)>(new CommandDefinition(sql, new { itemIds, before }, cancellationToken: ct));
        return rows.ToDictionary(r => r.ItemId, r => r.Note);
    }
}
