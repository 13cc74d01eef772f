using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Admin;

/// <summary>Unit groups (乡镇, 县直部门, 领导小组成员单位 …) and unit aliases, through <see cref="UnitGroupCommands"/>.</summary>
public sealed class UnitGroupsModel(NpgsqlDataSource db, AdminJournal journal, UnitNames names, UiText text) : PageModel
{
    public sealed class GroupInput
    {
        public string? Name { get; set; }
        public string? Aliases { get; set; }
        public string? Units { get; set; }
    }

    public sealed class AliasInput
    {
        public string? Alias { get; set; }
        public string? UnitCode { get; set; }
    }

    [BindProperty] public GroupInput Input { get; set; } = new();
    [BindProperty] public AliasInput Alias { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "edit")] public string? Editing { get; set; }
    public IReadOnlyList<UnitGroupDto> Groups { get; private set; } = [];
    public IReadOnlyList<UnitAliasDto> Aliases { get; private set; } = [];
    public UnitNames Names => names;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Editing is not null && Groups.FirstOrDefault(g => g.Name == Editing) is { } group)
            Input = new GroupInput { Name = group.Name, Aliases = string.Join("、", group.Aliases), Units = string.Join("、", group.Units) };
        return Page();
    }

    public async Task<IActionResult> OnPostGroupAsync(CancellationToken ct)
    {
        var request = new UnitGroupRequest(Split(Input.Aliases), Split(Input.Units));
        var outcome = await UnitGroupCommands.PutAsync(db, journal, Input.Name ?? "", request, CurrentUser.From(User), ct);
        return await OutcomeAsync(outcome.Refusal, "Input.", ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string name, CancellationToken ct) =>
        await OutcomeAsync(await UnitGroupCommands.DeleteAsync(db, journal, name, CurrentUser.From(User), ct), "Input.", ct);

    public async Task<IActionResult> OnPostAliasAsync(CancellationToken ct)
    {
        var request = new UnitAliasRequest(Alias.UnitCode);
        var outcome = await UnitGroupCommands.PutAliasAsync(db, journal, Alias.Alias ?? "", request, CurrentUser.From(User), ct);
        return await OutcomeAsync(outcome.Refusal, "Alias.", ct);
    }

    public async Task<IActionResult> OnPostDeleteAliasAsync(string alias, CancellationToken ct) =>
        await OutcomeAsync(await UnitGroupCommands.DeleteAliasAsync(db, journal, alias, CurrentUser.From(User), ct), "Alias.", ct);

    private async Task<IActionResult> OutcomeAsync(Refusal? refusal, string prefix, CancellationToken ct)
    {
        if (ApiOutcome.Apply(refusal, ModelState, text, prefix))
        {
            TempData["Flash"] = text["已保存"];
            return Redirect("/admin/unit-groups");
        }
        await LoadAsync(ct);
        return Page();
    }

    private static string[] Split(string? text) =>
        (text ?? "").Split(['、', '，', ',', ';', '；', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        Groups = await UnitGroupQueries.ListAsync(connection, ct);
        Aliases = await UnitGroupQueries.ListAliasesAsync(connection, ct);
        await names.AllAsync(ct);
    }
}
