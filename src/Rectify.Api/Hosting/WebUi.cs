using Microsoft.Extensions.FileProviders;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Hosting;

/// <summary>
/// The web UI: server-rendered Razor Pages under Pages/, static files from wwwroot (copied next to the assembly so the
/// app serves them however it is started), a strict Content-Security-Policy, and HTML pages for 404/403.
/// </summary>
public static class WebUi
{
    public static IServiceCollection AddRectifyWebUi(this IServiceCollection services)
    {
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
            o.Conventions.AuthorizePage("/Admin/Users", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Workflows", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Outbox", Policies.Admin);
            o.Conventions.AuthorizePage("/Admin/Clock", Policies.Admin);
        });
        // Chinese text goes out as characters, not &#x…; entities (the page is UTF-8).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddHttpContextAccessor();
        services.AddScoped<UiText>();
        services.AddScoped<UnitNames>();
        return services;
    }

    /// <summary>Call after UseRectifyPipeline: browser paths get HTML error pages, API paths keep problem details.</summary>
    public static WebApplication UseRectifyWebUi(this WebApplication app)
    {
        app.UseWhen(IsUiPath, ui =>
        {
            ui.UseStatusCodePagesWithReExecute("/status/{0}");
            ui.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
                    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                await next(context);
            });
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

    public static WebApplication MapRectifyWebUi(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }

    private static bool IsUiPath(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/swagger")
        && !context.Request.Path.StartsWithSegments("/openapi") && !context.Request.Path.StartsWithSegments("/health");
}
