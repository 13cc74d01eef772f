using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Talks;

public sealed record TalkRequest(string? HeldOn, string? People, string? Note);

public sealed record TalkDto(Guid Id, Guid ItemId, Guid? EscalationId, DateOnly HeldOn, string People, string? Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>
/// Admonitory talks (约谈) about an item: the supervision office (or the leading-group office, or the administrator)
/// records date, people and note. Extends API.md: GET/POST /api/items/{id}/talks. The open admonitoryTalk escalation of
/// the item, if any, is linked.
/// </summary>
public static class TalksApi
{
    public static IEndpointRouteBuilder MapTalksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/items/{id:guid}/talks").WithTags("Escalations").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/", Record);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<TalkDto>>, ProblemHttpResult>> List(Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ItemQueries.FindRowAsync(connection, id, CurrentUser.From(http.User), ct) is null) return Problems.NotFound("问题");
        return TypedResults.Ok(await TalkQueries.ListAsync(connection, id, ct));
    }

    public static async Task<Results<Created<TalkDto>, ValidationProblem, ProblemHttpResult>> Record(
        Guid id, TalkRequest request, [AsParameters] ApiRequest api, AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall,
        CancellationToken ct)
    {
        var (http, db, clock) = api;
        var recording = new TalkRecording(id, request);
        var outcome = await TalkCommands.RecordAsync(db, journal, clock, wall, recording, CurrentUser.From(http.User), ct);
        return outcome.ToResult(dto => TypedResults.Created($"/api/items/{id}/talks", dto));
    }
}
