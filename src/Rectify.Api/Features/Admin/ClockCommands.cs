using System.Xml;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Clock;

namespace Rectify.Api.Features.Admin;

/// <summary>
/// Moving the controllable clock, shared by the API (<c>POST /api/admin/clock</c>) and the clock screen (issue 18:
/// pages call commands, not endpoint handlers). A move is a rehearsal: it returns after every timer due at or before the
/// new time has fired, each as of its own due time in due order.
/// </summary>
public static class ClockCommands
{
    // The schedule arithmetic (working days, report dates) works on dates a campaign can name (Domain.Reach).
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 12, 31, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(3653);

    /// <summary>The clock set to <c>now</c> or moved on by <c>advanceBy</c> (an ISO 8601 duration); 404 when the clock
    /// is not controllable, 400 on a bad or missing value or a time beyond 2100-12-31.</summary>
    public static async Task<Outcome<ClockDto>> MoveAsync(
        RectifyClock clock, IDueWorkBarrier barrier, ClockRequest request, CancellationToken ct)
    {
        if (!clock.Controllable) return Refusal.NotFound("可调时钟");
        var v = new Validator();
        TimeSpan? advance = null;
        if (request.AdvanceBy is { } text)
        {
            try { advance = XmlConvert.ToTimeSpan(text); }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                v.Add("advanceBy", "必须是 ISO 8601 时长，如 P3D、PT2H / must be an ISO 8601 duration");
            }
            if (advance < TimeSpan.Zero) v.Add("advanceBy", "时钟不能倒退 / the clock cannot go backwards");
            if (advance > MaxAdvance) v.Add("advanceBy", "一次最多前进 10 年 / at most ten years at a time");
        }
        if (request.Now is { } at && (at < Earliest || at > Latest))
        {
            v.Add("now", $"时间应在 {Earliest:yyyy-MM-dd} 至 {Latest:yyyy-MM-dd} 之间 / "
                + $"must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}");
        }
        if (request.Now is null && request.AdvanceBy is null) v.Add("now", "请提供 now 或 advanceBy / give now or advanceBy");
        if (request.Now is not null && request.AdvanceBy is not null)
            v.Add("now", "now 与 advanceBy 只能二选一 / give only one of now and advanceBy");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await clock.RefreshAsync(ct);
        var target = request.Now ?? clock.GetUtcNow() + advance!.Value;
        if (target > Latest)
        {
            var late = $"时间不能晚于 {Latest:yyyy-MM-dd} / cannot go past {Latest:yyyy-MM-dd}";
            return Refusal.Invalid(new Dictionary<string, string[]> { ["advanceBy"] = [late] });
        }
        await barrier.RehearseAsync(clock, target, ct);
        return new ClockDto(clock.GetUtcNow(), true);
    }
}
