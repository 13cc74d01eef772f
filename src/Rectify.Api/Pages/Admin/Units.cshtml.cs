using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Admin;

public sealed class UnitsModel(NpgsqlDataSource db, AdminJournal journal, UnitNames names, UiText text) : PageModel
{
    public sealed class UnitInput
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public string? Kind { get; set; }
        public string? ParentCode { get; set; }
    }

    [BindProperty] public UnitInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "edit")] public string? Editing { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public IReadOnlyList<UnitDto> Units { get; private set; } = [];
    public IReadOnlyList<Choice> Parents { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(Editing))
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var unit = await UnitQueries.FindAsync(connection, Editing, ct);
            if (unit is null) return NotFound();
            Input = new UnitInput { Code = unit.Code, Name = unit.Name, Kind = unit.Kind, ParentCode = unit.ParentCode };
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new UnitRequest(Editing ?? Input.Code, Input.Name, Input.Kind, string.IsNullOrWhiteSpace(Input.ParentCode) ? null : Input.ParentCode);
        var me = CurrentUser.From(User);
        var outcome = string.IsNullOrEmpty(Editing)
            ? await UnitCommands.CreateAsync(db, journal, request, me, ct)
            : await UnitCommands.UpdateAsync(db, journal, Editing, request, me, ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["已保存"];
            return Redirect("/admin/units");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
        await using var connection = await db.OpenConnectionAsync(ct);
        var page = await UnitQueries.ListAsync(connection, new UnitFilter(Q: q), Paging.From(PageNumber, PagerModel.DefaultSize), ct);
        Units = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        Parents = await Choices.UnitsAsync(connection, null, ct);
        await names.AllAsync(ct);
    }
}
