using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Admin;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Pages.Admin;

/// <summary>
/// Incidents as an operator sees them: what the engine set aside (a timer whose step threw, a message that crashed, a
/// job that failed), its error and attempts, and a retry button once the cause is fixed (through the incidents API).
/// </summary>
public sealed class IncidentsModel(NpgsqlDataSource db, IncidentRetry retry, UiText text) : PageModel
{
    public IReadOnlyList<IncidentDto> Open { get; private set; } = [];
    public IReadOnlyList<IncidentDto> Resolved { get; private set; } = [];
    public long OpenTotal { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        var result = (await retry.RunAsync(HttpContext, id, ct)).Result;
        if (ApiOutcome.Apply(result, ModelState, text))
        {
            TempData["Flash"] = text["已重试，故障已处理"];
            return Redirect("/admin/incidents");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var open = await IncidentQueries.ListAsync(connection, true, Paging.From(1, 200), ct);
        Open = open.Items;
        OpenTotal = open.Total;
        Resolved = (await IncidentQueries.ListAsync(connection, false, Paging.From(1, 20), ct)).Items;
    }
}
