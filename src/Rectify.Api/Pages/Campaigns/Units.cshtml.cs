using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>
/// The units of a campaign ranked by score (issue 12): each unit's own figures, its grade, and every line of the
/// arithmetic that made its score. Uses the same query as <c>GET /api/campaigns/{id}/units</c>.
/// </summary>
public sealed class UnitsModel(NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions) : PageModel
{
    public CampaignDto Campaign { get; private set; } = null!;
    public IReadOnlyList<UnitScoreDto> Scores { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignsApi.FindVisibleAsync(connection, id, me, now, ct);
        if (campaign is null) return NotFound();
        Campaign = campaign;
        var scores = await UnitScores.ForCampaignAsync(connection, definitions, id, now, ct);
        Scores = me.Role == Roles.Unit ? scores.Where(s => s.Unit == me.UnitCode).ToList() : scores;
        return Page();
    }

    /// <summary>A quantity or points as the ranking shows them: whole numbers without decimals.</summary>
    public static string Number(double value) => value.ToString(value % 1 == 0 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture);
}
