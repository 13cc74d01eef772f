using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Documents;

/// <summary>
/// A list of a report bounded to <see cref="ReportLists.Limit"/> rows: the rows printed and how many items the list has
/// in all (more than the rows when bounded; the ledger lists every one).
/// </summary>
public sealed record ReportList(IReadOnlyList<DocumentItem> Rows, int Count)
{
    public bool Bounded => Count > Rows.Count;
}

/// <summary>
/// The item lists of a report (三: overdue, or in the final report every unfinished item; 四: closed), as they stood
/// at the end of the report's date. A report states every figure but does not print a national campaign's hundreds of
/// thousands of items one row each (the ledger, ledger.xlsx, does): each list prints at most <see cref="Limit"/> rows.
/// Up to the limit a list is exactly what it always was, in the campaign's order (三) or by closing date (四); beyond
/// it 三 prints the items most overdue first (earliest effective deadline, then the campaign's order) and 四 the most
/// recently closed first, each read by index in that order (items_open_deadline, migration 0900; items_closed_at, 0985).
/// </summary>
public static class ReportLists
{
    public const int Limit = 300;

    /// <summary>Whose report of which campaign, as of the end of which local date (<paramref name="EndOfDay"/> the instant).</summary>
    public sealed record Query(Guid CampaignId, CurrentUser User, DateOnly AsOf, DateTimeOffset EndOfDay);

    // The caller may see the item; the campaign is joined as c.
    private const string From = $"""
        from items i join campaigns c on c.id = i.campaign_id
        where i.campaign_id = @campaignId and {Access.ItemVisible}
        """;

    // A unit's lists are read from its own items first (a few thousand of a national campaign's million, by its indexes),
    // then ordered: walking the campaign's index in the list's order for the unit's rows reads every closed or open item
    // of the campaign when the unit has few (5.8 s for a unit with no closed item among 220,000, 1M copy).
    private const string Mine = """
        with mine as materialized (
            select i.* from items i where i.campaign_id = @campaignId and (i.lead_unit = @unit or i.units @> array[@unit]::text[]))
        """;

    private const string FromMine = $"""
        from mine i join campaigns c on c.id = i.campaign_id
        where i.campaign_id = @campaignId and {Access.ItemVisible}
        """;

    /// <summary>The statement's opening (the unit's items, for a unit) and its <c>from … where</c> for the caller.</summary>
    private static (string With, string From) Shape(Query query) => query.User.Role == Roles.Unit ? (Mine, FromMine) : ("", From);

    // Closed after the local date: the range on closed_at (two days' margin for any zone) reads the index, the date decides.
    private const string ClosedAfter = """
        i.closed_at > @endOfDay - interval '2 days' and (i.closed_at at time zone c.time_zone)::date > @asOf
        """;

    private const string Overdue = """
        i.state not in ('draft', 'withdrawn') and (i.assigned_at is null or (i.assigned_at at time zone c.time_zone)::date <= @asOf)
        and i.effective_deadline < @asOf
        """;

    /// <summary>三 of the progress report: the items overdue at the end of the date (not closed by then, not withdrawn).</summary>
    public static Task<ReportList> OverdueAsync(NpgsqlConnection connection, Query query, int count, CancellationToken ct) =>
        OpenAsync(connection, query, Overdue, null, count, ct);

    /// <summary>三 of the final report: every item not closed by the end of the date.</summary>
    public static Task<ReportList> UnfinishedAsync(NpgsqlConnection connection, Query query, int count, CancellationToken ct) =>
        OpenAsync(connection, query, "true", "('draft', 'withdrawn')", count, ct);

    private static async Task<ReportList> OpenAsync(
        NpgsqlConnection connection, Query query, string condition, string? neverClosed, int count, CancellationToken ct)
    {
        // Not closed by then: open now (the partial index), closed after the date, or (the final report's) never closed:
        // withdrawn and draft.
        var (with, from) = Shape(query);
        var never = neverClosed is null ? "" : $"""
            union all
            (select i.id, i.effective_deadline, i.seq {from} and i.state in {neverClosed} and {condition}
             order by i.effective_deadline, i.seq limit @limit)
            """;
        var sql = $"""
            {with}
            select id from (
                (select i.id, i.effective_deadline, i.seq {from} and i.state not in ('closed', 'draft', 'withdrawn') and {condition}
                 order by i.effective_deadline, i.seq limit @limit)
                union all
                (select i.id, i.effective_deadline, i.seq {from} and i.state = 'closed' and {ClosedAfter} and {condition}
                 order by i.effective_deadline, i.seq limit @limit)
                {never}
            ) x
            order by effective_deadline, seq limit @limit
            """;
        var rows = await LoadAsync(connection, sql, query, ct);
        // Within the limit, the campaign's order as always; beyond it, most overdue first.
        var ordered = count <= Limit
            ? rows.OrderBy(i => i.Seq)
            : rows.OrderBy(i => i.EffectiveDeadline ?? DateOnly.MaxValue).ThenBy(i => i.Seq);
        return new ReportList(ordered.ToList(), Math.Max(count, rows.Count));
    }

    /// <summary>四: the items closed by the end of the date.</summary>
    public static async Task<ReportList> ClosedAsync(NpgsqlConnection connection, Query query, int count, CancellationToken ct)
    {
        var (with, from) = Shape(query);
        var sql = $"""
            {with}
            select i.id {from} and i.state = 'closed' and i.closed_at < @endOfDay + interval '2 days'
              and (i.closed_at at time zone c.time_zone)::date <= @asOf
            order by i.closed_at desc, i.seq limit @limit
            """;
        var rows = await LoadAsync(connection, sql, query, ct);
        // Within the limit, by closing date then the campaign's order as always; beyond it, the most recently closed first.
        var ordered = count <= Limit
            ? rows.OrderBy(i => i.ClosedOn).ThenBy(i => i.Seq)
            : rows.OrderByDescending(i => i.ClosedAt).ThenBy(i => i.Seq);
        return new ReportList(ordered.ToList(), Math.Max(count, rows.Count));
    }

    private static async Task<IReadOnlyList<DocumentItem>> LoadAsync(
        NpgsqlConnection connection, string sql, Query query, CancellationToken ct)
    {
        var (campaignId, user, asOf, endOfDay) = query;
        var parameters = new { campaignId, role = user.Role, unit = user.UnitCode, asOf, endOfDay, limit = Limit };
        var ids = (await connection.QueryAsync<Guid>(new CommandDefinition(sql, parameters, cancellationToken: ct))).ToArray();
        return await DocumentItems.LoadByIdsAsync(connection, ids, ct);
    }
}
