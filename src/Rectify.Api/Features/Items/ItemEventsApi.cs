using Microsoft.AspNetCore.Http.HttpResults;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <param name="Unit">acknowledge, progress, complete: the unit an office acts for (a unit user acts for its own).</param>
/// <param name="Units">returnClosure: the units whose part is sent back with the lead unit's.</param>
public sealed record EventBody(
    string? Type, string? Note, string? NewDeadline, IReadOnlyList<Guid>? AttachmentIds, int? ExpectedVersion, string? Unit = null,
    IReadOnlyList<string>? Units = null);

/// <summary>Send an event to an item (one transaction, see the runtime in Rectify.Workflows).</summary>
public static class ItemEventsApi
{
    public static IEndpointRouteBuilder MapItemEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/items/{id:guid}/events", SendEvent).WithTags("Items").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> SendEvent(
        Guid id, EventBody body, [AsParameters] ApiRequest api, ItemEventService events, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var outcome = await ItemEventCommands.SendAsync(db, clock, events, definitions, new ItemEvent(id, body), user, ct);
        return outcome.ToResult(dto => TypedResults.Ok(dto));
    }
}
