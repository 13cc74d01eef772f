using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Users;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Admin;

public sealed class UsersModel(NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, [FromKeyedServices("wall")] TimeProvider wall, UnitNames names, UiText text) : PageModel
{
    public sealed class UserInput
    {
        public string? UserName { get; set; }
        public string? Password { get; set; }
        public string? Role { get; set; }
        public string? UnitCode { get; set; }
        public Guid? PersonId { get; set; }
    }

    [BindProperty] public UserInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;
    public IReadOnlyList<UserDto> Users { get; private set; } = [];
    public IReadOnlyList<Choice> UnitChoices { get; private set; } = [];
    public IReadOnlyList<Choice> PersonChoices { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new UserRequest(Input.UserName, Input.Password, Input.Role, string.IsNullOrWhiteSpace(Input.UnitCode) ? null : Input.UnitCode, Input.PersonId);
        var result = (await UsersApi.Create(request, db, journal, HttpContext, clock, ct)).Result;
        if (ApiOutcome.Apply(result, ModelState, text))
        {
            TempData["Flash"] = text["用户已创建"];
            return Redirect("/admin/users");
        }
        Input.Password = null;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var page = (await UsersApi.List(db, wall, PageNumber, PagerModel.DefaultSize, ct)).Value!;
        Users = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        await using var connection = await db.OpenConnectionAsync(ct);
        UnitChoices = await Choices.UnitsAsync(connection, null, ct);
        PersonChoices = await Choices.PeopleAsync(connection, ct);
        await names.AllAsync(ct);
    }
}
