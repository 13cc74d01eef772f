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
        Guid campaignId, ItemRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, LaunchedItems launched,
        CancellationToken ct) =>
        (await ItemCommands.CreateAsync(db, clock, launched, campaignId, request, CurrentUser.From(http.User), ct))
            .ToResult(dto => TypedResults.Created($"/api/items/{dto.Id}", dto));

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
        Guid id, ItemRequest request, [AsParameters] ApiRequest api, LaunchedItems launched, DefinitionStore definitions,
        CancellationToken ct)
    {
        var user = CurrentUser.From(api.Http.User);
        var outcome = await ItemCommands.UpdateAsync(api.Db, api.Clock, launched, definitions, new ItemChange(id, request), user, ct);
        return outcome.ToResult(dto => TypedResults.Ok(dto));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        (await ItemCommands.DeleteAsync(db, clock, id, CurrentUser.From(http.User), ct)).OrNoContent();
}
