using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Items;

/// <summary>The status lights as a filter value (<c>GET /api/items?light=</c>).</summary>
public static class ItemLights
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { ItemStatus.Green, ItemStatus.Yellow, ItemStatus.Red };
}

/// <summary>
/// The SQL of the item list (issue 17: a million-item campaign). Within one campaign the order is the item's sequence
/// number, so a page is read from an index in order: the first page touches 50 rows, a deep page (offset) walks the
/// index only (the rows are joined after the offset), and <c>after</c> (the <c>next</c> of the previous page) starts
/// right after the last row seen. The count stops at <see cref="ExactCountUpTo"/>; beyond, the planner's estimate.
/// </summary>
internal static class ItemListing
{
    public const int ExactCountUpTo = 10_000;

    private const string Open = "i.state not in ('closed', 'draft', 'withdrawn')";
    private const string Today = "(@now at time zone c.time_zone)::date";

    /// <summary><see cref="ItemStatus.Light"/> in SQL (the same rules, in the same floating-point arithmetic).</summary>
    private const string Red = $"({Open} and i.effective_deadline < {Today})";
    private const string Yellow = $"""
        ({Open} and not coalesce(i.effective_deadline < {Today}, false)
         and (coalesce(i.ack_due_at <= @now and (i.state = 'assigned'
                  or exists (select 1 from assignments a where a.item_id = i.id and a.state = 'assigned')), false)
              or coalesce((i.effective_deadline - {Today} + 1)::float8
                  <= 0.3::float8 * greatest(1, i.effective_deadline - coalesce((i.assigned_at at time zone c.time_zone)::date, {Today}) + 1), false)))
        """;

    private const string Where = $"""
        where {Access.ItemVisible}
          and (@campaignId::uuid is null or i.campaign_id = @campaignId)
          and (@unitFilter::text is null or i.lead_unit = @unitFilter or i.units @> array[@unitFilter]::text[])
          and (@assignmentState::text is null or exists (
                select 1 from assignments a where a.item_id = i.id and a.unit_code = @unitFilter and a.state = @assignmentState))
          and (@state::text is null or i.state = @state)
          and (@overdue::boolean is not true or ({Open} and i.effective_deadline < {Today}))
          and (@overdue::boolean is not false or not coalesce({Open} and i.effective_deadline < {Today}, false))
          and (@q::text is null or i.title ilike @qLike or i.number = @q or i.description ilike @qLike)
          and (@light::text is null
               or (@light = 'red' and coalesce({Red}, false))
               or (@light = 'yellow' and coalesce({Yellow}, false))
               or (@light = 'green' and not coalesce({Red}, false) and not coalesce({Yellow}, false)))
        """;

    private const string From = "from items i join campaigns c on c.id = i.campaign_id";

    private const string Count = $"select count(*) from (select 1 {From} {Where} limit @cap) matched";

    private const string Estimate = $"explain (format json) select 1 {From} {Where}";

    private const string InCampaign = $"""
        with keys as (
            select i.seq {From} {Where} and (@after::int is null or i.seq > @after)
            order by i.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.seq = i.seq where i.campaign_id = @campaignId order by i.seq
        """;

    private const string Across = $"{ItemRow.Select} {Where} order by c.created_at desc, i.campaign_id, i.seq limit @limit offset @offset";

    /// <summary>The page's SQL, the bounded count and the estimate, for a list within one campaign or across campaigns.</summary>
    public static (string Page, string Count, string Estimate) Sql(bool inCampaign) => (inCampaign ? InCampaign : Across, Count, Estimate);

    /// <summary>The planner's row estimate for the list's filter (a few statistics lookups, no scan).</summary>
    public static async Task<long> EstimateAsync(NpgsqlConnection connection, string sql, object parameters, CancellationToken ct)
    {
        var plan = await connection.ExecuteScalarAsync<string>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        using var json = JsonDocument.Parse(plan ?? "[]");
        return json.RootElement.GetArrayLength() > 0 && json.RootElement[0].GetProperty("Plan").TryGetProperty("Plan Rows", out var rows)
            ? (long)rows.GetDouble()
            : 0;
    }
}
