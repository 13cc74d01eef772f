using System.Collections.Concurrent;
using System.Data;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Features.Todo;

/// <summary>
/// One thing waiting for the caller. <c>dueDate</c> is the local date it is due by (a deadline, a milestone, a report
/// date), <c>dueAt</c> the instant (the end of that day in the campaign's zone, or the time itself: signing, a talk);
/// <c>deadline</c> is the item's current deadline where a decision is about an item, <c>requestedDeadline</c> the date an
/// extension asks for; <c>url</c> the page where it is done.
/// </summary>
public sealed record TodoItem(
    string Kind, Guid CampaignId, string CampaignTitle, Guid? ItemId, Guid? DeliverableId, Guid? EscalationId, string? Number, string Title,
    DateTimeOffset? DueAt, DateOnly? DueDate, bool Overdue, string? Unit, string? Role, DateOnly? Deadline, DateOnly? RequestedDeadline,
    string? Level, string? State, string? Note, string Url);

/// <summary>
/// The caller's 待办: the number of each kind that can wait for it (0 included), one page of the list, its total. A kind
/// with more than <see cref="TodoQuery.ExactCountUpTo"/> rows is counted that far and then estimated by the planner: it is
/// named in <c>estimated</c>, and <c>totalEstimated</c> is true (a screen says 约), as in the item list.
/// </summary>
public sealed record TodoPage(IReadOnlyDictionary<string, long> Counts, IReadOnlyList<TodoItem> Items, long Total)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? TotalEstimated { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Estimated { get; init; }
}

/// <summary>
/// The 待办 in one statement (issue 13 §1; a million items, issue 17): a union of one set-based branch per kind, each
/// starting from an index on the caller's unit or its campaigns (assignments by unit and state, items by campaign and
/// state, pending extensions, submitted deliverables, open escalations by office), materialized once, then counted by
/// kind and cut into a page. Only the page's rows are joined with titles and notes. Visibility is the item list's: a
/// unit's branches read its own assignments and deliverables of launched campaigns, an office's read the campaigns it
/// issued or supervises; closed campaigns (archives) and finished or withdrawn items wait for nobody.
/// </summary>
public static class TodoQuery
{
    private const string Open = "i.state in ('assigned', 'inProgress', 'closureRequested')";
    private const string Today = "(@now at time zone c.time_zone)::date";
    private const string Offices = "(@role = 'admin' or (@role = 'leadingGroup' and c.issued_by_unit = @unit))";
    // The runtime names the office of every escalation (the supervision office, else the issuing one): its partial index.
    private const string Supervises = "@role = 'supervisor' and e.office_unit = @unit";
    private const string Ladder = "array['urge', 'supervisionLetter', 'listedSupervision', 'admonitoryTalk']::text[]";

