using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;

namespace Rectify.Api.Pages;

/// <summary>
/// Sign-out is a POST (with the antiforgery token), so a link on another site cannot sign anyone out. It ends the
/// server-side session, so a copy of the cookie taken before stops working too.
/// </summary>
public sealed class LogoutModel(TokenStore tokens) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await CookieSessions.SignOutAsync(HttpContext, tokens, ct);
        return Redirect("/login");
    }
}
