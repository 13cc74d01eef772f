using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;

namespace Rectify.Api.Pages;

/// <summary>The home page is each role's own starting point.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet()
    {
        var me = CurrentUser.From(User);
        return Redirect(me switch
        {
            { IsUnit: true } => "/items",
            { IsSupervisor: true } => "/supervision",
            _ => "/campaigns",
        });
    }
}