    /// <summary>The columns of every branch, in order (the first branch names them; a branch on its own is named by this).</summary>
    private const string Columns = "kind, rank, campaign_id, item_id, deliverable_id, escalation_id, unit, role, due_date, due_at, deadline, requested, level, state, seq, sub, extra";
    private const string Union = $"""
        select 'returned'::text as kind, 1 as rank, c.id as campaign_id, i.id as item_id, null::uuid as deliverable_id, null::uuid as escalation_id,
               a.unit_code as unit, a.role, i.effective_deadline as due_date, null::timestamptz as due_at, i.effective_deadline as deadline,
               null::date as requested, null::text as level, i.state, i.seq, 0 as sub, null::text as extra
        from assignments a join items i on i.id = a.item_id join campaigns c on c.id = i.campaign_id
        where @role = 'unit' and a.unit_code = @unit and a.returned_at is not null and a.state = 'inProgress' and {Open} and c.state = 'active'
        union all
        select 'acknowledge', 2, c.id, i.id, null, null, a.unit_code, a.role, null, i.ack_due_at, i.effective_deadline, null, null, i.state, i.seq, 0, null
        from assignments a join items i on i.id = a.item_id join campaigns c on c.id = i.campaign_id
        where @role = 'unit' and a.unit_code = @unit and a.state = 'assigned' and {Open} and c.state = 'active'
        union all
        -- A periodic report (ongoing items) is due when the item's next report date is near and the unit has not reported
        -- for the period yet: the rule of the escalation timer (Firing: reported after the previous report date).
        select 'report', 3, c.id, i.id, null, null, a.unit_code, a.role, p.due, null, null, null, null, i.state, i.seq, 0, null
        from assignments a join items i on i.id = a.item_id join campaigns c on c.id = i.campaign_id
        join workflow_definitions w on w.id = c.workflow_id and w.version = c.workflow_version
        cross join lateral (
            select min(split_part(t.step, ':', 2)::date) as due from timers t where t.subject_id = i.id and t.step like 'periodic:%') p
        where @role = 'unit' and a.unit_code = @unit and a.state in ('assigned', 'inProgress') and i.ongoing and {Open} and c.state = 'active'
          and p.due <= {Today} + @soon
          and (a.last_report_at is null or (a.last_report_at at time zone c.time_zone)::date
               <= (p.due - coalesce(i.report_every, w.definition->'periodicReports'->>'every', 'P1M')::interval)::date)
        union all
        -- A part to finish: due within the window (or late); for the lead unit also as soon as every other unit is done.
        -- Read in order from the part's own copy of its item's deadline and number (assignments_to_complete, 0993).
        select 'complete', 4, c.id, i.id, null, null, a.unit_code, a.role, a.item_deadline, null, a.item_deadline, null, null, i.state, a.item_seq, 0, null
        from assignments a join items i on i.id = a.item_id join campaigns c on c.id = a.campaign_id
        where @role = 'unit' and a.unit_code = @unit and a.state = 'inProgress' and a.returned_at is null and not i.ongoing and c.state = 'active'
          and ((a.role = 'responsible' and {Open}) or (a.role = 'lead' and i.state = 'inProgress'))
          and (a.item_deadline <= {Today} + @soon
               or (a.role = 'lead'
                   and exists (select 1 from assignments o where o.item_id = i.id and o.role = 'responsible' and o.state <> 'withdrawn')
                   and not exists (select 1 from assignments o where o.item_id = i.id and o.role = 'responsible' and o.state in ('assigned', 'inProgress'))))
        union all
        select 'milestone', 5, c.id, i.id, null, null, a.unit_code, a.role, m.date, null, i.effective_deadline, null, null, i.state, i.seq, m.seq, m.text
        from assignments a join items i on i.id = a.item_id join campaigns c on c.id = i.campaign_id
        join item_milestones m on m.item_id = i.id
        where @role = 'unit' and a.unit_code = @unit and a.state in ('assigned', 'inProgress') and {Open} and c.state = 'active'
          and m.done_at is null and m.date <= {Today} + @soon
        union all
        select 'submitDeliverable', 6, c.id, null, d.id, null, d.unit_code, null, d.due_date, null, d.due_date, null, null, d.state, 0, 0, d.kind
        from deliverables d join campaigns c on c.id = d.campaign_id
        where @role = 'unit' and d.unit_code = @unit and d.state in ('pending', 'returned') and c.state = 'active'
        union all
        select 'decideClosure', 10, c.id, i.id, null, null, i.lead_unit, null, null, null, i.effective_deadline, null, null, i.state, i.seq, 0, null
        from campaigns c join items i on i.campaign_id = c.id
        where {Offices} and c.state = 'active' and i.state = 'closureRequested'
        union all
        select 'decideExtension', 11, c.id, i.id, null, null, i.lead_unit, null, null, null, i.effective_deadline, i.pending_extension, null, i.state, i.seq, 0,
               i.pending_extension_note
        from campaigns c join items i on i.campaign_id = c.id
        where {Offices} and c.state = 'active' and i.pending_extension is not null and {Open}
        union all
        select 'reviewDeliverable', 12, c.id, null, d.id, null, d.unit_code, null, null, null, d.due_date, null, null, d.state, 0, 0, d.kind
        from campaigns c join deliverables d on d.campaign_id = c.id
        where {Offices} and c.state = 'active' and d.state = 'submitted'
        union all
        -- The escalations of items and those of deliverables are branches of their own: an item's are read in the order of
        -- its deadline (items_open_by_deadline), so a page of a hundred thousand talks to arrange reads about fifty rows.
        select 'arrangeTalk', 20, c.id, e.item_id, null, e.id, i.lead_unit, null, null, null, i.effective_deadline, null,
               e.level, i.state, i.seq, 0, e.talk_place
        from escalations e join items i on i.id = e.item_id join campaigns c on c.id = i.campaign_id
        where {Supervises} and e.resolved_at is null and e.level = 'admonitoryTalk' and e.talk_at is null and c.state = 'active' and {Open}
        union all
        select 'arrangeTalk', 20, c.id, null, e.deliverable_id, e.id, d.unit_code, null, null, null, d.due_date, null,
               e.level, d.state, 0, 0, e.talk_place
        from escalations e join deliverables d on d.id = e.deliverable_id join campaigns c on c.id = e.campaign_id
        where {Supervises} and e.resolved_at is null and e.level = 'admonitoryTalk' and e.talk_at is null and c.state = 'active'
        union all
        select 'recordTalk', 21, c.id, e.item_id, null, e.id, i.lead_unit, null, null, e.talk_at, i.effective_deadline, null,
               e.level, i.state, i.seq, 0, e.talk_place
        from escalations e join items i on i.id = e.item_id join campaigns c on c.id = i.campaign_id
        where {Supervises} and e.resolved_at is null and e.level = 'admonitoryTalk' and e.talk_at is not null and c.state = 'active'
          and {Open}
          and not exists (select 1 from admonitory_talks t where t.escalation_id = e.id)
        union all
        -- An escalation at the office's level, one row per subject: the one at the subject's level (a letter issued by hand
        -- above it counts too; the lower levels it passed are history), read from the subject's own row, no second probe.
        -- A 约谈 is arranged and recorded above.
        select 'escalation', 22, c.id, e.item_id, null, e.id, i.lead_unit, null, e.reply_by, null, i.effective_deadline, null,
               e.level, i.state, i.seq, 0, null
        from escalations e join items i on i.id = e.item_id join campaigns c on c.id = i.campaign_id
        where {Supervises} and e.resolved_at is null and e.level <> 'admonitoryTalk' and c.state = 'active' and {Open}
          and array_position({Ladder}, e.level) >= coalesce(array_position({Ladder}, i.escalation_level), 0)
        union all
        select 'escalation', 22, c.id, null, e.deliverable_id, e.id, d.unit_code, null, e.reply_by, null, d.due_date, null,
               e.level, d.state, 0, 0, null
        from escalations e join deliverables d on d.id = e.deliverable_id join campaigns c on c.id = e.campaign_id
        where {Supervises} and e.resolved_at is null and e.level <> 'admonitoryTalk' and c.state = 'active'
          and array_position({Ladder}, e.level) >= coalesce(array_position({Ladder}, d.escalation_level), 0)
        """;

