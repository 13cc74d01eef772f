using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Admin;

/// <summary>The list of item sources (考核反馈, 审计 …) the offices extend (issue 15.5), through <see cref="SourceCommands"/>.</summary>
public sealed class ItemSourcesModel(NpgsqlDataSource db, AdminJournal journal, UiText text) : PageModel
{
    public sealed class SourceInput
    {
        public string? Name { get; set; }
        public int? Sort { get; set; }
    }

    [BindProperty] public SourceInput Input { get; set; } = new();
    public IReadOnlyList<ItemSourceDto> Sources { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await SourceCommands.PutAsync(db, journal, Input.Name ?? "", new ItemSourceRequest(Input.Sort), CurrentUser.From(User), ct);
        return await OutcomeAsync(outcome.Refusal, "问题来源已保存", ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string name, CancellationToken ct) =>
        await OutcomeAsync(await SourceCommands.DeleteAsync(db, journal, name, CurrentUser.From(User), ct), "问题来源已删除", ct);

    private async Task<IActionResult> OutcomeAsync(Refusal? refusal, string done, CancellationToken ct)
    {
        if (ApiOutcome.Apply(refusal, ModelState, text, "Input."))
        {
            TempData["Flash"] = text[done];
            return Redirect("/admin/item-sources");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        Sources = await SourceQueries.ListAsync(connection, ct);
    }
}
