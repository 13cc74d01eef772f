using Rectify.Api.Features.Auth;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Who may see what, as SQL predicates over <c>c</c> (campaigns) and <c>i</c> (items), with parameters
/// <c>@role</c> and <c>@unit</c> from <see cref="Scope"/>. One definition, used by every list and lookup,
/// so a screen and the API can never disagree about visibility.
/// </summary>
public static class Access
{
    /// <summary>A unit sees items its unit leads or is responsible for; the offices see their campaigns' items.</summary>
    public const string ItemVisible = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
         or (@role = 'supervisor' and c.supervision_unit = @unit)
         or (@role = 'unit' and (i.lead_unit = @unit or i.units @> array[@unit]::text[])))
        """;

    /// <summary>A unit sees the campaigns that contain an item of its own.</summary>
    public const string CampaignVisible = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
         or (@role = 'supervisor' and c.supervision_unit = @unit)
         or (@role = 'unit' and exists (select 1 from items i where i.campaign_id = c.id and (i.lead_unit = @unit or i.units @> array[@unit]::text[]))))
        """;

    public static object Scope(CurrentUser user) => new { role = user.Role, unit = user.UnitCode };

    /// <summary>May this user change a campaign (its items, its launch)? The administrator, or the office that issued it.</summary>
    public static bool CanManageCampaign(CurrentUser user, string issuedByUnit) =>
        user.IsAdmin || (user.IsLeadingGroup && user.UnitCode == issuedByUnit);
}
