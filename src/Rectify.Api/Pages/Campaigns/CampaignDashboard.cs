using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>
/// One item as the dashboard needs it: dates and units, no long texts. <paramref name="BehindUnits"/> are the units whose
/// own part (assignment) is neither completed nor withdrawn (issue 12): only they are late when the item is.
/// </summary>
public sealed record DashboardItem(
    Guid Id, string? Number, string Title, string State, string LeadUnit, string[] Units, DateOnly? EffectiveDeadline,
    bool Ongoing, string EscalationLevel, DateTimeOffset? AssignedAt, DateTimeOffset? ClosedAt, DateTimeOffset CreatedAt, string[] BehindUnits,
    string? Source = null);

public sealed record OverdueRow(DashboardItem Item, int Days);

/// <summary>
/// A unit with late parts (issue 12): overdue items whose own part it has not completed, as lead unit and as one of the
/// responsible units, and the worst delay. A unit that finished its part is not late because a sibling is.
/// </summary>
public sealed record LateUnit(string Code, int AsLead, int AsResponsible, int MaxDays, int TotalDays);

public sealed record UnitProgress(string Code, int Total, int Closed, int Overdue)
{
    public int Open => Total - Closed - Overdue;
    public double ClosedShare => Total == 0 ? 0 : (double)Closed / Total;
}

public sealed record DayPoint(DateOnly Date, int Open, int Closed);

