using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Documents;

/// <summary>The counts of a report for one lead unit, or (with a null code) for the whole campaign.</summary>
public sealed record Figures(string? UnitCode, string UnitName, int Total, int ClosedOnTime, int ClosedLate, int Overdue, int Escalated)
{
    public int Closed => ClosedOnTime + ClosedLate;
    public int Open => Total - Closed;
}

/// <summary>
/// Reconstructs the campaign as it stood at the end of a local date: closed means closed on or before that date
/// (closed_at), overdue means assigned, not closed by then, not withdrawn and past the effective deadline (a withdrawn
/// item is out of the rectification, as in the statistics and the dashboard), escalated means an
/// escalation was opened by then. On today's date these are exactly the rules of <c>GET /api/campaigns/{id}</c>
/// stats. Limitation: an extension granted after the date is already in the effective deadline (the journal of
/// extensions is the runtime's; the item row keeps only the latest deadline).
/// The report counts in the database (<see cref="ForCampaignAsync"/>, one pass over the campaign's items); the same
/// rules over loaded items (<see cref="Count"/>, <see cref="ByLeadUnit"/>, <see cref="BySource"/>) are the reference the
/// tests hold it to, and <see cref="IsOverdue"/> and <see cref="ClosedOnTime"/> mark the rows the report lists.
/// </summary>
public static class ReportFigures
{
    private static readonly string[] Ladder = ["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];

    public sealed record Escalation(Guid ItemId, string Level);

    /// <summary>
    /// Every figure of a report as of the end of a date: the whole campaign, each lead unit (in the order the units
    /// first appear in the problem list), 清零 per source (empty when no item names one) and the long-term items.
    /// </summary>
    public sealed record CampaignFigures(
        Figures Summary, IReadOnlyList<Figures> ByUnit, IReadOnlyList<Items.SourceFigure> BySource, int Ongoing);

    private sealed record Row(
        string Grouped, string? LeadUnit, string? LeadUnitName, string? Source, int Total, int ClosedOnTime, int ClosedLate, int Overdue,
        int Escalated, int Closed, int OpenNotWithdrawn, int Ongoing, int NamedSource, int FirstSeq);

    /// <summary>
    /// The figures of <see cref="Count"/>, <see cref="ByLeadUnit"/> and <see cref="BySource"/> counted by the database in
    /// one pass over the items the caller may see (grouping sets: by lead unit, by source, all), the escalations opened
    /// by the date joined as a set: nothing is loaded item by item.
    /// </summary>
    public static async Task<CampaignFigures> ForCampaignAsync(
        NpgsqlConnection connection, Guid campaignId, CurrentUser user, DateOnly asOf, CancellationToken ct)
    {
        const string sql = $$"""
            with escalated as (
                select distinct e.item_id from escalations e join campaigns c on c.id = e.campaign_id
                where e.campaign_id = @campaignId and (e.opened_at at time zone c.time_zone)::date <= @asOf
            ), x as (
                select i.seq, i.lead_unit, coalesce(lu.name, i.lead_unit) as lead_name, coalesce(i.source, @unnamed) as source,
                       i.source is not null as named, i.ongoing, i.state, i.effective_deadline as deadline,
                       (i.closed_at at time zone c.time_zone)::date as closed_on,
                       coalesce(i.state = 'closed' and (i.closed_at at time zone c.time_zone)::date <= @asOf, false) as closed,
                       (i.assigned_at at time zone c.time_zone)::date as assigned_on, e.item_id is not null as escalated
                from items i
                join campaigns c on c.id = i.campaign_id
                left join units lu on lu.code = i.lead_unit
                left join escalated e on e.item_id = i.id
                where i.campaign_id = @campaignId and {{Access.ItemVisible}}
            )
            select case when grouping(lead_unit, lead_name) = 0 then 'unit' when grouping(source) = 0 then 'source' else 'all' end
                       as Grouped,
                   lead_unit as LeadUnit, lead_name as LeadUnitName, source as Source, count(*)::int as Total,
                   count(*) filter (where closed and (deadline is null or closed_on <= deadline))::int as ClosedOnTime,
                   count(*) filter (where closed and deadline is not null and closed_on > deadline)::int as ClosedLate,
                   count(*) filter (where state not in ('draft', 'withdrawn') and (assigned_on is null or assigned_on <= @asOf)
                                    and not closed and deadline < @asOf)::int as Overdue,
                   count(*) filter (where escalated)::int as Escalated,
                   count(*) filter (where closed)::int as Closed,
                   count(*) filter (where not closed and state <> 'withdrawn')::int as OpenNotWithdrawn,
                   count(*) filter (where ongoing)::int as Ongoing,
                   count(*) filter (where named)::int as NamedSource,
                   coalesce(min(seq), 0) as FirstSeq
            from x
            group by grouping sets ((lead_unit, lead_name), (source), ())
            """;
        // Without JIT, whose compiling costs more than it saves on one pass (a third of the time at a million items), and
        // with the memory to hash the groups and the escalated items instead of spilling them to disk; for this statement
        // only (put back after it; should it fail, the pool resets the connection's settings, or the caller's rollback does).
        await connection.ExecuteAsync(new CommandDefinition("set jit = off; set work_mem = '64MB'", cancellationToken: ct));
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            sql, new { campaignId, asOf, unnamed = Items.SourceFigure.Unnamed, role = user.Role, unit = user.UnitCode },
            cancellationToken: ct))).ToList();
        await connection.ExecuteAsync(new CommandDefinition("reset jit; reset work_mem", cancellationToken: ct));
        static Figures Of(Row r, string? code, string name) =>
            new(code, name, r.Total, r.ClosedOnTime, r.ClosedLate, r.Overdue, r.Escalated);
        var all = rows.Single(r => r.Grouped == "all");
        var byUnit = rows.Where(r => r.Grouped == "unit").OrderBy(r => r.FirstSeq).Select(r => Of(r, r.LeadUnit, r.LeadUnitName!)).ToList();
        IReadOnlyList<Items.SourceFigure> bySource = all.NamedSource == 0 ? [] : rows.Where(r => r.Grouped == "source")
            .OrderBy(r => r.Source == Items.SourceFigure.Unnamed).ThenBy(r => r.FirstSeq)
            .Select(r => new Items.SourceFigure(r.Source!, r.Total, r.Closed, r.OpenNotWithdrawn)).ToList();
        return new CampaignFigures(Of(all, null, "合计"), byUnit, bySource, all.Ongoing);
    }

    private sealed record LeadRow(string Unit, string? UnitName, string Cls, DateOnly? Deadline, long N, int? FirstSeq);

    private sealed record EscalatedRow(string? Unit, int N);

    /// <summary>
    /// The figures of <see cref="ForCampaignAsync"/> as of today for a caller who sees every item of the campaign
    /// (<see cref="Access.SeesEveryItem"/>), from what is maintained instead of a pass over the items: the aggregate's
    /// 'lead' rows (class closed / closedLate / open with its deadline / other) and 'source' rows (migrations 0940, 0995),
    /// the escalations' lead unit (one index range), one index descent per lead unit for the order of the list, and the
    /// ongoing items' partial index. Today's rules are the same: closed is closed now, overdue is open and past the
    /// deadline, escalated is any escalation opened; ReportAtScaleTests and DashboardAggregateTests hold the two to each other.
    /// </summary>
    public static async Task<CampaignFigures> ForTodayAsync(
        NpgsqlConnection connection, Guid campaignId, DateOnly today, CancellationToken ct)
    {
        const string sql = $"""
            with l as (
                select unit, state as cls, deadline, sum(n)::bigint as n from item_dashboard_counts
                where campaign_id = @campaignId and kind = 'lead' group by 1, 2, 3 having sum(n) <> 0),
            first as (
                select d.unit,
                       (select i.seq from items i where i.lead_unit = d.unit and i.campaign_id = @campaignId order by i.seq limit 1) as seq
                from (select distinct unit from l) d)
            select l.unit, coalesce(u.name, l.unit) as UnitName, l.cls, l.deadline, l.n, f.seq as FirstSeq
            from l join first f on f.unit = l.unit
            left join units u on u.code = l.unit;
            select lead_unit as Unit, count(*)::int as N
            from (select distinct lead_unit, item_id from escalations where campaign_id = @campaignId and item_id is not null) e
            group by 1;
            {Items.SourceFigure.AggregateSql};
            select count(*)::int from items where campaign_id = @campaignId and ongoing;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct));
        var leads = (await grid.ReadAsync<LeadRow>()).ToList();
        var escalated = (await grid.ReadAsync<EscalatedRow>()).ToList();
        var sources = (await grid.ReadAsync<Items.SourceFigure.AggregateRow>()).ToList();
        var ongoing = await grid.ReadSingleAsync<int>();

        var escalatedBy = escalated.Where(e => e.Unit is not null).ToDictionary(e => e.Unit!, e => e.N, StringComparer.Ordinal);
        var byUnit = leads.GroupBy(r => r.Unit, StringComparer.Ordinal)
            .OrderBy(g => g.Min(r => r.FirstSeq ?? int.MaxValue))
            .Select(g => new Figures(g.Key, g.First().UnitName ?? g.Key, (int)g.Sum(r => r.N),
                (int)g.Where(r => r.Cls == "closed").Sum(r => r.N), (int)g.Where(r => r.Cls == "closedLate").Sum(r => r.N),
                (int)g.Where(r => r.Cls == "open" && r.Deadline < today).Sum(r => r.N), escalatedBy.GetValueOrDefault(g.Key)))
            .ToList();
        var summary = new Figures(null, "合计", byUnit.Sum(f => f.Total), byUnit.Sum(f => f.ClosedOnTime), byUnit.Sum(f => f.ClosedLate),
            byUnit.Sum(f => f.Overdue), escalated.Sum(e => e.N));
        return new CampaignFigures(summary, byUnit, Items.SourceFigure.FromAggregate(sources), ongoing);
    }

    /// <summary>The highest escalation level each item had reached by the end of <paramref name="asOf"/>.</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> EscalationsAsync(
        NpgsqlConnection connection, Guid campaignId, Guid[] itemIds, DateOnly asOf, string timeZone, CancellationToken ct)
    {
        const string sql = """
            select item_id as ItemId, level from escalations
            where campaign_id = @campaignId and item_id = any(@itemIds) and (opened_at at time zone @timeZone)::date <= @asOf
            """;
        var rows = await connection.QueryAsync<Escalation>(new CommandDefinition(sql, new { campaignId, itemIds, asOf, timeZone }, cancellationToken: ct));
        return rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.MaxBy(r => Array.IndexOf(Ladder, r.Level))!.Level);
    }

    public static bool IsOverdue(DocumentItem item, DateOnly asOf) =>
        item.State is not ("draft" or "withdrawn") && (item.AssignedOn is null || item.AssignedOn <= asOf) && !item.ClosedBy(asOf)
        && item.EffectiveDeadline is { } deadline && deadline < asOf;

    public static bool ClosedOnTime(DocumentItem item, DateOnly asOf) =>
        item.ClosedBy(asOf) && (item.EffectiveDeadline is null || item.ClosedOn <= item.EffectiveDeadline);

    public static Figures Count(string? unitCode, string unitName, IEnumerable<DocumentItem> items, DateOnly asOf, IReadOnlyDictionary<Guid, string> escalations)
    {
        var list = items.ToList();
        return new Figures(unitCode, unitName, list.Count,
            list.Count(i => ClosedOnTime(i, asOf)),
            list.Count(i => i.ClosedBy(asOf) && !ClosedOnTime(i, asOf)),
            list.Count(i => IsOverdue(i, asOf)),
            list.Count(i => escalations.ContainsKey(i.Id)));
    }

    /// <summary>清零 per source as it stood at the end of <paramref name="asOf"/>; empty when no item names a source.</summary>
    public static IReadOnlyList<Items.SourceFigure> BySource(IReadOnlyList<DocumentItem> items, DateOnly asOf) =>
        Items.SourceFigure.Of(items, i => i.Source, i => i.ClosedBy(asOf), i => !i.ClosedBy(asOf) && i.State != "withdrawn");

    /// <summary>One line per lead unit, in the order the units first appear in the problem list.</summary>
    public static IReadOnlyList<Figures> ByLeadUnit(IReadOnlyList<DocumentItem> items, DateOnly asOf, IReadOnlyDictionary<Guid, string> escalations) =>
        items.GroupBy(i => (i.LeadUnit, i.LeadUnitName)).Select(g => Count(g.Key.LeadUnit, g.Key.LeadUnitName, g, asOf, escalations)).ToList();
}
