using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Ui;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Campaigns;

public sealed class DashboardModel(NpgsqlDataSource db, TimeProvider clock, CampaignLauncher launcher, UnitNames names, UiText text) : PageModel
{
    public CampaignDto Campaign { get; private set; } = null!;
    public CampaignDashboard Data { get; private set; } = null!;
    public UnitNames Names => names;
    public bool CanManage { get; private set; }
    [BindProperty(SupportsGet = true, Name = "allUnits")] public bool ShowAllUnits { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>Launch through the API's handler: items are assigned, timers scheduled, units notified.</summary>
    public async Task<IActionResult> OnPostLaunchAsync(Guid id, CancellationToken ct)
    {
        var result = (await RuntimeApi.Launch(id, HttpContext, db, launcher, clock, ct)).Result;
        if (ApiOutcome.Apply(result, ModelState, text))
        {
            TempData["Flash"] = text["整改工作已启动，问题已交办到各责任单位。"];
            return Redirect($"/campaigns/{id}");
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignsApi.FindVisibleAsync(connection, id, me, now, ct);
        if (campaign is null) return false;
        Campaign = campaign;
        CanManage = Access.CanManageCampaign(me, campaign.IssuedByUnit);
        Data = await CampaignDashboard.LoadAsync(connection, id, campaign.TimeZone, campaign.Phases, me, now, ct);
        await names.AllAsync(ct);
        return true;
    }
}
