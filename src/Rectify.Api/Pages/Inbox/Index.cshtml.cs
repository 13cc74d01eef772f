using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Inbox;

/// <summary>
/// The signed-in person's in-app messages (the inbox channel): read through the inbox queries, marked read through
/// <see cref="InboxCommands"/>.
/// </summary>
public sealed class IndexModel(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall) : PageModel
{
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public InboxPage Inbox { get; private set; } = new([], 0, 0);
    public PagerModel Pager { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
            Inbox = await InboxQueries.ListAsync(
                connection, Features.Auth.CurrentUser.From(User), null, Paging.From(PageNumber, PagerModel.DefaultSize), ct);
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, Inbox.Total);
    }

    public async Task<IActionResult> OnPostReadAsync(long id, CancellationToken ct)
    {
        await InboxCommands.MarkReadAsync(db, wall, id, Features.Auth.CurrentUser.From(User), ct);
        return Redirect("/inbox");
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct)
    {
        await InboxCommands.MarkAllReadAsync(db, wall, Features.Auth.CurrentUser.From(User), ct);
        return Redirect("/inbox");
    }
}
