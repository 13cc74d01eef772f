using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>The events the caller could send to an item now, from the item's pinned workflow definition.</summary>
public static class ItemAllowedEvents
{
    public static async Task<IReadOnlyList<string>> ForAsync(NpgsqlConnection connection, DefinitionStore definitions, ItemRow row, CurrentUser user, CancellationToken ct)
    {
        var published = await definitions.GetAsync(connection, row.WorkflowId, row.WorkflowVersion, ct);
        if (published is null) return [];
        var actor = Actor(user);
        return StateMachine.AllowedEvents(published.Definition, row.Facts, ActorRoles.Of(actor, row.Facts));
    }

    public static Actor Actor(CurrentUser user) => new(user.UserName, user.Role, user.UnitCode);
}
