using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
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
/// right after the last row seen. Across campaigns (a unit's or a supervision office's list) the campaigns are read one
/// after the other, newest first, each one's rows in sequence order from the same index, each with its own local date.
/// The count stops at <see cref="ExactCountUpTo"/>; beyond, the planner's estimate.
/// </summary>
internal static class ItemListing
{
    public const int ExactCountUpTo = 10_000;

    private const string Open = "i.state not in ('closed', 'draft', 'withdrawn')";

    /// <summary>
    /// The campaign's local date: a parameter within one campaign (an index range); across campaigns each campaign's
    /// own, a constant of the lateral read of that campaign's rows (<see cref="Across"/>), so again an index range.
    /// </summary>
    private const string TodayInCampaign = "@today::date";
    private const string TodayPerRow = "(@now at time zone c.time_zone)::date";

    /// <summary>
    /// <see cref="ItemStatus.Light"/> in SQL. Yellow is either arm: by time, the maintained <c>yellow_from</c> (migration
    /// 0980: the first local date on which 30 % or less of the time is left) up to the deadline; or unacknowledged, the
    /// item or one of its parts still unsigned (maintained <c>items.unsigned</c>) after the acknowledgement's due time.
    /// Each arm is an index's range (items_open_yellow, items_open_unsigned).
    /// </summary>
    private static string Red(string today) => $"({Open} and i.effective_deadline < {today})";

    private static string ByTime(string today) => $"(i.yellow_from <= {today} and i.effective_deadline >= {today})";

    private const string Unacknowledged = "(i.ack_due_at <= @now and (i.state = 'assigned' or i.unsigned))";

    private static string Yellow(string today) =>
        $"({Open} and not coalesce(i.effective_deadline < {today}, false) and ({ByTime(today)} or {Unacknowledged}))";

    private static string AnyLight(string today) => $"""
        (@light::text is null
               or (@light = 'red' and {Red(today)})
               or (@light = 'yellow' and {Yellow(today)})
               or (@light = 'green' and not coalesce({Red(today)}, false) and not coalesce({Yellow(today)}, false)))
        """;

    /// <summary>
    /// The search text (<c>q</c>): an item whose number is it, or whose title or description contains it, read from
    /// <c>item_search</c> (migration 0999), which holds those columns beside their trigram indexes so that the writes of
    /// an item that leave its text alone (a launch, every event) do not enter a hundred trigrams again. A semi-join when
    /// searching (the statements are built for it, <paramref name="search"/>), no clause at all otherwise: within a
    /// campaign on the sequence number, so a page is read from item_search in order (the campaign's matches one after the
    /// other, only the page's items looked up: a page of 50 of 4,000 matches in 200,000 items 4 ms, where a probe of
    /// item_search for each of the campaign's items in order took 21 ms). A list read in order from something other than
    /// the campaign's items (a unit's assignments, campaign after campaign: <paramref name="onItems"/>) tests each item's
    /// own columns as it goes, as before: a probe of item_search per item read cost more than the test (a unit's 2,000
    /// items searched in vain: 11 ms on the items, 27 through item_search).
    /// </summary>
    private static string Where(string today, string light, bool search, bool onItems = false) => $"""
        where {Access.ItemVisible}
          and (@campaignId::uuid is null or i.campaign_id = @campaignId)
          and (@unitFilter::text is null or i.lead_unit = @unitFilter or i.units @> array[@unitFilter]::text[])
          and (@assignmentState::text is null or exists (
                select 1 from assignments a where a.item_id = i.id and a.unit_code = @unitFilter and a.state = @assignmentState))
          and (@state::text is null or i.state = @state)
          and (@overdue::boolean is not true or {Red(today)})
          and (@overdue::boolean is not false or not coalesce({Red(today)}, false))
          {(!search ? "" : onItems || today != TodayInCampaign ? OnItems : InItemSearch)}
          and {light}
        """;

    // item_search keeps the text folded: like against the folded pattern is ilike without folding each row again.
    private const string Matches =
        "(s.title_folded like lower(@qLike) or s.number = @q or s.description_folded like lower(@qLike))";

