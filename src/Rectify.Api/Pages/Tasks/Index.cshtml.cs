using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;
using Rectify.Api.Jobs;

namespace Rectify.Api.Pages.Tasks;

/// <summary>The signed-in person's recent background tasks.</summary>
public sealed class IndexModel(BackgroundTasks tasks) : PageModel
{
    public IReadOnlyList<BackgroundTaskDto> Tasks { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Tasks = await tasks.ListAsync(CurrentUser.From(User), ct);
}
