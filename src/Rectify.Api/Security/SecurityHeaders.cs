namespace Rectify.Api.Security;

/// <summary>
/// Security headers on every response. The UI ships no inline script, so the policy forbids it; Swagger UI's page and the
/// jobs dashboard are the places that need inline styles and are given a looser policy of their own.
/// </summary>
public static class SecurityHeaders
{
    private const string AppPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    private const string SwaggerPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Hangfire's dashboard (/admin/jobs, administrators only) writes state colours as style attributes; its scripts are
    /// files of its own, so only inline styles are let through, on that path alone.
    /// </summary>
    private const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// A file shown in place on one of the app's own pages (an image or a PDF, issue 13): it runs nothing and loads
    /// nothing, and only the app's own pages may frame it (a PDF opens in an iframe; another site still may not).
    /// </summary>
    private const string FramedFilePolicy =
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'";

    private const string FramedBySelfKey = "rectify:framed-by-self";

    /// <summary>Marks the response as a file the app's own pages may show in a frame (see <see cref="FramedFilePolicy"/>).</summary>
    public static void AllowFramingBySelf(HttpContext context) => context.Items[FramedBySelfKey] = true;

    public static WebApplication UseRectifySecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // Read now: mounted pipelines (Hangfire's dashboard) move the path into PathBase before the response starts.
            var path = context.Request.Path;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                var framed = context.Items.ContainsKey(FramedBySelfKey);
                headers.XFrameOptions = framed ? "SAMEORIGIN" : "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                headers.ContentSecurityPolicy = framed ? FramedFilePolicy
                    : path.StartsWithSegments("/swagger") ? SwaggerPolicy
                    : path.StartsWithSegments(Rectify.Api.Jobs.JobsHosting.DashboardPath) ? JobsDashboardPolicy
                    : AppPolicy;
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