    private const string InItemSearch = $"and i.seq in (select s.seq from item_search s where s.campaign_id = @campaignId and {Matches})";

    private const string OnItems = "and (i.title ilike @qLike or i.number = @q or i.description ilike @qLike)";

    /// <summary>
    /// A search of one whole campaign as an office or the administrator sees it (no other filter,
    /// <see cref="SearchesWholeCampaign"/>) is read from item_search alone, as the trigram indexes give the matches, and
    /// only the page's items are looked up: the semi-join looked up each match's item for the count (18 ms for 4,000
    /// matches in 200,000 items, against 8) and walked the campaign in order for a deep page of matches (page 20: 77 ms,
    /// against 17). Nothing for a campaign the caller may not see (a one-time filter, so the scan may still be parallel).
    /// </summary>
    private static readonly string WholeCampaignMatches = $"""
        from item_search s
        where s.campaign_id = @campaignId and {Matches}
          and exists (select 1 from campaigns c where c.id = @campaignId and {Access.CampaignVisible})
        """;

    public static readonly string WholeCampaignSearchPage = $"""
        with keys as (
            select s.seq {WholeCampaignMatches} and (@after::int is null or s.seq > @after)
            order by s.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.seq = i.seq where i.campaign_id = @campaignId order by i.seq
        """;

    /// <summary>
    /// A later page by number (<c>page</c> &gt; 1) of the same search: every match first, as the trigram indexes give them,
    /// then sorted, instead of walking the campaign's matches in order past the pages before (page 20 of 4,000 matches in
    /// 200,000 items: 91 ms walking, as the planner chose, against 21 when the items carried the indexes).
    /// </summary>
    public static readonly string WholeCampaignSearchLaterPage = $"""
        with matched as materialized (select s.seq {WholeCampaignMatches}),
             keys as (select m.seq from matched m order by m.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.seq = i.seq where i.campaign_id = @campaignId order by i.seq
        """;

    public static readonly string WholeCampaignSearchCount = $"select count(*) from (select 1 {WholeCampaignMatches} limit @cap) matched";

    public static readonly string WholeCampaignSearchEstimate = $"explain (format json) select 1 {WholeCampaignMatches}";

    private static string Where(string today, bool search) => Where(today, AnyLight(today), search);

    private static string WhereOfUnit(string today, bool search) => Where(today, AnyLight(today), search, onItems: true);

    private const string From = "from items i join campaigns c on c.id = i.campaign_id";

    private static string InCampaign(bool search) => $"""
        with keys as (
            select i.seq {From} {Where(TodayInCampaign, search)} and (@after::int is null or i.seq > @after)
            order by i.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.seq = i.seq where i.campaign_id = @campaignId order by i.seq
        """;

    /// <summary>
    /// Across campaigns, newest campaign first, each campaign's rows by sequence number. Read campaign by campaign (a
    /// lateral read of at most <c>@limit + @offset</c> keys from each, in index order), never sorting every visible row
    /// of every campaign: a supervision office's million-item campaign gives its first page from 50 index entries.
    /// </summary>
    private static string Across(bool search) => $"""
        with keys as materialized (
            select c.id as campaign_id, c.created_at, k.seq
            from campaigns c
            cross join lateral (
                select i.seq from items i {Where(TodayPerRow, search)} and i.campaign_id = c.id order by i.seq limit @limit + @offset) k
            order by c.created_at desc, c.id, k.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.campaign_id = i.campaign_id and k.seq = i.seq
        order by k.created_at desc, k.campaign_id, k.seq
        """;

    /// <summary>The count across campaigns, campaign by campaign, each read stopping at the cap.</summary>
    private static string CountAcross(bool search) => $"""
        select count(*) from (
            select 1 from campaigns c
            cross join lateral (select 1 from items i {Where(TodayPerRow, search)} and i.campaign_id = c.id limit @cap) k
            limit @cap) matched
        """;

    private static string Count(string today, bool search) =>
        $"select count(*) from (select 1 {From} {Where(today, search)} limit @cap) matched";

