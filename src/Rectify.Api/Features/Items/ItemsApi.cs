using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>Problem items: add and edit while the campaign is draft; list and read what the caller may see.</summary>
public static class ItemsApi
{
    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{campaignId:guid}/items", Create).WithTags("Items").RequireAuthorization(Policies.ManageOrganisation);
        var group = app.MapGroup("/api/items").WithTags("Items").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.ManageOrganisation);
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPost("/{id:guid}/milestones/{seq:int}/done", Milestones.Done);
        return app;
    }

    public static async Task<Results<Created<ItemDto>, ValidationProblem, ProblemHttpResult>> Create(
        Guid campaignId, ItemRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, LaunchedItems launched, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        // A campaign the caller may not see does not exist for it (404), like everywhere else.
        const string campaignSql = $"select c.issued_by_unit, c.state, c.time_zone from campaigns c where c.id = @campaignId and {Access.CampaignVisible}";
        var campaign = await connection.QuerySingleOrDefaultAsync<(string IssuedByUnit, string State, string TimeZone)>(new CommandDefinition(
            campaignSql, new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        if (campaign.IssuedByUnit is null) return Problems.NotFound("整改工作");
        if (!Access.CanManageCampaign(user, campaign.IssuedByUnit)) return Problems.Forbidden("只有发起单位可以添加问题 / only the issuing office may add items");
        var refusal = await ItemValidation.CheckReferencesAsync(connection, item, ct)
            ?? await ItemValidation.CheckItemReachAsync(connection, campaignId, item, ct);
        if (refusal is not null) return refusal;
        var now = clock.GetUtcNow();
        // Added to a running campaign, the item is launched at once: a milestone already past would remind of nothing.
        if (campaign.State == CampaignStates.Active && item.Milestones is { } steps)
        {
            var today = Rectify.Workflows.Calendar.LocalTime.Date(now, Rectify.Workflows.Calendar.LocalTime.Zone(campaign.TimeZone));
            for (var n = 0; n < steps.Count; n++)
            {
                if (steps[n].Date < today)
                    return Problems.Unprocessable($"阶段性节点日期 {steps[n].Date:yyyy-MM-dd} 已过（今天是 {today:yyyy-MM-dd}），请填写今天或以后的日期 / the milestone date is in the past",
                        $"milestones[{n}].date");
            }
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        // On an active campaign the item is a supplementary assignment (补充交办, API.md): launched at once, in the same transaction.
        var ids = await ItemWriter.InsertAsync(connection, tx, campaignId, [item], now, ct, supplementary: true);
        if (ids is null) return Problems.Unprocessable("整改工作已结束归档，不能再添加问题 / the campaign is closed; no items can be added");
        if (campaign.State == CampaignStates.Active)
            await launched.LaunchAddedAsync(connection, tx, campaignId, ids, ItemAllowedEvents.Actor(user), now, ct);
        await tx.CommitAsync(ct);
        var dto = await ItemQueries.FindVisibleAsync(connection, ids[0], user, clock.GetUtcNow(), ct);
        return TypedResults.Created($"/api/items/{ids[0]}", dto!);
    }

    /// <summary>The query string of GET /api/items.</summary>
    public sealed record ItemListQuery(
        [FromQuery(Name = "campaignId")] Guid? CampaignId, [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "state")] string? State,
        [FromQuery(Name = "overdue")] bool? Overdue, [FromQuery(Name = "q")] string? Q, [FromQuery(Name = "page")] int? Page,
        [FromQuery(Name = "pageSize")] int? PageSize, [FromQuery(Name = "assignmentState")] string? AssignmentState = null,
        [FromQuery(Name = "light")] string? Light = null, [FromQuery(Name = "after")] string? After = null);

    public static async Task<Results<Ok<Page<ItemDto>>, ValidationProblem>> List(
        [AsParameters] ItemListQuery query, [AsParameters] ApiRequest api, DefinitionStore definitions, CancellationToken ct)
    {
        var user = CurrentUser.From(api.Http.User);
        var v = new Validator();
        if (query.State is not null) v.OneOf("state", query.State, ItemStates.All);
        if (query.Light is not null) v.OneOf("light", query.Light, ItemLights.All);
        if (query.AssignmentState is not null)
        {
            v.OneOf("assignmentState", query.AssignmentState, AssignmentStates.All);
            if (query.Unit is null) v.Add("assignmentState", "按单位办理状态筛选时须同时指定单位（unit）/ assignmentState needs unit");
        }
        int? afterSeq = null;
        if (query.After is not null)
        {
            if (!int.TryParse(query.After, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                v.Add("after", "after 应为上一页返回的 next 值 / after must be the next value of the previous page");
            else if (query.CampaignId is null) v.Add("after", "按游标翻页时须同时指定整改工作（campaignId）/ after needs campaignId");
            else afterSeq = seq;
        }
        var q = v.Optional("q", query.Q, 200);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var filter = new ItemFilter(query.CampaignId, query.Unit, query.State, query.Overdue, q, query.AssignmentState, query.Light, afterSeq);
        await using var connection = await api.Db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await ItemQueries.ListAsync(connection, user, filter, Paging.From(query.Page, query.PageSize), api.Clock.GetUtcNow(), definitions, ct));
    }

    public static async Task<Results<Ok<ItemDto>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var dto = await ItemQueries.FindVisibleAsync(connection, id, CurrentUser.From(http.User), clock.GetUtcNow(), ct, definitions);
        return dto is null ? Problems.NotFound("问题") : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ItemRequest request, [AsParameters] ApiRequest api, LaunchedItems launched, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var item = ItemValidation.Validate(v, request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("问题");
        if (!Access.CanManageCampaign(user, row.IssuedByUnit)) return Problems.Forbidden("只有发起单位可以修改问题 / only the issuing office may edit items");
        if (row.State != ItemStates.Draft)
        {
            if (await ItemValidation.CheckReferencesAsync(connection, item, ct) is { } unknown) return unknown;
            return await UpdateLaunchedAsync(connection, row, item, request.Note, new LaunchedEdit(user, launched, definitions, clock.GetUtcNow()), ct);
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
            item.LeadUnit, item.Units, item.Deadline, item.Ongoing, item.ReportEvery, item.HardDeadline, item.Source, now = clock.GetUtcNow(),
        }, tx, cancellationToken: ct));
        if (updated == 0) return Problems.Unprocessable("问题已交办，不能直接修改 / an assigned item cannot be edited");
        // Milestones sent replace the item's; a request without them (the edit page, older clients) leaves them as they are.
        if (item.Milestones is { } milestones) await Milestones.ReplaceAsync(connection, tx, id, milestones, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await ItemQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct))!);
    }

    /// <summary>Who edits a launched item, through what, and when.</summary>
    private sealed record LaunchedEdit(CurrentUser User, LaunchedItems Launched, DefinitionStore Definitions, DateTimeOffset Now);

    /// <summary>
    /// After launch (API.md): title, measures, target, leader, lead unit and units may change (改派), the source and the
    /// milestones too, with a reason; the deadline, the ongoing flag and the cadence move only through events (延期), so a
    /// request that changes them is refused.
    /// </summary>
    private static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> UpdateLaunchedAsync(
        NpgsqlConnection connection, ItemRow row, ValidItem item, string? note, LaunchedEdit by, CancellationToken ct)
    {
        var (user, launched, definitions, now) = by;
        if (item.Ongoing != row.Ongoing)
            return Problems.Unprocessable("问题已交办，不能更改是否长期坚持 / ongoing cannot change after launch", "ongoing");
        if (!item.Ongoing && item.Deadline != row.EffectiveDeadline && item.Deadline != row.Deadline)
            return Problems.Unprocessable($"问题已交办，整改时限（{row.EffectiveDeadline:yyyy-MM-dd}）只能通过延期申请调整 / the deadline moves only through an extension", "deadline");
        if (item.HardDeadline != row.HardDeadline)
            return Problems.Unprocessable("问题已交办，不能更改刚性时限 / hardDeadline cannot change after launch", "hardDeadline");
        var v = new Validator();
        var reason = v.OptionalMultiline("note", note, 5000);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var edit = new ItemEdit(item.Number, item.Category, item.Title, item.Description, item.Measures, item.Target, item.ResponsibleLeaderId,
            item.LeadUnit, item.Units, reason, item.Source, item.Milestones?.Select(m => new MilestoneEdit(m.Seq, m.Date, m.Text)).ToList());
        var outcome = await launched.ChangeAsync(row.Id, ItemAllowedEvents.Actor(user), edit, now, ct);
        return outcome switch
        {
            EditRefused r => Problems.Unprocessable(r.Message, r.Field),
            EditNotFound => Problems.NotFound("问题"),
            _ => TypedResults.Ok((await ItemQueries.FindVisibleAsync(connection, row.Id, user, now, ct, definitions))!),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("问题");
        if (!Access.CanManageCampaign(user, row.IssuedByUnit)) return Problems.Forbidden("只有发起单位可以删除问题 / only the issuing office may delete items");
        // The deletion is recorded in the (append-only) journal, which keeps the item's history after the row is gone:
        // the entry is written while the item still exists (its reference is checked), then the item is deleted.
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string record = """
            with target as (select id, campaign_id, number, title from items where id = @id and state = 'draft' for update)
            insert into journal(campaign_id, item_id, at, actor, type, from_state, to_state, data)
            select campaign_id, id, @now, @actor, 'deleted', 'draft', null, jsonb_build_object('number', number, 'title', title) from target
            """;
        var recorded = await connection.ExecuteAsync(new CommandDefinition(record, new { id, now = clock.GetUtcNow(), actor = user.UserName }, tx, cancellationToken: ct));
        if (recorded == 0) return Problems.Unprocessable("问题已交办，不能删除 / an assigned item cannot be deleted");
        await connection.ExecuteAsync(new CommandDefinition("delete from items where id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
