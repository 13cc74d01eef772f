using Rectify.Api.Features.Admin;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Features.People;
using Rectify.Api.Features.Units;
using Rectify.Api.Features.Users;
using Rectify.Api.Security;

namespace Rectify.Api.Hosting;

public static class Pipeline
{
    public static WebApplication UseRectifyPipeline(this WebApplication app)
    {
        app.UseRectifyRequestLog();
        app.UseRectifySecurityHeaders();
        app.UseExceptionHandler();
        app.UseRectifyRequestLimits();
        app.UseRectifyCrossSiteProtection();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRectifyIdempotency();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapRectifyApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "swagger";
            o.SwaggerEndpoint("/openapi/v1.json", "Rectify API v1");
            o.DocumentTitle = "Rectify API";
        });
        app.MapAuthApi();
        app.MapUnitsApi();
        app.MapUnitGroupsApi();
        app.MapPeopleApi();
        app.MapUsersApi();
        app.MapCampaignsApi();
        app.MapItemsApi();
        app.MapSourcesApi();
        app.MapClockApi();
        app.MapIncidentsApi();
        app.MapRectifyRuntime();
        app.MapRectifyDocuments();
        app.MapNotificationsApi();
        return app;
    }
}
