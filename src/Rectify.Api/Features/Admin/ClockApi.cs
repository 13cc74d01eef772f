using System.Xml;
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
        ClockRequest request, RectifyClock clock, IDueWorkBarrier barrier, CancellationToken ct)
    {
        if (!clock.Controllable) return Problems.NotFound("可调时钟");
        var v = new Validator();
        TimeSpan? advance = null;
        if (request.AdvanceBy is { } text)
        {
            try { advance = XmlConvert.ToTimeSpan(text); }
            catch (FormatException) { v.Add("advanceBy", "必须是 ISO 8601 时长，如 P3D、PT2H / must be an ISO 8601 duration"); }
            if (advance < TimeSpan.Zero) v.Add("advanceBy", "时钟不能倒退 / the clock cannot go backwards");
        }
        if (request.Now is null && request.AdvanceBy is null) v.Add("now", "请提供 now 或 advanceBy / give now or advanceBy");
        if (request.Now is not null && request.AdvanceBy is not null) v.Add("now", "now 与 advanceBy 只能二选一 / give only one of now and advanceBy");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await clock.RefreshAsync(ct);
        var target = request.Now ?? clock.GetUtcNow() + advance!.Value;
        await barrier.RehearseAsync(clock, target, ct);
        return TypedResults.Ok(new ClockDto(clock.GetUtcNow(), true));
    }
}