    /// <summary>The list's order within one kind (kinds follow one another in rank order).</summary>
    private const string Order =
        "due_date nulls last, due_at nulls last, deadline nulls last, campaign_id, seq, sub, deliverable_id, escalation_id";

    /// <summary>
    /// One branch on its own with every column typed (a branch's bare nulls take their types from the first branch of the
    /// union; alone they would be text). Still a plain select, so the planner reads it in the order of its indexes.
    /// </summary>
    private static string Typed(int branch) => Typed(Branches[branch]);

    private static string Typed(string branch) => $"""
        select kind::text as kind, rank, campaign_id::uuid as campaign_id, item_id::uuid as item_id,
               deliverable_id::uuid as deliverable_id, escalation_id::uuid as escalation_id, unit::text as unit, role::text as role,
               due_date::date as due_date, due_at::timestamptz as due_at, deadline::date as deadline, requested::date as requested,
               level::text as level, state::text as state, seq::int as seq, sub::int as sub, extra::text as extra
        from ({branch}) b({Columns})
        """;

    /// <summary>A kind's branches, each typed, as one union.</summary>
    private static string KindUnion(string kind) => string.Join("\nunion all\n", BranchesOf[kind].Select(Typed));

    /// <summary>
    /// A kind's branches, each typed, as one union, read only as far as its first <paramref name="upTo"/> rows in the list's
    /// order (the parts to sign: <see cref="AcknowledgeInOrder"/>; the others are read in order by their indexes as they are).
    /// </summary>
    private static string KindUnion(string kind, string upTo) => string.Join("\nunion all\n", BranchesOf[kind].Select(b => Typed(b, upTo)));

