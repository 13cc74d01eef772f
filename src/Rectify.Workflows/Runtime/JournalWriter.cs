using System.Text.Json;
using Dapper;
using Npgsql;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// The one place journal rows are written (the journal is append-only, migration 0502): one entry under an id drawn
/// beforehand with <see cref="JournalIds"/> (when the messages it causes carry that id in their subject key), or a batch
/// of entries in one statement (a sweep's firings, a launch's effects).
/// </summary>
public static class JournalWriter
{
    public static Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id, JournalEntry entry, CancellationToken ct)
    {
        const string sql = """
            insert into journal(id, campaign_id, item_id, deliverable_id, at, actor, type, from_state, to_state, note, subject_key, data)
            overriding system value
            values (@id, @CampaignId, @ItemId, @DeliverableId, @At, @Actor, @Type, @FromState, @ToState, @Note, @SubjectKey, @data::jsonb)
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, entry.CampaignId, entry.ItemId, entry.DeliverableId, entry.At, entry.Actor, entry.Type, entry.FromState, entry.ToState, entry.Note,
            entry.SubjectKey, data = JsonSerializer.Serialize(entry.Data, EffectBatch.Json),
        }, tx, cancellationToken: ct));
    }

    public static Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<JournalEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return Task.CompletedTask;
        const string sql = """
            insert into journal(campaign_id, item_id, deliverable_id, at, actor, type, from_state, to_state, note, subject_key, data)
            select c, i, d, a, ac, t, f, s, n, k, j::jsonb
            from unnest(@campaigns, @items, @deliverables, @at, @actors, @types, @froms, @tos, @notes, @keys, @data)
                 as u(c, i, d, a, ac, t, f, s, n, k, j)
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            campaigns = entries.Select(j => j.CampaignId).ToArray(),
            items = entries.Select(j => j.ItemId).ToArray(),
            deliverables = entries.Select(j => j.DeliverableId).ToArray(),
            at = entries.Select(j => j.At).ToArray(),
            actors = entries.Select(j => j.Actor).ToArray(),
            types = entries.Select(j => j.Type).ToArray(),
            froms = entries.Select(j => j.FromState).ToArray(),
            tos = entries.Select(j => j.ToState).ToArray(),
            notes = entries.Select(j => j.Note).ToArray(),
            keys = entries.Select(j => j.SubjectKey).ToArray(),
            data = entries.Select(j => JsonSerializer.Serialize(j.Data, EffectBatch.Json)).ToArray(),
        }, tx, cancellationToken: ct));
    }
}
