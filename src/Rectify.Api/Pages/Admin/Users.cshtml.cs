using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Users;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Admin;

/// <summary>Accounts: create, and (issue 19) disable or enable, reset a password, end a user's sessions.</summary>
public sealed class UsersModel(
    NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, [FromKeyedServices("wall")] TimeProvider wall, TokenStore tokens,
    PasswordReset reset, UnitNames names, UiText text) : PageModel
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
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public IReadOnlyList<UserDto> Users { get; private set; } = [];
    public IReadOnlyList<Choice> UnitChoices { get; private set; } = [];
    public IReadOnlyList<Choice> PersonChoices { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;
    public Guid MyId => CurrentUser.From(User).Id;
    public IReadOnlyList<string> ActionErrors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new UserRequest(Input.UserName, Input.Password, Input.Role, string.IsNullOrWhiteSpace(Input.UnitCode) ? null : Input.UnitCode, Input.PersonId);
        var outcome = await UserCommands.CreateAsync(db, journal, clock, request, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["用户已创建"];
            return Redirect("/admin/users");
        }
        Input.Password = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(
            (await UserCommands.DisableAsync(db, tokens, journal, wall, id, CurrentUser.From(User), ct)).Refusal,
            "用户已停用，其登录已全部失效", ct);

    public async Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken ct) =>
        await AfterAsync((await UserCommands.EnableAsync(db, journal, wall, id, CurrentUser.From(User), ct)).Refusal, "用户已启用", ct);

    public async Task<IActionResult> OnPostEndSessionsAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(
            (await UserCommands.EndSessionsAsync(db, tokens, journal, wall, id, CurrentUser.From(User), ct)).Refusal,
            "该用户的登录已全部结束", ct);

    public async Task<IActionResult> OnPostResetAsync(Guid id, [FromForm] string? newPassword, CancellationToken ct)
    {
        var result = (await reset.RunAsync(HttpContext, id, new ResetPasswordRequest(newPassword), ct)).Result;
        return await ShownAsync(ApiOutcome.Apply(result, ModelState, text, prefix: "", rename: _ => ""), "密码已重置，该用户的登录已全部失效", ct);
    }

    private async Task<IActionResult> AfterAsync(Refusal? refusal, string done, CancellationToken ct) =>
        await ShownAsync(ApiOutcome.Apply(refusal, ModelState, text, prefix: "", rename: _ => ""), done, ct);

    private async Task<IActionResult> ShownAsync(bool applied, string done, CancellationToken ct)
    {
        if (applied)
        {
            TempData["Flash"] = text[done];
            return Redirect("/admin/users" + (PageNumber > 1 ? $"?page={PageNumber}" : ""));
        }
        // Shown above the table, not in the new-user form's summary.
        ActionErrors = ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).Distinct().ToList();
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var page = await UserQueries.ListAsync(connection, Paging.From(PageNumber, PagerModel.DefaultSize), wall.GetUtcNow(), ct);
        Users = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        UnitChoices = await Choices.UnitsAsync(connection, null, ct);
        PersonChoices = await Choices.PeopleAsync(connection, ct);
        await names.AllAsync(ct);
    }
}
