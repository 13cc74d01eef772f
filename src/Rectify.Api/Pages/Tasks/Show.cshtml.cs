using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Import;
using Rectify.Api.Jobs;

namespace Rectify.Api.Pages.Tasks;

/// <summary>One background task of the signed-in person: its state and a progress bar that site.js keeps current.</summary>
public sealed class ShowModel(BackgroundTasks tasks) : PageModel
{
    public BackgroundTaskDto Task { get; private set; } = null!;

    /// <summary>An import's outcome: the items it created, or the rows' errors (nothing was imported then).</summary>
    public int? Imported { get; private set; }
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await tasks.FindAsync(id, CurrentUser.From(User), ct) is not { } task) return NotFound();
        Task = task;
        if (task is { Kind: TaskKinds.Import, Summary: { } json } && json.Deserialize<ImportResult>(System.Text.Json.JsonSerializerOptions.Web) is { } summary)
        {
            if (task.State == TaskStates.Succeeded) Imported = summary.Imported;
            Errors = summary.Errors ?? [];
        }
        return Page();
    }
}