    /// <summary>
    /// The count of light=yellow within a campaign, its two arms one after the other (disjoint: the second without the
    /// first): yellow by time from the index alone (items_open_yellow holds every column it reads), and only when that
    /// is short of the cap the unacknowledged ones. A million-item campaign's count stops within the first index range.
    /// </summary>
    private static readonly string YellowByTime = $"({Open} and {ByTime(TodayInCampaign)})";

    private static readonly string YellowOtherwise =
        $"({Open} and not coalesce(i.effective_deadline < {TodayInCampaign}, false) and {Unacknowledged}"
        + $" and not coalesce({ByTime(TodayInCampaign)}, false))";

    private static string CountYellowInCampaign(bool search) => $"""
        select count(*) from (
            (select 1 {From} {Where(TodayInCampaign, YellowByTime, search)} limit @cap)
            union all
            (select 1 {From} {Where(TodayInCampaign, YellowOtherwise, search)} limit @cap)
            limit @cap) matched
        """;

    private static string Estimate(string today, bool search) => $"explain (format json) select 1 {From} {Where(today, search)}";

    /// <summary>
    /// A unit's items (a unit user's list, an office's list filtered by unit: <c>@scopeUnit</c>, <see cref="ScopeUnit"/>)
    /// are found through the unit's assignments, in item order (assignments_unit_items, migration 0996): every item of a
    /// unit has the unit's assignment, so joining each to its item and applying the whole filter there gives the same rows
    /// as the campaign's items in order, while reading about as many rows as the page shows instead of a hundred times as
    /// many (a unit has one item in a hundred of a national campaign).
    /// </summary>
    private const string UnitItems = "assignments a join items i on i.campaign_id = a.campaign_id and i.seq = a.item_seq";

    private const string FromUnit = $"from {UnitItems} join campaigns c on c.id = i.campaign_id";

    private static string InCampaignOfUnit(bool search) => $"""
        with keys as (
            select a.item_seq as seq {FromUnit} {WhereOfUnit(TodayInCampaign, search)}
              and a.campaign_id = @campaignId and a.unit_code = @scopeUnit and (@after::int is null or a.item_seq > @after)
            order by a.item_seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.seq = i.seq where i.campaign_id = @campaignId order by i.seq
        """;

    /// <summary>The unit's items in one campaign, read from its assignments in item order (the outer <c>c</c>).</summary>
    private static string UnitItemsOf(string select, string limit, bool search) => $"""
        select {select} from {UnitItems}
        {WhereOfUnit(TodayPerRow, search)} and a.campaign_id = c.id and a.unit_code = @scopeUnit order by a.item_seq limit {limit}
        """;

    private static string AcrossOfUnit(bool search) => $"""
        with keys as materialized (
            select c.id as campaign_id, c.created_at, k.seq
            from campaigns c
            cross join lateral ({UnitItemsOf("a.item_seq as seq", "@limit + @offset", search)}) k
            order by c.created_at desc, c.id, k.seq limit @limit offset @offset)
        {ItemRow.Select} join keys k on k.campaign_id = i.campaign_id and k.seq = i.seq
        order by k.created_at desc, k.campaign_id, k.seq
        """;

    private static string CountInCampaignOfUnit(bool search) => $"""
        select count(*) from (
            select 1 {FromUnit} {WhereOfUnit(TodayInCampaign, search)}
              and a.campaign_id = @campaignId and a.unit_code = @scopeUnit limit @cap) matched
        """;

    private static string CountAcrossOfUnit(bool search) => $"""
        select count(*) from (
            select 1 from campaigns c cross join lateral ({UnitItemsOf("1", "@cap", search)}) k limit @cap) matched
        """;

    /// <summary>
    /// The count of a unit's items with no filter on the items (<see cref="CountsUnitItemsOnly"/>), from the assignments
    /// index alone: an assignment not withdrawn is one of the unit's items (migration 0996); a withdrawn one (the unit
    /// taken off, or every unit of a withdrawn item) is looked up. 10,000 of a unit's items: 4 ms instead of 60.
    /// </summary>
    public static readonly string UnitItemsCount = $"""
        select count(*) from (
            select 1 from campaigns c
            cross join lateral (
                select 1 from assignments a
                where a.campaign_id = c.id and a.unit_code = @scopeUnit
                  and (a.state <> 'withdrawn' or exists (
                        select 1 from items i
                        where i.campaign_id = a.campaign_id and i.seq = a.item_seq
                          and (i.lead_unit = @scopeUnit or i.units @> array[@scopeUnit]::text[])))
                limit @cap) k
            where (@campaignId::uuid is null or c.id = @campaignId) and {Access.ScopeUnitItemVisible}
            limit @cap) matched
        """;

