using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Ui;

/// <summary>
/// One item as the dashboard needs it: dates and units, no long texts. <paramref name="BehindUnits"/> are the units whose
/// own part (assignment) is neither completed nor withdrawn (issue 12): only they are late when the item is.
/// </summary>
public sealed record DashboardItem(
    Guid Id, string? Number, string Title, string State, string LeadUnit, string[] Units, DateOnly? EffectiveDeadline,
    bool Ongoing, string EscalationLevel, DateTime? AssignedAt, DateTime? ClosedAt, DateTime CreatedAt, string[] BehindUnits);

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
/// </summary>
public sealed record CampaignDashboard(
    DateOnly Today, int Red, int Yellow, int Green, IReadOnlyList<OverdueRow> Overdue, IReadOnlyList<LateUnit> LateUnits,
    IReadOnlyList<UnitProgress> ByLeadUnit, IReadOnlyList<DayPoint> Series)
{
    public static async Task<CampaignDashboard> LoadAsync(
        NpgsqlConnection connection, Guid campaignId, string timeZone, IReadOnlyList<Phase> phases, CurrentUser user, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = $"""
            select i.id, i.number, i.title, i.state, i.lead_unit as LeadUnit, i.units, i.effective_deadline as EffectiveDeadline,
                   i.ongoing, i.escalation_level as EscalationLevel, i.assigned_at as AssignedAt, i.closed_at as ClosedAt, i.created_at as CreatedAt,
                   array(select a.unit_code from assignments a where a.item_id = i.id and a.state in ('assigned', 'inProgress') order by a.unit_code) as BehindUnits
            from items i join campaigns c on c.id = i.campaign_id
            where i.campaign_id = @campaignId and {Access.ItemVisible}
            order by i.seq
            """;
        var items = (await connection.QueryAsync<DashboardItem>(new CommandDefinition(sql,
            new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct))).ToList();
        return Compute(items, timeZone, phases, now);
    }

    public static CampaignDashboard Compute(IReadOnlyList<DashboardItem> items, string timeZone, IReadOnlyList<Phase> phases, DateTimeOffset now)
    {
        var today = ItemStatus.LocalToday(now, timeZone);
        DateOnly Local(DateTime utc) => ItemStatus.LocalToday(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), timeZone);

        int red = 0, yellow = 0, green = 0;
        var overdue = new List<OverdueRow>();
        foreach (var i in items)
        {
            var assignedOn = i.AssignedAt is { } a ? Local(a) : (DateOnly?)null;
            var unacknowledged = i.State == ItemStates.Assigned && i.AssignedAt is { } at
                && now - new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) > TimeSpan.FromDays(1);
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
        var lateUnits = late.Select(kv => new LateUnit(kv.Key, kv.Value.Lead, kv.Value.Resp, kv.Value.Max, kv.Value.Sum))
            .OrderByDescending(u => u.AsLead).ThenByDescending(u => u.MaxDays).ThenByDescending(u => u.AsResponsible).ThenBy(u => u.Code, StringComparer.Ordinal)
            .ToList();

        var overdueIds = overdue.Select(o => o.Item.Id).ToHashSet();
        var byLead = items.GroupBy(i => i.LeadUnit)
            .Select(g => new UnitProgress(g.Key, g.Count(), g.Count(i => i.State == ItemStates.Closed), g.Count(i => overdueIds.Contains(i.Id))))
            .OrderByDescending(u => u.Overdue).ThenBy(u => u.ClosedShare).ThenBy(u => u.Code, StringComparer.Ordinal)
            .ToList();

        return new CampaignDashboard(today, red, yellow, green, overdue, lateUnits, byLead, BuildSeries(items, phases, today, Local));
    }

    /// <summary>Open and closed counts per day from the campaign's first date to today (weekly when the span is long).</summary>
    private static List<DayPoint> BuildSeries(IReadOnlyList<DashboardItem> items, IReadOnlyList<Phase> phases, DateOnly today, Func<DateTime, DateOnly> local)
    {
        if (items.Count == 0) return [];
        var opened = items.Select(i => local(i.AssignedAt ?? i.CreatedAt)).ToList();
        var closed = items.Where(i => i.ClosedAt is not null).Select(i => local(i.ClosedAt!.Value)).ToList();
        var first = new[] { opened.Min(), phases.Count > 0 ? phases.Min(p => p.Start) : today }.Min();
        if (first > today) first = today;
        var span = today.DayNumber - first.DayNumber;
        var step = span > 120 ? 7 : 1;
        var openedSorted = opened.Order().ToArray();
        var closedSorted = closed.Order().ToArray();
        var points = new List<DayPoint>();
        for (var d = first; ; d = d.AddDays(step))
        {
            if (d > today) d = today;
            var o = UpperBound(openedSorted, d);
            var c = UpperBound(closedSorted, d);
            points.Add(new DayPoint(d, o - c, c));
            if (d == today) break;
        }
        return points;
    }

    private static int UpperBound(DateOnly[] sorted, DateOnly value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
