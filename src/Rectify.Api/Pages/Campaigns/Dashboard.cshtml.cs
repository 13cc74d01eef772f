using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Campaigns;

public sealed class DashboardModel(NpgsqlDataSource db, TimeProvider clock, UnitNames names) : PageModel
{
    public CampaignDto Campaign { get; private set; } = null!;
    public CampaignDashboard Data { get; private set; } = null!;
    public UnitNames Names => names;
    public bool CanManage { get; private set; }
    [BindProperty(SupportsGet = true, Name = "allUnits")] public bool ShowAllUnits { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignsApi.FindVisibleAsync(connection, id, me, now, ct);
        if (campaign is null) return NotFound();
        Campaign = campaign;
        CanManage = Access.CanManageCampaign(me, campaign.IssuedByUnit);
        Data = await CampaignDashboard.LoadAsync(connection, id, campaign.TimeZone, campaign.Phases, me, now, ct);
        await names.AllAsync(ct);
        return Page();
    }
}
