using Microsoft.Extensions.FileProviders;
using Rectify.Api.Features.Talks;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Hosting;

/// <summary>
/// The web UI: server-rendered Razor Pages under Pages/, static files from wwwroot (copied next to the assembly so the
/// app serves them however it is started), and HTML pages for 404/403. The Content-Security-Policy is Security/SecurityHeaders.
/// </summary>
public static class WebUi
{
    /// <summary>The supervision inbox: supervision offices, leading-group offices and the administrator.</summary>
    public const string SupervisePolicy = "ui.supervise";

    public static IServiceCollection AddRectifyWebUi(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(SupervisePolicy, p => p.RequireRole(Roles.Supervisor, Roles.LeadingGroup, Roles.Admin));
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            // Pages that serve two routes (create and edit) get the second one here.
            o.Conventions.AddPageRoute("/Campaigns/Edit", "/campaigns/new");
            o.Conventions.AddPageRoute("/Items/Edit", "/campaigns/{campaignId:guid}/items/new");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Forbidden");
            o.Conventions.AllowAnonymousToPage("/Status");
            o.Conventions.AllowAnonymousToPage("/Language");
            o.Conventions.AuthorizeFolder("/Admin", Policies.ManageOrganisation);
            o.Conventions.AuthorizeFolder("/Supervision", SupervisePolicy);
            o.Conventions.AuthorizePage("/Admin/Users", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Workflows", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Outbox", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Clock", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Incidents", Policies.Admin);
        });
        // Chinese text goes out as characters, not &#x…; entities (the page is UTF-8).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        // The sign-in cookie expires on the wall clock, like bearer tokens: moving the campaign clock a month forward
        // must not sign everybody out (authentication handlers otherwise take the application's TimeProvider).
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(
                Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IServiceProvider>((o, sp) => o.TimeProvider = sp.GetRequiredKeyedService<TimeProvider>("wall"));
        services.AddHttpContextAccessor();
        services.AddScoped<UiText>();
        services.AddScoped<UnitNames>();
        services.AddScoped<TodoBadges>();
        return services;
    }

    /// <summary>Call after UseRectifyPipeline: browser paths get HTML error pages, API paths keep problem details.</summary>
    public static WebApplication UseRectifyWebUi(this WebApplication app)
    {
        app.UseWhen(IsUiPath, ui =>
        {
            ui.Use(RenderStatusPageAsync);
        });
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(root),
                OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public,max-age=3600",
            });
        }
        return app;
    }

    /// <summary>
    /// An error status without a body on a browser path is answered with the status page (keeping the status code),
    /// the way UseStatusCodePagesWithReExecute would; done here because the outer problem-details status pages of the
    /// API must keep answering /api paths.
    /// </summary>
    /// <summary>Set in HttpContext.Items while the status page renders for another request's status.</summary>
    public const string StatusPageMarker = "rectify.statusPage";

    private static async Task RenderStatusPageAsync(HttpContext context, RequestDelegate next)
    {
        await next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode is < 400 or >= 600 || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType))
            return;
        var status = response.StatusCode;
        var originalPath = context.Request.Path;
        var originalMethod = context.Request.Method;
        context.Items[StatusPageMarker] = status;
        // Routing already ran (WebApplication routes first), so the status page's endpoint is set here directly.
        var endpoint = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText?.Trim('/') == "status/{code:int}");
        if (endpoint is null) return;
        context.SetEndpoint(endpoint);
        // The status page allows anonymous visitors; authorization already ran for this request, so tell the endpoint
        // middleware so (the key the authorization middleware itself sets).
        context.Items["__AuthorizationMiddlewareWithEndpointInvoked"] = true;
        context.Request.RouteValues.Clear();
        context.Request.RouteValues["code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Request.Path = $"/status/{status}";
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Path = originalPath;
            context.Request.Method = originalMethod;
        }
        if (!response.HasStarted) response.StatusCode = status;
    }

    private static bool IsUiPath(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/swagger")
        && !context.Request.Path.StartsWithSegments("/openapi") && !context.Request.Path.StartsWithSegments("/health");
}