    /// <summary>
    /// The estimate beyond the bound of <see cref="UnitItemsCount"/>: the planner's figure for the unit's assignments not
    /// withdrawn (its statistics of assignments by unit), not for their join with the items, which it puts at half as
    /// many or fewer (10,001 for unit17's 20,000 items on the million-item copy, so the pager ended half-way).
    /// </summary>
    public static readonly string UnitItemsEstimate = $"""
        explain (format json) select 1 from assignments a join campaigns c on c.id = a.campaign_id
        where a.unit_code = @scopeUnit and a.state <> 'withdrawn' and (@campaignId::uuid is null or c.id = @campaignId)
          and {Access.ScopeUnitItemVisible}
        """;

    private static string EstimateOfUnit(string today, bool search) =>
        $"explain (format json) select 1 {FromUnit} {WhereOfUnit(today, search)} and a.unit_code = @scopeUnit";

    /// <summary>The statements of one kind of list, without a search text (index 0) and with one (index 1).</summary>
    private static (string, string, string)[] Both(Func<bool, (string, string, string)> build) => [build(false), build(true)];

    private static readonly (string, string, string)[] InCampaignSql =
        Both(search => (InCampaign(search), Count(TodayInCampaign, search), Estimate(TodayInCampaign, search)));

    private static readonly (string, string, string)[] YellowInCampaignSql =
        Both(search => (InCampaign(search), CountYellowInCampaign(search), Estimate(TodayInCampaign, search)));

    private static readonly (string, string, string)[] AcrossSql =
        Both(search => (Across(search), CountAcross(search), Estimate(TodayPerRow, search)));

    private static readonly (string, string, string)[] InCampaignOfUnitSql =
        Both(search => (InCampaignOfUnit(search), CountInCampaignOfUnit(search), EstimateOfUnit(TodayInCampaign, search)));

    private static readonly (string, string, string)[] AcrossOfUnitSql =
        Both(search => (AcrossOfUnit(search), CountAcrossOfUnit(search), EstimateOfUnit(TodayPerRow, search)));

    /// <summary>
    /// The page's SQL, the bounded count and the estimate, for a list within one campaign (parameter <c>@today</c>, the
    /// campaign's local date, <see cref="LocalTodayAsync"/>) or across campaigns (each campaign's own date per row); a
    /// unit's items (<paramref name="ofUnit"/>: <see cref="ScopeUnit"/> is set) through its assignments; with the search
    /// text's semi-join when <paramref name="search"/> (<c>q</c> is given).
    /// </summary>
    public static (string Page, string Count, string Estimate) Sql(bool inCampaign, string? light, bool ofUnit, bool search) =>
        ((inCampaign, ofUnit) switch
        {
            (true, true) => InCampaignOfUnitSql,
            (false, true) => AcrossOfUnitSql,
            (true, false) => light == ItemStatus.Yellow ? YellowInCampaignSql : InCampaignSql,
            (false, false) => AcrossSql,
        })[search ? 1 : 0];

    /// <summary>
    /// The unit whose items the list is (<c>@scopeUnit</c>): the unit filter, or a unit user's own unit (who sees only
    /// its unit's items); none for an office's unfiltered list.
    /// </summary>
    public static string? ScopeUnit(CurrentUser user, ItemFilter filter) => filter.Unit ?? (user.Role == Roles.Unit ? user.UnitCode : null);

    /// <summary>
    /// Whether the list is a unit's items with no other filter, seen by an office or by that unit itself: then its total
    /// is <see cref="UnitItemsCount"/>.
    /// </summary>
    public static bool CountsUnitItemsOnly(CurrentUser user, ItemFilter filter) =>
        ScopeUnit(user, filter) is { } scope
        && filter is { State: null, Overdue: null, Q: null, AssignmentState: null, Light: null }
        && (user.Role != Roles.Unit || scope == user.UnitCode);

