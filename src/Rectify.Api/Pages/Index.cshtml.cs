using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Rectify.Api.Pages;

/// <summary>The home page: every role starts on its 待办 (issue 13 §1), what waits for it, each row leading to where it is done.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/todo");
}
