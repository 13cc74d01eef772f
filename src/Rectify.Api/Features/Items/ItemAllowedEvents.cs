using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>The events the caller could send to an item now, from the item's pinned workflow definition.</summary>
public static class ItemAllowedEvents
{
    public static async Task<IReadOnlyList<string>> ForAsync(
        NpgsqlConnection connection, DefinitionStore definitions, ItemRow row, CurrentUser user, IReadOnlyList<Assignment> assignments, CancellationToken ct)
    {
        // A closed campaign is an archive (issue 13.6): nothing can be sent to its items, not even a reopen.
        if (row.CampaignState == Rectify.Workflows.Domain.CampaignStates.Closed) return [];
        var published = await definitions.GetAsync(connection, row.WorkflowId, row.WorkflowVersion, ct);
        if (published is null) return [];
        var actor = Actor(user);
        var own = user.Role == Rectify.Workflows.Domain.Roles.Unit ? assignments.FirstOrDefault(a => a.UnitCode == user.UnitCode) : null;
        return UnitEvents.Allowed(published.Definition, row.Facts, ActorRoles.Of(actor, row.Facts), own);
    }

    /// <summary>The unit whose view of an item's parts the caller gets: a unit user's own unit, else every unit.</summary>
    public static string? ViewerUnit(CurrentUser user) => user.Role == Rectify.Workflows.Domain.Roles.Unit ? user.UnitCode : null;

    public static Actor Actor(CurrentUser user) => new(user.UserName, user.Role, user.UnitCode);
}