    /// <summary>The campaign's local date now (<see cref="ItemStatus.LocalToday"/>); null when there is no such campaign.</summary>
    public static async Task<DateOnly?> LocalTodayAsync(
        NpgsqlConnection connection, Guid campaignId, DateTimeOffset now, CancellationToken ct)
    {
        var zone = await connection.ExecuteScalarAsync<string?>(
            new CommandDefinition("select time_zone from campaigns where id = @campaignId", new { campaignId }, cancellationToken: ct));
        return zone is null ? null : ItemStatus.LocalToday(now, zone);
    }

    /// <summary>
    /// The total of one whole campaign as an office or the administrator sees it (no filter but the campaign): the sum of
    /// the maintained aggregate (item_dashboard_counts, each item in one light row, kept in the writing transaction), exact
    /// at any size, where a count stopped at <see cref="ExactCountUpTo"/> read ten thousand index entries and then asked
    /// the planner. Zero for a campaign the caller may not see, as the list.
    /// </summary>
    public static readonly string WholeCampaignCount = $"""
        select case when exists (select 1 from campaigns c where c.id = @campaignId and {Access.CampaignVisible})
                    then ({CampaignItems}) else 0 end::bigint
        """;

    /// <summary>The number of campaign <c>@campaignId</c>'s items: the sum of its maintained light rows (each item in one).</summary>
    private const string CampaignItems =
        "select coalesce(sum(d.n), 0) from item_dashboard_counts d where d.campaign_id = @campaignId and d.kind = 'light'";

    /// <summary>
    /// The sequence number after which the row at <paramref name="offset"/> of a whole campaign's list comes, when the
    /// campaign's items are numbered without a gap (the lowest and highest number span exactly as many numbers as the
    /// maintained count has items, read in one snapshot): a deep page then reads its fifty rows from the index right away,
    /// instead of walking half a million index entries to skip them (the pager's last page of a million items). Null when
    /// there is a gap (an item deleted from a draft), and the page walks as before.
    /// </summary>
    public static async Task<int?> SeqAtOffsetAsync(NpgsqlConnection connection, Guid campaignId, long offset, CancellationToken ct)
    {
        const string sql = $"""
            select (select min(seq) from items where campaign_id = @campaignId) as First,
                   (select max(seq) from items where campaign_id = @campaignId) as Last,
                   ({CampaignItems}) as Count
            """;
        var span = await connection.QuerySingleAsync<(int? First, int? Last, long Count)>(
            new CommandDefinition(sql, new { campaignId }, cancellationToken: ct));
        // Past the last item the page is empty: after the last number.
        return span is { First: { } first, Last: { } last } && last - first + 1L == span.Count
            ? (int)Math.Min(first + offset - 1, last)
            : null;
    }

    /// <summary>One campaign and a search text, no other filter, for an office or the administrator.</summary>
    public static bool SearchesWholeCampaign(CurrentUser user, ItemFilter filter) =>
        filter is { CampaignId: not null, Q: not null, Unit: null, State: null, Overdue: null, AssignmentState: null, Light: null }
        && SeesWholeCampaigns(user);

    /// <summary>
    /// An office or the administrator sees every item of a campaign it may see: its total is <see cref="WholeCampaignCount"/>.
    /// </summary>
    public static bool SeesWholeCampaigns(CurrentUser user) => user.Role is Roles.Admin or Roles.LeadingGroup or Roles.Supervisor;

    /// <summary>
    /// A list's total from its count stopped at <see cref="ExactCountUpTo"/> + 1: exact up to it, beyond it the larger of
    /// that and the planner's estimate (<paramref name="estimateSql"/>), marked as estimated (the UI says 约).
    /// </summary>
    public static async Task<(long Total, bool Estimated)> TotalAsync(
        NpgsqlConnection connection, long counted, string estimateSql, object parameters, CancellationToken ct) =>
        counted > ExactCountUpTo
            ? (Math.Max(counted, await EstimateAsync(connection, estimateSql, parameters, ct)), true)
            : (counted, false);

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
