using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Inbox;

/// <summary>The signed-in person's in-app messages (the inbox channel), through the inbox API's handlers.</summary>
public sealed class IndexModel(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall) : PageModel
{
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public InboxPage Inbox { get; private set; } = new([], 0, 0);
    public PagerModel Pager { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Inbox = (await InboxApi.List(HttpContext, db, null, PageNumber, PagerModel.DefaultSize, ct)).Value!;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, Inbox.Total);
    }

    public async Task<IActionResult> OnPostReadAsync(long id, CancellationToken ct)
    {
        await InboxApi.MarkRead(id, HttpContext, db, wall, ct);
        return Redirect("/inbox");
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct)
    {
        await InboxApi.MarkAllRead(HttpContext, db, wall, ct);
        return Redirect("/inbox");
    }
}
