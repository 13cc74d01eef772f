using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Runtime;

/// <summary>Launch a campaign (one transaction, see the runtime in Rectify.Workflows).</summary>
public static class RuntimeApi
{
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{id:guid}/launch", Launch).WithTags("Campaigns").RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Results<Ok<CampaignDto>, ProblemHttpResult>> Launch(
        Guid id, HttpContext http, NpgsqlDataSource db, CampaignLauncher launcher, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        if (!Access.CanManageCampaign(user, campaign.IssuedByUnit))
            return Problems.Forbidden("只有发起单位可以启动整改工作 / only the issuing office may launch");
        var outcome = await launcher.LaunchAsync(id, ItemAllowedEvents.Actor(user), clock.GetUtcNow(), notify: true, ct);
        if (outcome is LaunchRefused refused)
            return refused.Status == 404 ? Problems.NotFound("整改工作") : Problems.Unprocessable(refused.Message);
        return TypedResults.Ok((await CampaignQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct))!);
    }
}
