using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Channels;

namespace Rectify.Api.Features.People;

public sealed record PersonRequest(
    string? Name, string? Title, string? UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool? IsUnitContact, bool? IsUnitHead = null);

public sealed record PersonDto(
    Guid Id, string Name, string? Title, string UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool IsUnitContact, bool IsUnitHead = false);

/// <summary>
/// The people directory. <c>isUnitHead</c> marks a unit's head (主要负责人): listed supervision and admonitory talks reach
/// them (audience <c>leadUnitHead</c>, issue 14). Robot URLs carry their secret (<c>key=</c>, <c>access_token=</c>, Feishu's hook token) and are
/// write-only (issue 19: every signed-in user could read them): answers show them masked
/// (<c>https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****</c>), and a PUT that sends a masked value back keeps the
/// stored URL. New URLs must pass <see cref="OutboundPolicy"/> (vendor hosts only, unless an operator allows more): 422.
/// </summary>
public static class PeopleApi
{
    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/people").WithTags("People").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<Page<PersonDto>>> List(NpgsqlDataSource db, string? unit, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await PersonQueries.ListAsync(connection, new PersonFilter(unit, q), Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<PersonDto>, ProblemHttpResult>> Get(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await PersonQueries.GetAsync(connection, id, ct);
        return person is null ? Problems.NotFound("人员") : TypedResults.Ok(person);
    }

    public static async Task<Results<Created<PersonDto>, ValidationProblem, ProblemHttpResult>> Create(
        PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, OutboundPolicy outbound,
        CancellationToken ct) =>
        (await PeopleCommands.CreateAsync(db, journal, clock, outbound, request, CurrentUser.From(http.User), ct))
            .ToResult(dto => TypedResults.Created($"/api/people/{dto.Id}", dto));

    public static async Task<Results<Ok<PersonDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, OutboundPolicy outbound,
        CancellationToken ct) =>
        (await PeopleCommands.UpdateAsync(db, journal, outbound, id, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);
}
