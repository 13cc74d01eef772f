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

    /// <summary>The OpenAPI document and its Swagger UI.</summary>
    public static WebApplication MapRectifyOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "swagger";
            o.SwaggerEndpoint("/openapi/v1.json", "Rectify API v1");
            o.DocumentTitle = "Rectify API";
        });
        return app;
    }
}
