using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>
/// The units of a campaign ranked by score (issue 12): each unit's own figures, its grade, and every line of the
/// arithmetic that made its score. The same query and the same visibility as <c>GET /api/campaigns/{id}/units</c>.
/// </summary>
public sealed class UnitsModel(NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions) : PageModel
{
    public CampaignDto Campaign { get; private set; } = null!;
    public IReadOnlyList<UnitScoreDto> Scores { get; private set; } = [];
    public ScoringDefinition Rules { get; private set; } = ScoringDefinition.Default;
    public bool OwnRowOnly { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, me, now, ct);
        if (campaign is null) return NotFound();
        Campaign = campaign;
        Rules = (await definitions.GetAsync(connection, campaign.Workflow.Id!, campaign.Workflow.Version ?? 1, ct))?.Definition.ScoringRules
            ?? ScoringDefinition.Default;
        Scores = UnitScores.Visible(await UnitScores.ForCampaignAsync(connection, definitions, campaign, now, ct), me);
        OwnRowOnly = me.IsUnit;
        return Page();
    }

    /// <summary>A quantity or points as the ranking shows them: whole numbers without decimals.</summary>
    public static string Number(double value) => value.ToString(value % 1 == 0 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One line of the arithmetic: "基础分 100", "按时完成 3 × 1 = +3", "逾期工作日 6 × 1 = −6".</summary>
    public static string Arithmetic(ScoreLine line) =>
        line.Rule == "base"
            ? Number(line.Points)
            : $"{Number(line.Quantity)} × {Number(line.PointsEach)} = {(line.Points >= 0 ? "+" : "−")}{Number(Math.Abs(line.Points))}";

    /// <summary>The raw sum before the 0..100 bounds, shown when the bounds changed it.</summary>
    public static double RawSum(UnitScoreDto s) => s.Breakdown.Sum(l => l.Points);
}
