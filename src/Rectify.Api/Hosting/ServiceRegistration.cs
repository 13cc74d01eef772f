using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Api.Security;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Notifications;

namespace Rectify.Api.Hosting;

public static class ServiceRegistration
{
    public const string CombinedScheme = "Rectify";

    public static WebApplicationBuilder AddRectifyLogging(this WebApplicationBuilder builder)
    {
        UseShippedSettingsWhenContentRootHasNone(builder);
        // Structured logs: one JSON object a line, unless an operator asks for the plain console.
        if (!string.Equals(builder.Configuration["Logging:Console:FormatterName"], "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        // ASP.NET's "Request starting GET …?token=…" lines carry the raw query string (calendar-feed tokens): held at
        // Warning whatever the configuration says; RequestLog writes the same line with secrets redacted.
        // (A rule for the exact category, added after the configuration's, wins over it; the console's own is pinned too.)
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// <c>./rectify.sh run</c> starts the node from the checkout's root, so the content root holds no appsettings.json and
    /// its defaults (ASP.NET Core's per-request lines at warning) were lost: read the copy beside the assembly instead, in
    /// the same place among the sources, so environment variables still override it.
    /// </summary>
    private static void UseShippedSettingsWhenContentRootHasNone(WebApplicationBuilder builder)
    {
        if (File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json"))) return;
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))) return;
        var sources = ((IConfigurationBuilder)builder.Configuration).Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path: "appsettings.json" } json)
            {
                sources[i] = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
                {
                    Path = "appsettings.json",
                    Optional = true,
                    ReloadOnChange = json.ReloadOnChange,
                    FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
                };
                return;
            }
        }
    }

    /// <summary>
    /// The application clock. The wall clock (keyed "wall") is for things that must follow real time whatever the
    /// campaign clock says: token expiry, the audit journal's timestamps.
    /// </summary>
    public static IServiceCollection AddRectifyClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKeyedSingleton("wall", TimeProvider.System);
        services.AddOptions<ClockOptions>().BindConfiguration("Rectify:Clock");
        services.AddSingleton<RectifyClock>();
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<RectifyClock>());
        services.AddHostedService<ClockRefresher>();
        services.TryAddSingleton<IDueWorkBarrier, NothingDueBarrier>();
        return services;
    }

    /// <summary>Bearer tokens for programs, a cookie for the browser; a request with an Authorization header uses the bearer scheme.</summary>
    public static IServiceCollection AddRectifyAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration("Rectify:Auth");
        services.AddSingleton<TokenStore>();
        services.AddSingleton<Passwords>();
        services.AddSingleton<Rectify.Api.Features.Auth.PasswordChange>();
        services.AddSingleton<Rectify.Api.Features.Admin.IncidentRetry>();
        services.AddSingleton<Rectify.Api.Features.Users.PasswordReset>();
        services.AddSingleton<Rectify.Api.Features.Notifications.PreferencesUpdate>();
        services.AddSingleton<SignInAttempts>();
        services.AddOptions<SignInThrottleOptions>().BindConfiguration("Rectify:SignIn");
        services.AddSingleton<Rectify.Api.Security.SignInThrottle>();
        services.AddAuthentication(CombinedScheme)
            .AddPolicyScheme(CombinedScheme, "Bearer or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? BearerTokenHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = Rectify.Api.Security.CrossSiteRequests.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/forbidden";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // The cookie is only a handle: every request checks its server-side session (CookieSessions).
                o.Events.OnValidatePrincipal = CookieSessions.ValidateAsync;
                // API callers get status codes, never a redirect to the sign-in page.
                o.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, 401);
                o.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, 403);
            });
        services.AddRectifyPolicies();
        services.AddRectifyDataProtection();
        return services;
    }

    public static IServiceCollection AddRectifyApi(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ClientErrorExceptionHandler>();
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        });
        // Binding failures (malformed JSON, wrong types) reach ClientErrorExceptionHandler, which explains them in Chinese.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddSingleton<AdminJournal>();
        return services;
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Results.Problem(statusCode: status,
                title: status == 401 ? "未登录或登录已失效 / Unauthorized" : "无权操作 / Forbidden").ExecuteAsync(context.HttpContext);
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
