using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

/// <summary>
/// The honest picture: counts over the items the caller may see. Overdue means assigned, not closed, and the local date in
/// the campaign's time zone is past the effective deadline; closed on time means closed on or before it.
/// </summary>
internal static class CampaignStatistics
{
    private sealed record Row(Guid CampaignId, string State, long Count, long Overdue, long ClosedOnTime, long ClosedLate);

    public static async Task<IReadOnlyDictionary<Guid, CampaignStats>> ForAsync(
        NpgsqlConnection connection, Guid[] campaignIds, DateTimeOffset now, CurrentUser user, CancellationToken ct)
    {
        const string sql = $"""
            select i.campaign_id as CampaignId, i.state, count(*) as Count,
                   count(*) filter (where i.state not in ('closed', 'draft', 'withdrawn') and i.effective_deadline < (@now at time zone c.time_zone)::date) as Overdue,
                   count(*) filter (where i.state = 'closed' and (i.effective_deadline is null or (i.closed_at at time zone c.time_zone)::date <= i.effective_deadline)) as ClosedOnTime,
                   count(*) filter (where i.state = 'closed' and (i.closed_at at time zone c.time_zone)::date > i.effective_deadline) as ClosedLate
            from items i join campaigns c on c.id = i.campaign_id
            where i.campaign_id = any(@campaignIds) and {Access.ItemVisible}
            group by i.campaign_id, i.state
            """;
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql,
            new { campaignIds, now, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        var byCampaign = rows.ToLookup(r => r.CampaignId);
        return campaignIds.ToDictionary(id => id, id =>
        {
            var list = byCampaign[id].ToList();
            var byState = ItemStates.All.ToDictionary(s => s, s => list.Where(r => r.State == s).Sum(r => r.Count));
            return new CampaignStats(list.Sum(r => r.Count), byState, list.Sum(r => r.Overdue), list.Sum(r => r.ClosedOnTime), list.Sum(r => r.ClosedLate));
        });
    }
}
