namespace Rectify.Api.Security;

/// <summary>
/// The sign-in cookie acts only for pages of this site. Razor forms carry antiforgery tokens and the cookie is
/// SameSite=Lax; on top of that, the API also accepts the cookie (for the UI's own scripts), so an unsafe request (POST,
/// PUT, PATCH, DELETE) that carries the cookie and no bearer token is refused with 403 when the browser says it was
/// sent from another site (<c>Sec-Fetch-Site: cross-site</c> or <c>same-site</c>, i.e. also a sibling subdomain, to
/// which Lax cookies still go) or, for browsers without that header, names another <c>Origin</c>. Programs sign in with
/// bearer tokens and are not affected; a request without the cookie has nothing to forge.
/// </summary>
public static class CrossSiteRequests
{
    public const string CookieName = "rectify.auth";

    public static WebApplication UseRectifyCrossSiteProtection(this WebApplication app)
    {
        var publicHost = Uri.TryCreate(app.Configuration["Rectify:PublicBaseUrl"], UriKind.Absolute, out var publicUrl) ? publicUrl.Authority : null;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (IsUnsafe(request.Method) && request.Headers.Authorization.Count == 0 && request.Cookies.ContainsKey(CookieName)
                && IsFromAnotherSite(request, publicHost))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await Results.Problem(statusCode: 403, title: "跨站请求被拒绝 / Cross-site request refused",
                    detail: "登录状态只对本系统页面发出的操作有效，其他网站发来的请求不予执行。 / The sign-in cookie only acts for this site's own pages.")
                    .ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    private static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static bool IsFromAnotherSite(HttpRequest request, string? publicHost)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0) return fetchSite is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false; // not a browser, or one that sends neither header on a same-origin request
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var url)) return true; // "null" (sandboxed or privacy-hidden) and garbage
        // Host and port only: behind a TLS-terminating proxy the scheme the server sees differs from the browser's.
        return !string.Equals(url.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(url.Authority, publicHost, StringComparison.OrdinalIgnoreCase);
    }
}
