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
    // The schedule arithmetic (working days, report dates) works on dates a campaign can name (Domain.Reach).
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 12, 31, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(3653);

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
            catch (Exception ex) when (ex is FormatException or OverflowException) { v.Add("advanceBy", "必须是 ISO 8601 时长，如 P3D、PT2H / must be an ISO 8601 duration"); }
            if (advance < TimeSpan.Zero) v.Add("advanceBy", "时钟不能倒退 / the clock cannot go backwards");
            if (advance > MaxAdvance) v.Add("advanceBy", "一次最多前进 10 年 / at most ten years at a time");
        }
        if (request.Now is { } at && (at < Earliest || at > Latest))
            v.Add("now", $"时间应在 {Earliest:yyyy-MM-dd} 至 {Latest:yyyy-MM-dd} 之间 / must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}");
        if (request.Now is null && request.AdvanceBy is null) v.Add("now", "请提供 now 或 advanceBy / give now or advanceBy");
        if (request.Now is not null && request.AdvanceBy is not null) v.Add("now", "now 与 advanceBy 只能二选一 / give only one of now and advanceBy");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await clock.RefreshAsync(ct);
        var target = request.Now ?? clock.GetUtcNow() + advance!.Value;
        if (target > Latest) return Problems.Invalid(new Dictionary<string, string[]> { ["advanceBy"] = [$"时间不能晚于 {Latest:yyyy-MM-dd} / cannot go past {Latest:yyyy-MM-dd}"] });
        await barrier.RehearseAsync(clock, target, ct);
        return TypedResults.Ok(new ClockDto(clock.GetUtcNow(), true));
    }
}
