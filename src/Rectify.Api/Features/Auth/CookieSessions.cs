using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Rectify.Api.Features.Auth;

/// <summary>
/// The browser's sign-in cookie is a handle on a server-side session (a row of auth_tokens, kind 'cookie'): the
/// cookie carries the session's random token, and every request checks the row, so a cookie copied before logout,
/// a password change or the user being disabled stops working at once (issue 19). The claims are rebuilt from the
/// user row on every request, so a changed role or unit applies without signing in again.
/// </summary>
public static class CookieSessions
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static async Task SignInAsync(HttpContext http, TokenStore tokens, UserRow user, CancellationToken ct)
    {
        var issued = await tokens.IssueAsync(user.Id, SessionOrigin.Of(http, TokenStore.CookieKind), ct);
        var identity = CurrentUser.ToIdentity(user, issued.SessionId, Scheme);
        identity.AddClaim(new Claim(CurrentUser.SessionTokenClaim, issued.AccessToken));
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Cookie event: a cookie without a live session is rejected and removed.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var token = context.Principal?.FindFirstValue(CurrentUser.SessionTokenClaim);
        var tokens = context.HttpContext.RequestServices.GetRequiredService<TokenStore>();
        var session = string.IsNullOrEmpty(token) ? null : await tokens.ValidateAsync(token, TokenStore.CookieKind, context.HttpContext.RequestAborted);
        if (session is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var identity = CurrentUser.ToIdentity(session.User, session.SessionId, Scheme);
        identity.AddClaim(new Claim(CurrentUser.SessionTokenClaim, token!));
        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    /// <summary>Ends the caller's own session (bearer or cookie) and, for a browser, removes the cookie.</summary>
    public static async Task SignOutAsync(HttpContext http, TokenStore tokens, CancellationToken ct)
    {
        var cookieToken = http.User.FindFirstValue(CurrentUser.SessionTokenClaim);
        if (!string.IsNullOrEmpty(cookieToken)) await tokens.RevokeAsync(cookieToken, "logout", ct);
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) await tokens.RevokeAsync(header["Bearer ".Length..].Trim(), "logout", ct);
        if (http.User.Identity?.AuthenticationType == Scheme || http.Request.Cookies.ContainsKey(Security.CrossSiteRequests.CookieName))
            await http.SignOutAsync(Scheme);
    }
}
