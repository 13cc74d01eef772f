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

    /// <summary>
    /// An office that sees every item of the campaign (the administrator, the issuing office, the supervision office)
    /// reads the maintained aggregate (item_stat_counts, migration 0901: a few hundred rows per campaign, whatever its
    /// size); a unit, which sees only its own items, gets them counted.
    /// </summary>
    private const string FromAggregate = """
        select s.campaign_id as CampaignId, s.state, sum(s.n)::bigint as Count,
               coalesce(sum(s.n) filter (where s.state not in ('closed', 'draft', 'withdrawn') and s.effective_deadline < (@now at time zone c.time_zone)::date), 0)::bigint as Overdue,
               coalesce(sum(s.n) filter (where s.state = 'closed' and (s.effective_deadline is null or not s.closed_late)), 0)::bigint as ClosedOnTime,
               coalesce(sum(s.n) filter (where s.closed_late), 0)::bigint as ClosedLate
        from item_stat_counts s join campaigns c on c.id = s.campaign_id
        where s.campaign_id = any(@campaignIds)
          and (@role = 'admin' or (@role = 'leadingGroup' and c.issued_by_unit = @unit) or (@role = 'supervisor' and c.supervision_unit = @unit))
        group by s.campaign_id, s.state
        having sum(s.n) <> 0
        """;

    private const string Counted = $"""
        select i.campaign_id as CampaignId, i.state, count(*) as Count,
               count(*) filter (where i.state not in ('closed', 'draft', 'withdrawn') and i.effective_deadline < (@now at time zone c.time_zone)::date) as Overdue,
               count(*) filter (where i.state = 'closed' and (i.effective_deadline is null or (i.closed_at at time zone c.time_zone)::date <= i.effective_deadline)) as ClosedOnTime,
               count(*) filter (where i.state = 'closed' and (i.closed_at at time zone c.time_zone)::date > i.effective_deadline) as ClosedLate
        from items i join campaigns c on c.id = i.campaign_id
        where i.campaign_id = any(@campaignIds) and {Access.ItemVisible}
        group by i.campaign_id, i.state
        """;

    public static async Task<IReadOnlyDictionary<Guid, CampaignStats>> ForAsync(
        NpgsqlConnection connection, Guid[] campaignIds, DateTimeOffset now, CurrentUser user, CancellationToken ct)
    {
        var sql = user.Role == Roles.Unit ? Counted : FromAggregate;
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
