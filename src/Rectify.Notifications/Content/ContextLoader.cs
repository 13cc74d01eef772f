using Dapper;
using Npgsql;

namespace Rectify.Notifications.Content;

/// <summary>Reads the items and campaigns a batch of messages talks about, in two queries per batch.</summary>
public sealed class ContextLoader(NpgsqlDataSource db)
{
    public sealed record Context(IReadOnlyDictionary<Guid, ItemFacts> Items, IReadOnlyDictionary<Guid, CampaignFacts> Campaigns)
    {
        public static readonly Context Empty = new(new Dictionary<Guid, ItemFacts>(), new Dictionary<Guid, CampaignFacts>());
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

    public async Task<Context> LoadAsync(IEnumerable<Guid?> itemIds, IEnumerable<Guid?> campaignIds, CancellationToken ct)
    {
        var items = itemIds.OfType<Guid>().Distinct().ToArray();
        await using var connection = await db.OpenConnectionAsync(ct);
        var itemRows = items.Length == 0
            ? []
            : (await connection.QueryAsync<ItemFacts>(new CommandDefinition(ItemSql, new { ids = items }, cancellationToken: ct))).AsList();
        var campaigns = campaignIds.OfType<Guid>().Concat(itemRows.Select(i => i.CampaignId)).Distinct().ToArray();
        var campaignRows = campaigns.Length == 0
            ? []
            : (await connection.QueryAsync<CampaignFacts>(new CommandDefinition(CampaignSql, new { ids = campaigns }, cancellationToken: ct))).AsList();
        return new Context(itemRows.ToDictionary(i => i.Id), campaignRows.ToDictionary(c => c.Id));
    }
}
