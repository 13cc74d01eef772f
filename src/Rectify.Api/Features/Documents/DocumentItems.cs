using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Domain;

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
    DateTimeOffset? AssignedAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ClosedAt, DateTimeOffset UpdatedAt, int Version, string TimeZone, string? Source,
    string? Behind = null, string? LatestNote = null)
{
    private DateOnly? Local(DateTimeOffset? at) => at is { } t ? ItemStatus.LocalToday(t, TimeZone) : null;

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

/// <remarks>
/// <see cref="DocumentItem.Behind"/> (the units whose own part is not done, 未签收 marked) and <see cref="DocumentItem.LatestNote"/>
/// (the latest progress note) are read only for the ledger (<see cref="DocumentItems.StreamAsync"/>).
/// </remarks>
public static class DocumentItems
{
    // The same predicates as ItemsApi.List, so the ledger and the list never disagree.
    private const string Where = $"""
        where i.campaign_id = @campaignId and {Access.ItemVisible}
          and (@unitFilter::text is null or i.lead_unit = @unitFilter or @unitFilter = any(i.units))
          and (@state::text is null or i.state = @state)
          and (@overdue::boolean is null or @overdue = coalesce(i.state not in ('closed', 'draft', 'withdrawn') and i.effective_deadline < (@now at time zone c.time_zone)::date, false))
          and (@q::text is null or i.title ilike @qLike or i.number = @q or i.description ilike @qLike)
        """;

    private const string Columns = """
        select i.id, i.seq, i.number, i.category, i.title, i.description, i.measures, i.target,
               p.name as ResponsibleLeaderName, i.lead_unit as LeadUnit, coalesce(lu.name, i.lead_unit) as LeadUnitName, i.units,
               (select string_agg(coalesce((select u.name from units u where u.code = x.code), x.code), '、' order by x.n)
                from unnest(i.units) with ordinality as x(code, n)) as UnitNames,
               i.deadline, i.effective_deadline as EffectiveDeadline, i.ongoing, i.state, i.escalation_level as EscalationLevel,
               i.assigned_at as AssignedAt, i.acknowledged_at as AcknowledgedAt, i.closed_at as ClosedAt, i.updated_at as UpdatedAt,
               i.version, c.time_zone as TimeZone, i.source
        """;

    private const string From = """
        from items i
        join campaigns c on c.id = i.campaign_id
        left join people p on p.id = i.responsible_leader_id
        left join units lu on lu.code = i.lead_unit
        """;

    private static object Parameters(Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now) => new
    {
        campaignId, role = user.Role, unit = user.UnitCode, unitFilter = filters.Unit, state = filters.State,
        overdue = filters.Overdue, q = filters.Q, qLike = SqlLike.Contains(filters.Q), now,
    };

    /// <summary>The campaign's items the caller may see, filtered like the item list, in the campaign's order.</summary>
    public static async Task<IReadOnlyList<DocumentItem>> LoadAsync(
        NpgsqlConnection connection, Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = $"""
            {Columns}, null::text as Behind, null::text as LatestNote
            {From}
            {Where}
            order by i.seq
            """;
        var rows = await connection.QueryAsync<DocumentItem>(new CommandDefinition(sql, Parameters(campaignId, user, filters, now), cancellationToken: ct));
        return rows.ToList();
    }

    /// <summary>The items of <paramref name="ids"/> (a report's listed rows, already chosen by who may see them), in no order.</summary>
    public static async Task<IReadOnlyList<DocumentItem>> LoadByIdsAsync(NpgsqlConnection connection, Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        const string sql = $"""
            {Columns}, null::text as Behind, null::text as LatestNote
            {From}
            where i.id = any(@ids)
            """;
        var rows = await connection.QueryAsync<DocumentItem>(new CommandDefinition(sql, new { ids }, cancellationToken: ct));
        return rows.ToList();
    }

    /// <summary>
    /// How many items <see cref="StreamAsync"/> will give (the ledger's title says it before the rows). An office's or the
    /// administrator's whole campaign (no filter) is the maintained aggregate's sum (item_dashboard_counts: each item in one
    /// light row), a few hundred rows instead of a count of a million items; otherwise the count of the filter.
    /// </summary>
    public static async Task<int> CountAsync(
        NpgsqlConnection connection, Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now, CancellationToken ct)
    {
        if (filters == ItemFilters.None && ItemListing.SeesWholeCampaigns(user))
            return (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                ItemListing.WholeCampaignCount, new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition($"""
            select count(*)::int from items i join campaigns c on c.id = i.campaign_id
            {Where}
            """, Parameters(campaignId, user, filters, now), cancellationToken: ct));
    }

    /// <summary>The rows of one read of <see cref="StreamAsync"/>: small enough that the planner reads them in the index's order.</summary>
    public const int StreamBatch = 1_000;

    /// <summary>
    /// The same items one by one as the database sends them (the ledger streams them into the workbook: memory does not
    /// grow with the campaign), each with the units still behind on their own part and its latest progress note. Read
    /// <see cref="StreamBatch"/> items at a time after the last sequence number seen: one statement for the whole campaign
    /// was planned as a scan and a sort of every item before the first row (a second on a million items). The caller
    /// reads within one snapshot (<see cref="BeginSnapshotAsync"/>), so the reads add up to one consistent list.
    /// </summary>
    public static async IAsyncEnumerable<DocumentItem> StreamAsync(
        NpgsqlConnection connection, Guid campaignId, CurrentUser user, ItemFilters filters, DateTimeOffset now,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        const string sql = $"""
            {Columns},
                   (select string_agg(coalesce((select u.name from units u where u.code = a.unit_code), a.unit_code)
                                      || case when a.state = 'assigned' then '（未签收）' else '' end, '、' order by a.role, a.unit_code)
                    from assignments a
                    where a.item_id = i.id and a.state in ('assigned', 'inProgress')) as Behind,
                   (select j.note from {ProgressNotes.Table} j
                    where j.item_id = i.id and j.type = 'progress' and coalesce(j.note, '') <> ''
                    order by j.at desc limit 1) as LatestNote
            {From}
            {Where} and (@after::int is null or i.seq > @after)
            order by i.seq
            limit @batch
            """;
        var parameters = new DynamicParameters(Parameters(campaignId, user, filters, now));
        parameters.Add("batch", StreamBatch);
        int? after = null;
        while (true)
        {
            parameters.Add("after", after);
            var read = 0;
            await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct)))
            {
                var parse = reader.GetRowParser<DocumentItem>();
                while (await reader.ReadAsync(ct))
                {
                    var item = parse(reader);
                    after = item.Seq;
                    read++;
                    yield return item;
                }
            }
            if (read < StreamBatch) yield break;
        }
    }

    /// <summary>
    /// A read-only snapshot for a document's reads (the count in its title and the batches of its rows agree), without
    /// JIT: the estimate of a batch's per-row subqueries passes JIT's threshold, and compiling them cost more than the read.
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginSnapshotAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await connection.ExecuteAsync(
            new CommandDefinition("set transaction read only; set local jit = off", transaction: snapshot, cancellationToken: ct));
        return snapshot;
    }
}