    /// <summary>Branch <paramref name="branch"/> typed, read up to its first <paramref name="upTo"/> rows in the list's order.</summary>
    private static string Typed(int branch, string upTo) => branch == AcknowledgeBranch ? Typed(AcknowledgeInOrder(upTo)) : Typed(branch);

    private static readonly string[] Branches = Union.Split("\nunion all\n");

    private static readonly int AcknowledgeBranch =
        Array.FindIndex(Branches, b => b.Contains("select 'acknowledge'", StringComparison.Ordinal));

    /// <summary>An open item with a part still to sign (the predicate of items_open_unsigned).</summary>
    private const string Unsigned = "i.state not in ('closed', 'draft', 'withdrawn') and (i.state = 'assigned' or i.unsigned)";

    /// <summary>
    /// The page's read of the parts to sign (the 'acknowledge' branch, same rows, same order): the acknowledgement due times
    /// of each active campaign's items with a part to sign, one after the other (a skip over items_open_unsigned; a
    /// campaign has one per launch and one per supplementary item), and for each the unit's parts to sign of those items
    /// in deadline and number order (assignments_to_sign, migration 0997), as many as the page (or the capped count)
    /// needs. Right after a national launch a unit's ten thousand parts to sign were read and sorted for a page of fifty.
    /// </summary>
    private static string AcknowledgeInOrder(string upTo) => $"""
        select 'acknowledge', 2, x.campaign_id, x.item_id, null, null, x.unit_code, x.role, null, x.ack_due_at, x.effective_deadline,
               null, null, x.state, x.seq, 0, null
        from (
            with recursive due(campaign_id, at) as (
                select c.id, (select min(i.ack_due_at) from items i where i.campaign_id = c.id and {Unsigned})
                from campaigns c where @role = 'unit' and c.state = 'active'
                union all
                select d.campaign_id,
                       (select min(i.ack_due_at) from items i where i.campaign_id = d.campaign_id and {Unsigned} and i.ack_due_at > d.at)
                from due d where d.at is not null)
            select campaign_id, at from due where at is not null
            union all
            select c.id, null from campaigns c
            where @role = 'unit' and c.state = 'active'
              and exists (select 1 from items i where i.campaign_id = c.id and {Unsigned} and i.ack_due_at is null)) v
        cross join lateral (
            select c.id as campaign_id, i.id as item_id, a.unit_code, a.role, i.ack_due_at, i.effective_deadline, i.state, i.seq
            from assignments a join items i on i.campaign_id = a.campaign_id and i.seq = a.item_seq join campaigns c on c.id = a.campaign_id
            where a.unit_code = @unit and a.state = 'assigned' and a.campaign_id = v.campaign_id and i.ack_due_at is not distinct from v.at
              and {Open} and c.state = 'active'
            order by a.item_deadline, a.item_seq limit {upTo}) x
        """;

    /// <summary>
    /// A kind is counted exactly up to this many rows, more than anyone works through without a filter: an office with a
    /// hundred thousand talks to arrange is told 约 and the planner's figure, not made to wait while every one is counted.
    /// </summary>
    public const int ExactCountUpTo = 1_000;

    /// <summary>The planner's estimate of one kind's rows (a plan, no scan).</summary>
    private static string EstimateSql(string kind) =>
        $"explain (format json) select 1 from ({KindUnion(kind)}) b where kind = @kind";

    /// <summary>
    /// One kind's rows of the page: each of its branches alone, in the list's order, up to the page's end (read in the order
    /// of the branch's indexes: a page of a hundred thousand rows reads about as many as it shows), then merged and cut
    /// to the part of the page that falls in this kind.
    /// </summary>
    private static string Segment(string kind, int n) => $"""
        (select * from ({string.Join("\nunion all\n", BranchesOf[kind].Select(b =>
            $"""
            (select * from ({Typed(b, $"@limit{n} + @offset{n}")}) x where kind = @kind{n}
             order by {Order} limit @limit{n} + @offset{n})
            """))}) b
        order by {Order} limit @limit{n} offset @offset{n})
        """;