/// <summary>
/// The campaign dashboard's figures, computed from the items the caller may see (the same visibility predicate as the
/// API) with the same overdue and light rules as the API (<see cref="ItemStatus"/>), so the two never disagree.
/// <see cref="Overdue"/> holds the most overdue items first; <see cref="OverdueCount"/> is how many there are in all (an
/// office's dashboard reads only the first <see cref="OverdueShown"/> of them).
/// </summary>
public sealed record CampaignDashboard(
    DateOnly Today, int Red, int Yellow, int Green, IReadOnlyList<OverdueRow> Overdue, IReadOnlyList<LateUnit> LateUnits,
    IReadOnlyList<UnitProgress> ByLeadUnit, IReadOnlyList<DayPoint> Series)
{
    /// <summary>How many of the most overdue items the page lists (the rest are one link away, in the item list).</summary>
    public const int OverdueShown = 50;

    /// <summary>清零 per source (issue 15.5); empty when no item names a source.</summary>
    public IReadOnlyList<Features.Items.SourceFigure> BySource { get; init; } = [];

    /// <summary>Overdue items in all.</summary>
    public int OverdueCount { get; init; }

    private const string OpenStates = "('closed', 'draft', 'withdrawn')";

    /// <summary>
    /// An office that sees every item of the campaign (the administrator, the issuing office, the supervision office) gets
    /// the figures from the maintained aggregate (item_dashboard_counts, migration 0940) and a few index ranges (the most
    /// overdue items) and the late units from the per-unit aggregate (assignment_unit_counts, migration 0970); a unit,
    /// which sees only its own items, gets them counted.
    /// </summary>
    public static async Task<CampaignDashboard> LoadAsync(
        NpgsqlConnection connection, Guid campaignId, string timeZone, IReadOnlyList<Phase> phases, CurrentUser user, DateTimeOffset now, CancellationToken ct)
    {
        var offices = await connection.QuerySingleOrDefaultAsync<Offices>(new CommandDefinition(
            "select issued_by_unit as IssuedByUnit, supervision_unit as SupervisionUnit from campaigns where id = @campaignId",
            new { campaignId }, cancellationToken: ct));
        var seesAll = offices is not null && Access.SeesEveryItem(user, offices.IssuedByUnit, offices.SupervisionUnit);
        return seesAll ? await FromAggregateAsync(connection, campaignId, timeZone, phases, now, ct) : await CountedAsync(connection, campaignId, timeZone, phases, user, now, ct);
    }

    internal static async Task<CampaignDashboard> CountedAsync(
        NpgsqlConnection connection, Guid campaignId, string timeZone, IReadOnlyList<Phase> phases, CurrentUser user, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = $"""
            select i.id, i.number, i.title, i.state, i.lead_unit as LeadUnit, i.units, i.effective_deadline as EffectiveDeadline,
                   i.ongoing, i.escalation_level as EscalationLevel, i.assigned_at as AssignedAt, i.closed_at as ClosedAt, i.created_at as CreatedAt,
                   array(select a.unit_code from assignments a where a.item_id = i.id and a.state in ('assigned', 'inProgress') order by a.unit_code) as BehindUnits,
                   i.source
            from items i join campaigns c on c.id = i.campaign_id
            where i.campaign_id = @campaignId and {Access.ItemVisible}
            order by i.seq
            """;
        var items = (await connection.QueryAsync<DashboardItem>(new CommandDefinition(sql,
            new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct))).ToList();
        return Compute(items, timeZone, phases, now);
    }

    private sealed record Offices(string IssuedByUnit, string? SupervisionUnit);
    private sealed record LightRow(string State, DateOnly? Deadline, DateOnly? AssignedOn, DateTimeOffset? AssignedAt, long N);
    private sealed record LeadRow(string Unit, string Cls, DateOnly? Deadline, long N);
    private sealed record SeriesRow(DateOnly OpenedOn, DateOnly? ClosedOn, long N);
    private sealed record LateRow(string Code, int AsLead, int AsResponsible, int MaxDays, int TotalDays);

    private static async Task<CampaignDashboard> FromAggregateAsync(
        NpgsqlConnection connection, Guid campaignId, string timeZone, IReadOnlyList<Phase> phases, DateTimeOffset now, CancellationToken ct)
    {
        var today = ItemStatus.LocalToday(now, timeZone);
        const string sql = $"""
            select state, deadline, day1 as AssignedOn, at as AssignedAt, sum(n)::bigint as N from item_dashboard_counts
            where campaign_id = @campaignId and kind = 'light' group by 1, 2, 3, 4 having sum(n) <> 0;
            select unit, state as Cls, deadline, sum(n)::bigint as N from item_dashboard_counts
            where campaign_id = @campaignId and kind = 'lead' group by 1, 2, 3 having sum(n) <> 0;
            select day1 as OpenedOn, day2 as ClosedOn, sum(n)::bigint as N from item_dashboard_counts
            where campaign_id = @campaignId and kind = 'series' group by 1, 2 having sum(n) <> 0;
            {Features.Items.SourceFigure.AggregateSql};
            select i.id, i.number, i.title, i.state, i.lead_unit as LeadUnit, i.units, i.effective_deadline as EffectiveDeadline,
                   i.ongoing, i.escalation_level as EscalationLevel, i.assigned_at as AssignedAt, i.closed_at as ClosedAt, i.created_at as CreatedAt,
                   array(select a.unit_code from assignments a where a.item_id = i.id and a.state in ('assigned', 'inProgress') order by a.unit_code) as BehindUnits,
                   i.source
            from items i
            where i.campaign_id = @campaignId and i.state not in {OpenStates} and i.effective_deadline < @today
            order by i.effective_deadline, i.number collate "C" nulls first, i.seq
            limit @shown;
            select p.unit as Code,
                   coalesce(sum(p.n) filter (where p.is_lead), 0)::int as AsLead,
                   coalesce(sum(p.n) filter (where not p.is_lead), 0)::int as AsResponsible,
                   max(@today - p.deadline)::int as MaxDays, sum(p.n * (@today - p.deadline))::int as TotalDays
            from assignment_unit_counts p
            where p.campaign_id = @campaignId and p.n > 0 and not p.completed and p.item_open and p.deadline < @today
            group by p.unit;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { campaignId, today, shown = OverdueShown }, cancellationToken: ct));
        var lights = (await grid.ReadAsync<LightRow>()).ToList();
        var leads = (await grid.ReadAsync<LeadRow>()).ToList();
        var series = (await grid.ReadAsync<SeriesRow>()).ToList();
        var sources = (await grid.ReadAsync<Features.Items.SourceFigure.AggregateRow>()).ToList();
        var top = (await grid.ReadAsync<DashboardItem>()).ToList();
        var late = (await grid.ReadAsync<LateRow>()).ToList();

        long red = 0, yellow = 0, green = 0, overdueCount = 0;
        foreach (var l in lights)
        {
            var unacknowledged = l.State == ItemStates.Assigned && l.AssignedAt is { } at
                && now - at > TimeSpan.FromDays(1);
            switch (ItemStatus.Light(l.State, l.Deadline, l.AssignedOn, unacknowledged, today))
            {
                case ItemStatus.Red: red += l.N; break;
                case ItemStatus.Yellow: yellow += l.N; break;
                default: green += l.N; break;
            }
            if (ItemStatus.OverdueDays(l.State, l.Deadline, today) > 0) overdueCount += l.N;
        }
        var overdue = top.Select(i => new OverdueRow(i, ItemStatus.OverdueDays(i.State, i.EffectiveDeadline, today))).ToList();
        var lateUnits = OrderLateUnits(late.Select(r => new LateUnit(r.Code, r.AsLead, r.AsResponsible, r.MaxDays, r.TotalDays)));
        var byLead = OrderByLead(leads.GroupBy(r => r.Unit, StringComparer.Ordinal).Select(g => new UnitProgress(g.Key,
            (int)g.Sum(r => r.N), (int)g.Where(r => r.Cls is "closed" or "closedLate").Sum(r => r.N),
            (int)g.Where(r => r.Cls == "open" && r.Deadline is { } d && d < today).Sum(r => r.N))));
        var points = BuildSeries(series.Select(r => (r.OpenedOn, r.ClosedOn, r.N)).ToList(), phases, today);

        // 清零 per source in the order the sources first appear in the list (their first seq), items without one last.
        var bySource = Features.Items.SourceFigure.FromAggregate(sources);
        return new CampaignDashboard(today, (int)red, (int)yellow, (int)green, overdue, lateUnits, byLead, points)
        {
            BySource = bySource, OverdueCount = (int)overdueCount,
        };
    }

    private static List<LateUnit> OrderLateUnits(IEnumerable<LateUnit> units) =>
        units.OrderByDescending(u => u.AsLead).ThenByDescending(u => u.MaxDays).ThenByDescending(u => u.AsResponsible).ThenBy(u => u.Code, StringComparer.Ordinal).ToList();

    private static List<UnitProgress> OrderByLead(IEnumerable<UnitProgress> units) =>
        units.OrderByDescending(u => u.Overdue).ThenBy(u => u.ClosedShare).ThenBy(u => u.Code, StringComparer.Ordinal).ToList();

    /// <summary>The figures from the items themselves (a unit's own items; the recount the aggregate is checked against).</summary>
    public static CampaignDashboard Compute(IReadOnlyList<DashboardItem> items, string timeZone, IReadOnlyList<Phase> phases, DateTimeOffset now)
    {
        var today = ItemStatus.LocalToday(now, timeZone);
        DateOnly Local(DateTimeOffset at) => ItemStatus.LocalToday(at, timeZone);

        int red = 0, yellow = 0, green = 0;
        var overdue = new List<OverdueRow>();
        foreach (var i in items)
        {
            var assignedOn = i.AssignedAt is { } a ? Local(a) : (DateOnly?)null;
            var unacknowledged = i.State == ItemStates.Assigned && i.AssignedAt is { } at
                && now - at > TimeSpan.FromDays(1);
            switch (ItemStatus.Light(i.State, i.EffectiveDeadline, assignedOn, unacknowledged, today))
            {
                case ItemStatus.Red: red++; break;
                case ItemStatus.Yellow: yellow++; break;
                default: green++; break;
            }
            var days = ItemStatus.OverdueDays(i.State, i.EffectiveDeadline, today);
            if (days > 0) overdue.Add(new OverdueRow(i, days));
        }
        overdue = overdue.OrderByDescending(o => o.Days).ThenBy(o => o.Item.Number, StringComparer.Ordinal).ToList();

        var late = new Dictionary<string, (int Lead, int Resp, int Max, int Sum)>(StringComparer.Ordinal);
        foreach (var o in overdue)
        {
            foreach (var code in o.Item.BehindUnits)
            {
                var e = late.GetValueOrDefault(code);
                var isLead = code == o.Item.LeadUnit;
                late[code] = (e.Lead + (isLead ? 1 : 0), e.Resp + (isLead ? 0 : 1), Math.Max(e.Max, o.Days), e.Sum + o.Days);
            }
        }
        var lateUnits = OrderLateUnits(late.Select(kv => new LateUnit(kv.Key, kv.Value.Lead, kv.Value.Resp, kv.Value.Max, kv.Value.Sum)));

        var overdueIds = overdue.Select(o => o.Item.Id).ToHashSet();
        var byLead = OrderByLead(items.GroupBy(i => i.LeadUnit)
            .Select(g => new UnitProgress(g.Key, g.Count(), g.Count(i => i.State == ItemStates.Closed), g.Count(i => overdueIds.Contains(i.Id)))));

        var series = items.Select(i => (Local(i.AssignedAt ?? i.CreatedAt), i.ClosedAt is { } c ? Local(c) : (DateOnly?)null, 1L)).ToList();
        return new CampaignDashboard(today, red, yellow, green, overdue, lateUnits, byLead, BuildSeries(series, phases, today))
        {
            BySource = Features.Items.SourceFigure.Of(items, i => i.Source, i => i.State == ItemStates.Closed, i => i.State is not (ItemStates.Closed or "withdrawn")),
            OverdueCount = overdue.Count,
        };
    }

    /// <summary>
    /// Open and closed counts per day from the campaign's first date to today (weekly when the span is long), from the
    /// items' opening and closing dates, each with how many items share it.
    /// </summary>
    private static List<DayPoint> BuildSeries(IReadOnlyList<(DateOnly Opened, DateOnly? Closed, long N)> items, IReadOnlyList<Phase> phases, DateOnly today)
    {
        if (items.Sum(i => i.N) == 0) return [];
        var opened = Cumulative(items.Where(i => i.N != 0).Select(i => (i.Opened, i.N)));
        var closed = Cumulative(items.Where(i => i.Closed is not null && i.N != 0).Select(i => (i.Closed!.Value, i.N)));
        var first = new[] { opened[0].Date, phases.Count > 0 ? phases.Min(p => p.Start) : today }.Min();
        if (first > today) first = today;
        var span = today.DayNumber - first.DayNumber;
        var step = span > 120 ? 7 : 1;
        var points = new List<DayPoint>();
        for (var d = first; ; d = d.AddDays(step))
        {
            if (d > today) d = today;
            var o = UpTo(opened, d);
            var c = UpTo(closed, d);
            points.Add(new DayPoint(d, (int)(o - c), (int)c));
            if (d == today) break;
        }
        return points;
    }

    /// <summary>Dates in order, each with the number of items on or before it.</summary>
    private static (DateOnly Date, long Total)[] Cumulative(IEnumerable<(DateOnly Date, long N)> dates)
    {
        var result = dates.GroupBy(x => x.Date).OrderBy(g => g.Key).Select(g => (Date: g.Key, Total: g.Sum(x => x.N))).ToArray();
        for (var n = 1; n < result.Length; n++) result[n].Total += result[n - 1].Total;
        return result;
    }

    /// <summary>How many items fall on or before <paramref name="value"/>.</summary>
    private static long UpTo((DateOnly Date, long Total)[] sorted, DateOnly value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid].Date <= value) lo = mid + 1; else hi = mid;
        }
        return lo == 0 ? 0 : sorted[lo - 1].Total;
    }
}
