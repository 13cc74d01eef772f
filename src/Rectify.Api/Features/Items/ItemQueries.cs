using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>A validated filter of the item list (<c>GET /api/items</c>); <c>After</c> is the <c>next</c> of the previous page.</summary>
public sealed record ItemFilter(
    Guid? CampaignId = null, string? Unit = null, string? State = null, bool? Overdue = null, string? Q = null, string? AssignmentState = null,
    string? Light = null, int? After = null);

/// <summary>
/// The reads of items that the API's handlers and the pages share (issue 18: pages call queries, not endpoint handlers):
/// each takes an open connection and what the caller may see, and returns the values the API serialises.
/// </summary>
public static class ItemQueries
{
    /// <summary>A page of the items <paramref name="user"/> may see, with the events it may send on each.</summary>
    public static async Task<Page<ItemDto>> ListAsync(
        NpgsqlConnection connection, CurrentUser user, ItemFilter filter, Paging paging, DateTimeOffset now, DefinitionStore definitions, CancellationToken ct)
    {
        // Within one campaign its local date is a parameter (the light's index ranges), across campaigns each row's own.
        var today = filter.CampaignId is { } campaignId ? await ItemListing.LocalTodayAsync(connection, campaignId, now, ct) : null;
        var whole = IsWholeCampaign(filter, user);
        var (after, offset) = (filter.After, filter.After is null ? paging.Offset : 0);
        // A deep page of a whole campaign numbered without gaps starts right after a sequence number known beforehand.
        if (whole && after is null && offset > 0 && await ItemListing.SeqAtOffsetAsync(connection, filter.CampaignId!.Value, offset, ct) is { } seq)
            (after, offset) = (seq, 0);
        var parameters = new
        {
            today, role = user.Role, unit = user.UnitCode, campaignId = filter.CampaignId, unitFilter = filter.Unit, state = filter.State, overdue = filter.Overdue,
            q = filter.Q, qLike = SqlLike.Contains(filter.Q), now, assignmentState = filter.AssignmentState, light = filter.Light, after,
            limit = paging.PageSize, offset, cap = ItemListing.ExactCountUpTo + 1,
            scopeUnit = ItemListing.ScopeUnit(user, filter),
        };
        var (sql, countSql, estimateSql) = ItemListing.Sql(
            filter.CampaignId is not null, filter.Light, parameters.scopeUnit is not null, filter.Q is not null);
        var unitItemsOnly = ItemListing.CountsUnitItemsOnly(user, filter);
        var searchOnly = ItemListing.SearchesWholeCampaign(user, filter);
        var count = whole ? ItemListing.WholeCampaignCount
            : unitItemsOnly ? ItemListing.UnitItemsCount
            : searchOnly ? ItemListing.WholeCampaignSearchCount
            : countSql;
        var page = !searchOnly ? sql : offset > 0 ? ItemListing.WholeCampaignSearchLaterPage : ItemListing.WholeCampaignSearchPage;
        await using var grid = await connection.QueryMultipleAsync(
            new CommandDefinition(count + ";\n" + page, parameters, cancellationToken: ct));
        var counted = await grid.ReadSingleAsync<long>();
        var rows = (await grid.ReadAsync<ItemRow>()).ToList();
        // Counting every match of a million-item campaign on every page costs more than the page: up to ExactCountUpTo
        // matches the total is exact, beyond it the planner's estimate, marked (totalEstimated) so a screen can say 约.
        // A whole campaign's total is the maintained aggregate's, exact.
        var estimate = unitItemsOnly ? ItemListing.UnitItemsEstimate
            : searchOnly ? ItemListing.WholeCampaignSearchEstimate
            : estimateSql;
        var (total, estimated) = whole ? (counted, false) : await ItemListing.TotalAsync(connection, counted, estimate, parameters, ct);
        var dtos = new List<ItemDto>(rows.Count);
        var parts = await Assignment.LoadAsync(connection, null, rows.Select(r => r.Id).ToList(), ct);
        var milestones = await Milestones.LoadAsync(connection, rows.Select(r => r.Id).ToList(), ct);
        foreach (var row in rows)
        {
            var own = parts.GetValueOrDefault(row.Id, []);
            dtos.Add(row.ToDto(now, await ItemAllowedEvents.ForAsync(connection, definitions, row, user, own, ct), own, ItemAllowedEvents.ViewerUnit(user),
                milestones.GetValueOrDefault(row.Id)));
        }
        var next = filter.CampaignId is not null && rows.Count == paging.PageSize ? rows[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new Page<ItemDto>(dtos, total) { TotalEstimated = estimated ? true : null, Next = next };
    }

    /// <summary>One campaign, no other filter, for an office or the administrator (who see every item of a campaign of theirs).</summary>
    private static bool IsWholeCampaign(ItemFilter filter, CurrentUser user) =>
        filter is { CampaignId: not null, Unit: null, State: null, Overdue: null, Q: null, AssignmentState: null, Light: null }
        && ItemListing.SeesWholeCampaigns(user);

    /// <summary>The row of an item <paramref name="user"/> may see; null when there is none or it is not visible.</summary>
    public static async Task<ItemRow?> FindRowAsync(NpgsqlConnection connection, Guid id, CurrentUser user, CancellationToken ct)
    {
        const string sql = $"{ItemRow.Select} where i.id = @id and {Access.ItemVisible}";
        return await connection.QuerySingleOrDefaultAsync<ItemRow>(
            new CommandDefinition(sql, new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
    }

    /// <summary>An item <paramref name="user"/> may see as the API shows it; null when there is none or it is not visible.</summary>
    public static async Task<ItemDto?> FindVisibleAsync(
        NpgsqlConnection connection, Guid id, CurrentUser user, DateTimeOffset now, CancellationToken ct,
        DefinitionStore? definitions = null) =>
        (await ReadVisibleAsync(connection, id, user, now, ct, definitions))?.Item;

    /// <summary>An item the caller may see, as its row and as the API shows it (its parts, milestones and, given the
    /// definitions, the events the caller may send): what the item's pages read.</summary>
    public static async Task<(ItemRow Row, ItemDto Item)?> ReadVisibleAsync(
        NpgsqlConnection connection, Guid id, CurrentUser user, DateTimeOffset now, CancellationToken ct,
        DefinitionStore? definitions = null)
    {
        var row = await FindRowAsync(connection, id, user, ct);
        if (row is null) return null;
        var parts = (await Assignment.LoadAsync(connection, null, [row.Id], ct)).GetValueOrDefault(row.Id, []);
        var milestones = (await Milestones.LoadAsync(connection, [row.Id], ct)).GetValueOrDefault(row.Id);
        IReadOnlyList<string> allowed =
            definitions is null ? [] : await ItemAllowedEvents.ForAsync(connection, definitions, row, user, parts, ct);
        return (row, row.ToDto(now, allowed, parts, ItemAllowedEvents.ViewerUnit(user), milestones));
    }

    /// <summary>The evidence files of an item, oldest first (the caller has checked that the item is visible).</summary>
    public static async Task<IReadOnlyList<AttachmentDto>> AttachmentsAsync(NpgsqlConnection connection, Guid itemId, CancellationToken ct)
    {
        const string sql = """
            select id, file_name as FileName, size, sha256, content_type as ContentType, uploaded_at as UploadedAt, uploaded_by as UploadedBy
            from attachments where item_id = @itemId order by uploaded_at, id
            """;
        var rows = await connection.QueryAsync<(Guid Id, string FileName, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string UploadedBy)>(
            new CommandDefinition(sql, new { itemId }, cancellationToken: ct));
        return rows.Select(r =>
                new AttachmentDto(r.Id, SafeText.Strip(r.FileName), r.Size, r.Sha256, r.ContentType, r.UploadedAt, r.UploadedBy))
            .ToList();
    }

    private sealed record JournalRow(long Id, DateTimeOffset At, string Actor, string Type, string? FromState, string? ToState, string? Note, string? SubjectKey, string Data);

    private sealed record OutboxRow(long Id, string IdempotencyKey, string Kind, string? Level, Guid? PersonId, string? PersonName, string Channel, string Status, DateTimeOffset NotBefore, DateTimeOffset? SentAt);

    /// <summary>
    /// Every event and every fired or skipped timer of the item in the order they were written (the journal's sequence,
    /// issue 14 §7: not the clock reads, which two nodes or a clock move can give out of order), each with the outbox rows
    /// it caused and its words. The caller has checked that the item is visible.
    /// </summary>
    public static async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(NpgsqlConnection connection, ItemRow item, DefinitionStore definitions, CancellationToken ct)
    {
        const string sql = """
            select id, at, actor, type, from_state as FromState, to_state as ToState, note, subject_key as SubjectKey, data::text as Data
            from journal where item_id = @id order by id;
            select o.id, o.idempotency_key as IdempotencyKey, o.kind, o.level, o.recipient_person_id as PersonId, p.name as PersonName,
                   o.channel, o.status, o.not_before as NotBefore, o.sent_at as SentAt
            from outbox o left join people p on p.id = o.recipient_person_id where o.item_id = @id order by o.id;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { id = item.Id }, cancellationToken: ct));
        var journal = (await grid.ReadAsync<JournalRow>()).ToList();
        var outbox = (await grid.ReadAsync<OutboxRow>()).ToList();
        var zone = LocalTime.Zone(item.TimeZone);
        var definition = (await definitions.GetAsync(connection, item.WorkflowId, item.WorkflowVersion, ct))?.Definition;
        var entries = journal.Select(j =>
        {
            var prefix = j.SubjectKey is null ? null : j.SubjectKey + ":";
            var notifications = prefix is null ? [] : outbox.Where(o => o.IdempotencyKey.StartsWith(prefix, StringComparison.Ordinal))
                .Select(o => new TimelineNotification(o.Id, o.Kind, o.Level, o.PersonId, o.PersonName, o.Channel, o.Status,
                    LocalTime.InZone(o.NotBefore, zone), o.SentAt is { } s ? LocalTime.InZone(s, zone) : null)).ToList();
            using var data = JsonDocument.Parse(j.Data);
            var words = TimelineWords.Describe(j.Type, data.RootElement, definition, zone);
            return new TimelineEntry(j.Id, LocalTime.InZone(j.At, zone), j.Actor, j.Type, j.FromState, j.ToState, j.Note, data.RootElement.Clone(), notifications,
                words.Zh, words.En, words.Bookkeeping);
        }).ToList();
        return entries;
    }
}