    private const string PageRows = $"""
        select p.kind, p.ord, p.campaign_id as CampaignId, p.item_id as ItemId, p.deliverable_id as DeliverableId,
               p.escalation_id as EscalationId, p.unit, p.role, p.due_date as DueDate, p.due_at as DueAt, p.deadline, p.requested,
               p.level, p.state, c.title as CampaignTitle, c.time_zone as TimeZone, i.number,
               coalesce(i.title, dn.name, d.kind, '') as Title,
               case p.kind
                   when 'returned' then (select j.note from journal j where j.item_id = p.item_id and j.type in ('returnClosure', 'reopen') order by j.id desc limit 1)
                   when 'decideClosure' then (select j.note from journal j where j.item_id = p.item_id and j.type = 'requestClosure' order by j.id desc limit 1)
                   when 'submitDeliverable' then (select j.note from journal j where p.state = 'returned' and j.deliverable_id = p.deliverable_id and j.type = 'return'
                                                  order by j.id desc limit 1)
                   when 'reviewDeliverable' then (select j.note from journal j where j.deliverable_id = p.deliverable_id and j.type = 'submit' order by j.id desc limit 1)
                   else p.extra end as Note
        from page p
        join campaigns c on c.id = p.campaign_id
        left join items i on i.id = p.item_id
        left join deliverables d on d.id = p.deliverable_id
        left join lateral (
            select x->>'name' as name
            from workflow_definitions w, jsonb_array_elements(coalesce(w.definition->'deliverables', '[]'::jsonb)) x
            where d.id is not null and w.id = c.workflow_id and w.version = c.workflow_version and x->>'key' = d.kind
            limit 1) dn on true
        order by p.ord
        """;

    /// <summary>The page's SQL for the kinds it falls in (branch of each), each kind's rows numbered in the list's order.</summary>
    private static string PageSql(IReadOnlyList<string> kinds) =>
        $"with seg as ({string.Join("\nunion all\n", kinds.Select(Segment))}),\n"
        + $"page as (select seg.*, row_number() over (order by rank, {Order}) as ord from seg)\n"
        + PageRows;

    private sealed record Row(
        string Kind, long Ord, Guid? CampaignId, Guid? ItemId, Guid? DeliverableId, Guid? EscalationId, string? Unit, string? Role,
        DateOnly? DueDate, DateTimeOffset? DueAt, DateOnly? Deadline, DateOnly? Requested, string? Level, string? State,
        string? CampaignTitle, string? TimeZone, string? Number, string? Title, string? Note);

    /// <summary>The branches of each kind: those that name it as their kind.</summary>
    private static readonly IReadOnlyDictionary<string, int[]> BranchesOf = TodoKinds.All.ToDictionary(
        k => k,
        k => Enumerable.Range(0, Branches.Length).Where(b => Branches[b].Contains($"select '{k}'", StringComparison.Ordinal)).ToArray(),
        StringComparer.Ordinal);

    /// <summary>
    /// The counts of the navigation's badges and of the 待办 page, each kind stopped at <c>@cap</c> rows: a badge shows 99+
    /// past 99, and on a national campaign an office may have a hundred thousand closures waiting (counting them all on
    /// every page view would cost more than the page). Only the kinds of the caller's role: the planner of a statement
    /// with every role's branches spent longer on the other roles' (each false for this caller) than the unit's took to run.
    /// </summary>
    internal static string CappedCountSql(IReadOnlyList<string> kinds) => CappedCounts.GetOrAdd(string.Join(',', kinds), _ =>
        "select kind, count(*) as n from (\n"
        + string.Join("\nunion all\n", kinds.Order(StringComparer.Ordinal).Select(k =>
            $"(select kind from ({KindUnion(k, "@cap")}) b where kind = '{k}' limit @cap)"))
        + "\n) t group by kind");

    private static readonly ConcurrentDictionary<string, string> CappedCounts = new(StringComparer.Ordinal);

