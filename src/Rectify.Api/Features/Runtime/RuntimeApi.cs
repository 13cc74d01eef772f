using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
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
        var outcome = await CampaignCommands.LaunchAsync(db, launcher, clock, id, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsProblem() : TypedResults.Ok(outcome.Value);
    }
}
