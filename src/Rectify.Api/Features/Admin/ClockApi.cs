using Microsoft.AspNetCore.Http.HttpResults;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Clock;

namespace Rectify.Api.Features.Admin;

public sealed record ClockDto(DateTimeOffset Now, bool Controllable);

public sealed record ClockRequest(DateTimeOffset? Now, string? AdvanceBy);

/// <summary>
/// The controllable clock (404 unless Rectify__Clock__Controllable=true). POST is a rehearsal: it returns after every
/// timer due at or before the new time has fired, each as of its own due time in due order, and its outbox rows exist.
/// </summary>
public static class ClockApi
{
    public static IEndpointRouteBuilder MapClockApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/clock").WithTags("Admin").RequireAuthorization(Policies.Admin);
        group.MapGet("/", Get);
        group.MapPost("/", Move);
        return app;
    }

    public static async Task<Results<Ok<ClockDto>, ProblemHttpResult>> Get(RectifyClock clock, CancellationToken ct)
    {
        if (!clock.Controllable) return Problems.NotFound("可调时钟");
        await clock.RefreshAsync(ct);
        return TypedResults.Ok(new ClockDto(clock.GetUtcNow(), true));
    }

    public static async Task<Results<Ok<ClockDto>, ValidationProblem, ProblemHttpResult>> Move(
        ClockRequest request, RectifyClock clock, IDueWorkBarrier barrier, CancellationToken ct) =>
        (await ClockCommands.MoveAsync(clock, barrier, request, ct)).ToResult(TypedResults.Ok);
}
