using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>A change asked of one item (<c>PUT /api/items/{id}</c>, the item's edit screen).</summary>
public sealed record ItemChange(Guid ItemId, ItemRequest Request);

/// <summary>
/// The writes of items that the API (<c>POST /api/campaigns/{id}/items</c>, <c>PUT</c> and <c>DELETE /api/items/{id}</c>)
/// and the item screens share (issue 18: pages call commands, not endpoint handlers): validation, the references, the
/// SQL, the journal and the launch of an item added to a running campaign, refused with the same problem details.
/// </summary>
public static class ItemCommands
{
    /// <summary>
    /// A new item of a campaign; on an active campaign a supplementary assignment (补充交办, API.md), launched at once in the
    /// same transaction. 400 on a bad field, 404 for a campaign the caller may not see, 403 for another office, 422 for an
    /// unknown reference, a date beyond reach or a closed campaign.
    /// </summary>
    public static async Task<Outcome<ItemDto>> CreateAsync(
        NpgsqlDataSource db, TimeProvider clock, LaunchedItems launched, Guid campaignId, ItemRequest request, CurrentUser actor,
        CancellationToken ct)
    {
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        // A campaign the caller may not see does not exist for it (404), like everywhere else.
        const string campaignSql =
            $"select c.issued_by_unit, c.state, c.time_zone from campaigns c where c.id = @campaignId and {Access.CampaignVisible}";
        var campaign = await connection.QuerySingleOrDefaultAsync<(string IssuedByUnit, string State, string TimeZone)>(
            new CommandDefinition(campaignSql, new { campaignId, role = actor.Role, unit = actor.UnitCode }, cancellationToken: ct));
        if (campaign.IssuedByUnit is null) return Refusal.NotFound("整改工作");
        if (!Access.CanManageCampaign(actor, campaign.IssuedByUnit))
            return Refusal.Forbidden("只有发起单位可以添加问题 / only the issuing office may add items");
        var refusal = await ItemValidation.CheckReferencesAsync(connection, item, ct)
            ?? await ItemValidation.CheckItemReachAsync(connection, campaignId, item, ct);
        if (refusal is not null) return refusal;
        var now = clock.GetUtcNow();
        // Added to a running campaign, the item is launched at once: a milestone already past would remind of nothing.
        if (campaign.State == CampaignStates.Active && item.Milestones is { } steps)
        {
            var today = LocalTime.Date(now, LocalTime.Zone(campaign.TimeZone));
            for (var n = 0; n < steps.Count; n++)
            {
                if (steps[n].Date < today)
                {
                    return Refusal.Unprocessable(
                        $"阶段性节点日期 {steps[n].Date:yyyy-MM-dd} 已过（今天是 {today:yyyy-MM-dd}），请填写今天或以后的日期 / the milestone date is in the past",
                        $"milestones[{n}].date");
                }
            }
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        // On an active campaign the item is a supplementary assignment (补充交办, API.md): launched at once, in the same transaction.
        var ids = await ItemWriter.InsertAsync(connection, tx, campaignId, [item], now, ct, supplementary: true);
        if (ids is null) return Refusal.Unprocessable("整改工作已结束归档，不能再添加问题 / the campaign is closed; no items can be added");
        if (campaign.State == CampaignStates.Active)
            await launched.LaunchAddedAsync(connection, tx, campaignId, ids, ItemAllowedEvents.Actor(actor), now, ct);
        await tx.CommitAsync(ct);
        return (await ItemQueries.FindVisibleAsync(connection, ids[0], actor, clock.GetUtcNow(), ct))!;
    }

    /// <summary>
    /// An item changed: while draft every field; once launched through <see cref="LaunchedItems"/> (改派, with a reason).
    /// 400 on a bad field, 404 when not visible, 403 for another office, 422 for what may not change now.
    /// </summary>
    public static async Task<Outcome<ItemDto>> UpdateAsync(
        NpgsqlDataSource db, TimeProvider clock, LaunchedItems launched, DefinitionStore definitions, ItemChange change, CurrentUser actor,
        CancellationToken ct)
    {
        var (id, request) = change;
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, actor, ct);
        if (row is null) return Refusal.NotFound("问题");
        if (!Access.CanManageCampaign(actor, row.IssuedByUnit))
            return Refusal.Forbidden("只有发起单位可以修改问题 / only the issuing office may edit items");
        if (row.State != ItemStates.Draft)
        {
            if (await ItemValidation.CheckReferencesAsync(connection, item, ct) is { } unknown) return unknown;
            var by = new LaunchedEdit(actor, launched, definitions, clock.GetUtcNow());
            return await UpdateLaunchedAsync(connection, row, item, request.Note, by, ct);
        }
        var refusal = await ItemValidation.CheckReferencesAsync(connection, item, ct)
            ?? await ItemValidation.CheckItemReachAsync(connection, row.CampaignId, item, ct);
        if (refusal is not null) return refusal;
        const string sql = """
            update items set number = coalesce(@Number, number), category = @Category, title = @Title, description = @Description,
                measures = @Measures, target = @Target, responsible_leader_id = @ResponsibleLeaderId, lead_unit = @LeadUnit,
                units = @Units, deadline = @Deadline, effective_deadline = @Deadline, ongoing = @Ongoing, report_every = @ReportEvery,
                hard_deadline = @HardDeadline, source = coalesce(@Source, source), version = version + 1, updated_at = @now
            where id = @id and state = 'draft'
            """;
        await using var tx = await connection.BeginTransactionAsync(ct);
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, item.Number, item.Category, item.Title, item.Description, item.Measures, item.Target, item.ResponsibleLeaderId,
            item.LeadUnit, item.Units, item.Deadline, item.Ongoing, item.ReportEvery, item.HardDeadline, item.Source,
            now = clock.GetUtcNow(),
        }, tx, cancellationToken: ct));
        if (updated == 0) return Refusal.Unprocessable("问题已交办，不能直接修改 / an assigned item cannot be edited");
        // Milestones sent replace the item's; a request without them (the edit page, older clients) leaves them as they are.
        if (item.Milestones is { } milestones) await Milestones.ReplaceAsync(connection, tx, id, milestones, ct);
        await tx.CommitAsync(ct);
        return (await ItemQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct))!;
    }

    /// <summary>Who edits a launched item, through what, and when.</summary>
    private sealed record LaunchedEdit(CurrentUser User, LaunchedItems Launched, DefinitionStore Definitions, DateTimeOffset Now);

    /// <summary>
    /// After launch (API.md): title, measures, target, leader, lead unit and units may change (改派), the source and the
    /// milestones too, with a reason; the deadline, the ongoing flag and the cadence move only through events (延期), so a
    /// request that changes them is refused.
    /// </summary>
    private static async Task<Outcome<ItemDto>> UpdateLaunchedAsync(
        NpgsqlConnection connection, ItemRow row, ValidItem item, string? note, LaunchedEdit by, CancellationToken ct)
    {
        var (user, launched, definitions, now) = by;
        if (item.Ongoing != row.Ongoing)
            return Refusal.Unprocessable("问题已交办，不能更改是否长期坚持 / ongoing cannot change after launch", "ongoing");
        if (!item.Ongoing && item.Deadline != row.EffectiveDeadline && item.Deadline != row.Deadline)
        {
            return Refusal.Unprocessable(
                $"问题已交办，整改时限（{row.EffectiveDeadline:yyyy-MM-dd}）只能通过延期申请调整 / the deadline moves only through an extension", "deadline");
        }
        if (item.HardDeadline != row.HardDeadline)
            return Refusal.Unprocessable("问题已交办，不能更改刚性时限 / hardDeadline cannot change after launch", "hardDeadline");
        var v = new Validator();
        var reason = v.OptionalMultiline("note", note, 5000);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        var edit = new ItemEdit(item.Number, item.Category, item.Title, item.Description, item.Measures, item.Target,
            item.ResponsibleLeaderId, item.LeadUnit, item.Units, reason, item.Source,
            item.Milestones?.Select(m => new MilestoneEdit(m.Seq, m.Date, m.Text)).ToList());
        var outcome = await launched.ChangeAsync(row.Id, ItemAllowedEvents.Actor(user), edit, now, ct);
        return outcome switch
        {
            EditRefused r => Refusal.Unprocessable(r.Message, r.Field),
            EditNotFound => Refusal.NotFound("问题"),
            _ => (await ItemQueries.FindVisibleAsync(connection, row.Id, user, now, ct, definitions))!,
        };
    }

    /// <summary>
    /// Deletes a draft item; the deletion is recorded in the (append-only) journal, which keeps the item's history after
    /// the row is gone. 404 when not visible, 403 for another office, 422 once assigned. Null when deleted.
    /// </summary>
    public static async Task<Refusal?> DeleteAsync(
        NpgsqlDataSource db, TimeProvider clock, Guid id, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, actor, ct);
        if (row is null) return Refusal.NotFound("问题");
        if (!Access.CanManageCampaign(actor, row.IssuedByUnit))
            return Refusal.Forbidden("只有发起单位可以删除问题 / only the issuing office may delete items");
        // The entry is written while the item still exists (its reference is checked), then the item is deleted.
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string record = """
            with target as (select id, campaign_id, number, title from items where id = @id and state = 'draft' for update)
            insert into journal(campaign_id, item_id, at, actor, type, from_state, to_state, data)
            select campaign_id, id, @now, @actor, 'deleted', 'draft', null, jsonb_build_object('number', number, 'title', title) from target
            """;
        var recorded = await connection.ExecuteAsync(
            new CommandDefinition(record, new { id, now = clock.GetUtcNow(), actor = actor.UserName }, tx, cancellationToken: ct));
        if (recorded == 0) return Refusal.Unprocessable("问题已交办，不能删除 / an assigned item cannot be deleted");
        await connection.ExecuteAsync(new CommandDefinition("delete from items where id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return null;
    }
}
