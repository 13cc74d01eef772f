using Rectify.Api.Features.Auth;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Who may see what, as SQL predicates over <c>c</c> (campaigns) and <c>i</c> (items), with parameters
/// <c>@role</c> and <c>@unit</c> from <see cref="Scope"/>. One definition, used by every list and lookup,
/// so a screen and the API can never disagree about visibility.
/// </summary>
public static class Access
{
    /// <summary>
    /// A unit sees items its unit leads or is responsible for, once their campaign is launched (a draft is the office's
    /// work in progress, issue 19: a unit asking for a draft gets the 404 of something that does not exist); the offices
    /// see their campaigns' items.
    /// </summary>
    public const string ItemVisible = $"""
        ({OfficeSeesCampaign}
         or (@role = 'unit' and c.state <> 'draft' and (i.lead_unit = @unit or i.units @> array[@unit]::text[])))
        """;

    /// <summary>The administrator, or the campaign's issuing or supervision office: who sees every item of a campaign.</summary>
    private const string OfficeSeesCampaign = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
         or (@role = 'supervisor' and c.supervision_unit = @unit))
        """;

    /// <summary>
    /// <see cref="ItemVisible"/> for an item known to be unit <c>@scopeUnit</c>'s (its lead unit or one of its units)
    /// when a unit user's <c>@scopeUnit</c> is its own: what is left of the rule reads the campaign only.
    /// </summary>
    public const string ScopeUnitItemVisible = $"""
        ({OfficeSeesCampaign} or (@role = 'unit' and c.state <> 'draft' and @scopeUnit = @unit))
        """;

    /// <summary>
    /// Whether <see cref="ItemVisible"/> holds for every item of a campaign: the administrator, the campaign's issuing
    /// office and its supervision office (whose figures may then come from the campaign's maintained aggregates).
    /// </summary>
    public static bool SeesEveryItem(CurrentUser user, string issuedByUnit, string? supervisionUnit) =>
        user.Role == Roles.Admin
        || (user.Role == Roles.LeadingGroup && user.UnitCode == issuedByUnit)
        || (user.Role == Roles.Supervisor && supervisionUnit is not null && user.UnitCode == supervisionUnit);

    /// <summary>A unit sees the launched campaigns that contain an item of its own (never a draft).</summary>
    public const string CampaignVisible = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
         or (@role = 'supervisor' and c.supervision_unit = @unit)
         or (@role = 'unit' and c.state <> 'draft' and exists (select 1 from items i where i.campaign_id = c.id and (i.lead_unit = @unit or i.units @> array[@unit]::text[]))))
        """;

    public static object Scope(CurrentUser user) => new { role = user.Role, unit = user.UnitCode };

    /// <summary>May this user change a campaign (its items, its launch)? The administrator, or the office that issued it.</summary>
    public static bool CanManageCampaign(CurrentUser user, string issuedByUnit) =>
        user.IsAdmin || (user.IsLeadingGroup && user.UnitCode == issuedByUnit);
}
