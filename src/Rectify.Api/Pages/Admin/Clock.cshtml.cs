using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Admin;
using Rectify.Api.Ui;
using Rectify.Workflows.Clock;

namespace Rectify.Api.Pages.Admin;

/// <summary>The controllable clock (demo and tests): moving it waits, like the API, until due work has run.</summary>
public sealed class ClockModel(RectifyClock clock, IDueWorkBarrier barrier, UiText text) : PageModel
{
    public sealed class ClockInput
    {
        public string? AdvanceBy { get; set; }
        public string? Date { get; set; }
    }

    [BindProperty] public ClockInput Input { get; set; } = new();
    public bool Controllable => clock.Controllable;
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (clock.Controllable) await clock.RefreshAsync(ct);
        Now = clock.GetUtcNow();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        DateTimeOffset? at = null;
        if (!string.IsNullOrWhiteSpace(Input.Date))
        {
            if (DateOnly.TryParseExact(Input.Date, "yyyy-MM-dd", out var d))
                at = new DateTimeOffset(d.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8));
            else ModelState.AddModelError("Input.Date", text["日期格式应为 YYYY-MM-DD"]);
        }
        if (ModelState.IsValid)
        {
            var request = new ClockRequest(at, string.IsNullOrWhiteSpace(Input.AdvanceBy) ? null : Input.AdvanceBy.Trim());
            var outcome = await ClockCommands.MoveAsync(clock, barrier, request, ct);
            if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, rename: f => f == "now" ? "Date" : ApiOutcome.FieldName(f)))
            {
                TempData["Flash"] = text["时钟已调整"];
                return Redirect("/admin/clock");
            }
        }
        Now = clock.GetUtcNow();
        return Page();
    }
}