    /// <summary>
    /// The number of each kind waiting for the user (every kind of its role, 0 included), each counted up to
    /// <paramref name="cap"/> only (the navigation's badges, the 待办 page's exact range).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountsAsync(
        NpgsqlConnection connection, CurrentUser user, DateTimeOffset now, CancellationToken ct, int cap)
    {
        var counts = TodoKinds.For(user).ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);
        if (counts.Count == 0) return counts;
        var parameters = new { role = user.Role, unit = user.UnitCode, now, soon = TodoKinds.DueSoonDays, cap };
        var rows = await connection.QueryAsync<(string Kind, long N)>(
            new CommandDefinition(CappedCountSql(TodoKinds.For(user)), parameters, cancellationToken: ct));
        foreach (var (kind, n) in rows) counts[kind] = n;
        return counts;
    }

    /// <summary>
    /// One page of the user's 待办 (optionally one kind), with the counts of every kind. The counts come first; they say
    /// which kinds the page falls in and where, and each of those kinds is read in order up to the page's end only. Both
    /// statements read one snapshot, so the page and its counts agree.
    /// </summary>
    public static async Task<TodoPage> PageAsync(NpgsqlConnection connection, CurrentUser user, string? kind, Paging paging, DateTimeOffset now, CancellationToken ct)
    {
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // A unit's kinds without parallel workers: each reads its own parts, a thousand rows or so at its bound, and
        // starting workers for that cost more than they share (a unit's count 29 -> 20 ms on the million-item bench's
        // data, two cores). An office's kinds read ranges of the whole campaign and gain from them (the supervision
        // office's 待办 57-66 ms with workers, 120-134 ms without).
        if (user.IsUnit)
            await connection.ExecuteAsync(
                new CommandDefinition("set local max_parallel_workers_per_gather = 0", transaction: snapshot, cancellationToken: ct));
        var counts = new Dictionary<string, long>(await CountsAsync(connection, user, now, ct, ExactCountUpTo + 1), StringComparer.Ordinal);
        if (counts.Count == 0) return new TodoPage(counts, [], 0);
        var parameters = new DynamicParameters(new { role = user.Role, unit = user.UnitCode, now, soon = TodoKinds.DueSoonDays });
        var estimated = counts.Where(c => c.Value > ExactCountUpTo).Select(c => c.Key).ToList();
        foreach (var k in estimated)
        {
            var of = new { role = user.Role, unit = user.UnitCode, now, soon = TodoKinds.DueSoonDays, kind = k };
            var estimate = await ItemListing.EstimateAsync(connection, EstimateSql(k), of, ct);
            counts[k] = Math.Max(counts[k], estimate);
        }
        var segments = new List<string>();
        var asked = TodoKinds.For(user).Where(k => kind is null || k == kind).Select(k => (k, counts[k]));
        foreach (var (k, offset, limit) in paging.Cut(asked))
        {
            parameters.Add($"kind{segments.Count}", k);
            parameters.Add($"limit{segments.Count}", limit);
            parameters.Add($"offset{segments.Count}", offset);
            segments.Add(k);
        }
        var rows = segments.Count == 0
            ? []
            : await connection.QueryAsync<Row>(new CommandDefinition(PageSql(segments), parameters, cancellationToken: ct));
        var items = new List<TodoItem>();
        foreach (var r in rows)
        {
            var zone = LocalTime.Zone(r.TimeZone!);
            var today = LocalTime.Date(now, zone);
            DateTimeOffset? dueAt = r.DueAt is { } at
                ? LocalTime.InZone(at, zone)
                : r.DueDate is { } date ? LocalTime.InZone(LocalTime.At(date.AddDays(1), TimeOnly.MinValue, zone).AddSeconds(-1), zone) : null;
            var overdue = r.DueDate is { } due ? due < today : dueAt is { } instant && instant < now;
            items.Add(new TodoItem(r.Kind, r.CampaignId!.Value, r.CampaignTitle ?? "", r.ItemId, r.DeliverableId, r.EscalationId, r.Number, r.Title ?? "",
                dueAt, r.DueDate, overdue, r.Unit, r.Role, r.Deadline, r.Requested, r.Level, r.State, r.Note,
                TodoKinds.Url(r.Kind, r.ItemId, r.DeliverableId, r.EscalationId, r.CampaignId.Value)));
        }
        var total = kind is null ? counts.Values.Sum() : counts.GetValueOrDefault(kind);
        var inTotal = estimated.Where(k => kind is null || k == kind).ToList();
        return new TodoPage(counts, items, total)
        {
            TotalEstimated = inTotal.Count > 0 ? true : null, Estimated = estimated.Count > 0 ? estimated : null,
        };
    }
}
