using Rectify.Workflows.Calendar;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Documents;

/// <summary>The filters of <c>GET /api/items</c>, applied to the ledger the same way.</summary>
public sealed record ItemFilters(string? Unit, string? State, bool? Overdue, string? Q)
{
    public static readonly ItemFilters None = new(null, null, null, null);
}

/// <summary>An item with everything a ledger or report prints, names resolved.</summary>
public sealed record DocumentItem(
    Guid Id, int Seq, string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    string? ResponsibleLeaderName, string LeadUnit, string LeadUnitName, string[] Units, string? UnitNames,
    DateOnly? Deadline, DateOnly? EffectiveDeadline, bool Ongoing, string State, string EscalationLevel,
    DateTime? AssignedAt, DateTime? AcknowledgedAt, DateTime? ClosedAt, DateTime UpdatedAt, int Version, string TimeZone)
{
    private DateOnly? Local(DateTime? utc) => utc is { } t
        ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById(TimeZone)))
        : null;

    public DateOnly? AssignedOn => Local(AssignedAt);
    public DateOnly? AcknowledgedOn => Local(AcknowledgedAt);
    public DateOnly? ClosedOn => Local(ClosedAt);

    /// <summary>Closed by the end of <paramref name="asOf"/> (a closure recorded later did not exist yet).</summary>
    public bool ClosedBy(DateOnly asOf) => State == "closed" && ClosedOn is { } closed && closed <= asOf;

    /// <summary>Working days past the effective deadline: until <paramref name="asOf"/> when open, until the closure when closed late; 0 before assignment.</summary>
    public int WorkingDaysOverdue(CalendarSnapshot calendar, DateOnly asOf)
    {
        if (State == "draft" || EffectiveDeadline is not { } deadline) return 0;
        var end = ClosedBy(asOf) ? ClosedOn!.Value : asOf;
        return end > deadline ? calendar.WorkingDaysBetween(deadline, end) : 0;
    }
}

public static class DocumentItems
{
    /// <summary>The campaign's items the caller may see, filtered like the item list, in the campaign's order.</summary>
    public static async Task<IReadOnlyList<DocumentItem>> LoadAsync(
        NpgsqlConnection connection, Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now, CancellationToken ct)
    {
        // The same predicates as ItemsApi.List, so the ledger and the list never disagree.
        const string sql = $"""
            select i.id, i.seq, i.number, i.category, i.title, i.description, i.measures, i.target,
                   p.name as ResponsibleLeaderName, i.lead_unit as LeadUnit, coalesce(lu.name, i.lead_unit) as LeadUnitName, i.units,
                   (select string_agg(coalesce(u.name, x.code), '、' order by x.n)
                    from unnest(i.units) with ordinality as x(code, n) left join units u on u.code = x.code) as UnitNames,
                   i.deadline, i.effective_deadline as EffectiveDeadline, i.ongoing, i.state, i.escalation_level as EscalationLevel,
                   i.assigned_at as AssignedAt, i.acknowledged_at as AcknowledgedAt, i.closed_at as ClosedAt, i.updated_at as UpdatedAt,
                   i.version, c.time_zone as TimeZone
            from items i
            join campaigns c on c.id = i.campaign_id
            left join people p on p.id = i.responsible_leader_id
            left join units lu on lu.code = i.lead_unit
            where i.campaign_id = @campaignId and {Access.ItemVisible}
              and (@unitFilter::text is null or i.lead_unit = @unitFilter or @unitFilter = any(i.units))
              and (@state::text is null or i.state = @state)
              and (@overdue::boolean is null or @overdue = coalesce(i.state not in ('closed', 'draft', 'withdrawn') and i.effective_deadline < (@now at time zone c.time_zone)::date, false))
              and (@q::text is null or i.title ilike @qLike or i.number = @q or i.description ilike @qLike)
            order by i.seq
            """;
        var rows = await connection.QueryAsync<DocumentItem>(new CommandDefinition(sql, new
        {
            campaignId, role = user.Role, unit = user.UnitCode, unitFilter = filters.Unit, state = filters.State,
            overdue = filters.Overdue, q = filters.Q, qLike = SqlLike.Contains(filters.Q), now,
        }, cancellationToken: ct));
        return rows.ToList();
    }
}
