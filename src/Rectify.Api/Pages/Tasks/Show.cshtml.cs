using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;
using Rectify.Api.Jobs;

namespace Rectify.Api.Pages.Tasks;

/// <summary>One background task of the signed-in person: its state and a progress bar that site.js keeps current.</summary>
public sealed class ShowModel(BackgroundTasks tasks) : PageModel
{
    public BackgroundTaskDto Task { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await tasks.FindAsync(id, CurrentUser.From(User), ct) is not { } task) return NotFound();
        Task = task;
        return Page();
    }
}
