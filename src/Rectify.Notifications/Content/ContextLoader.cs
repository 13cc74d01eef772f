using Dapper;
using Npgsql;
using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

/// <summary>
/// Reads the typed messages of a batch of rows and the items, campaigns and units they talk about, in three queries
/// per batch.
/// </summary>
public sealed class ContextLoader(NpgsqlDataSource db)
{
    public sealed record Context(
        IReadOnlyDictionary<Guid, ItemFacts> Items, IReadOnlyDictionary<Guid, CampaignFacts> Campaigns,
        IReadOnlyDictionary<string, string> Units, IReadOnlyDictionary<long, OutboxMessage> Messages)
    {
        public static readonly Context Empty = new(
            new Dictionary<Guid, ItemFacts>(), new Dictionary<Guid, CampaignFacts>(), new Dictionary<string, string>(), new Dictionary<long, OutboxMessage>());

        public OutboxMessage MessageOf(ClaimedRow row) => Messages.TryGetValue(row.Id, out var m) ? m : MessageReader.Read(row);
    }

    /// <summary>The unit codes a message names besides its item's lead unit.</summary>
    public static IEnumerable<string> UnitsOf(OutboxMessage message)
    {
        if (message.Subject.Unit() is { } unit) yield return unit;
        if (message is EscalationMessage { OfficeUnit: { Length: > 0 } office }) yield return office;
        if (message is AssignedBatchMessage { UnitCode: { Length: > 0 } batch }) yield return batch;
    }

    private const string ItemSql = """
        select i.id, i.campaign_id as CampaignId, i.number, i.title, i.description, i.measures, i.deadline,
               i.effective_deadline as EffectiveDeadline, i.ongoing, i.state, i.escalation_level as EscalationLevel,
               i.lead_unit as LeadUnit, u.name as LeadUnitName, i.responsible_leader_id as LeaderId, p.name as LeaderName
        from items i
        join units u on u.code = i.lead_unit
        left join people p on p.id = i.responsible_leader_id
        where i.id = any(@ids)
        """;

    private const string CampaignSql = """
        select c.id, c.title, c.document_number as DocumentNumber, c.time_zone as TimeZone, c.issued_by_unit as IssuedByUnit,
               iu.name as IssuedByName, c.supervision_unit as SupervisionUnit, su.name as SupervisionName, c.phases::text as Phases
        from campaigns c
        join units iu on iu.code = c.issued_by_unit
        left join units su on su.code = c.supervision_unit
        where c.id = any(@ids)
        """;

    public async Task<Context> LoadAsync(IReadOnlyList<ClaimedRow> rows, CancellationToken ct)
    {
        // The port writes a message's item into the row's item_id, so the rows name every item; an old-shape row's
        // message is read with its item's deadline at hand.
        var items = rows.Select(r => r.ItemId).OfType<Guid>().Distinct().ToArray();
        await using var connection = await db.OpenConnectionAsync(ct);
        var itemRows = items.Length == 0
            ? []
            : (await connection.QueryAsync<ItemFacts>(new CommandDefinition(ItemSql, new { ids = items }, cancellationToken: ct))).AsList();
        var byId = itemRows.ToDictionary(i => i.Id);
        var messages = rows.ToDictionary(r => r.Id, r => MessageReader.Read(r,
            r.ItemId is { } iid && byId.TryGetValue(iid, out var it) ? it.EffectiveDeadline ?? it.Deadline : null));
        var campaigns = rows.Select(r => r.CampaignId).Concat(messages.Values.Select(m => m.Subject.Campaign())).OfType<Guid>()
            .Concat(itemRows.Select(i => i.CampaignId)).Distinct().ToArray();
        var campaignRows = campaigns.Length == 0
            ? []
            : (await connection.QueryAsync<CampaignFacts>(new CommandDefinition(CampaignSql, new { ids = campaigns }, cancellationToken: ct))).AsList();
        var codes = messages.Values.SelectMany(UnitsOf).Distinct().ToArray();
        var units = codes.Length == 0
            ? new Dictionary<string, string>()
            : (await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
                "select code, name from units where code = any(@codes)", new { codes }, cancellationToken: ct))).ToDictionary(u => u.Code, u => u.Name);
        return new Context(byId, campaignRows.ToDictionary(c => c.Id), units, messages);
    }
}
