using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Api.Security;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Account;

/// <summary>Every user's own password change, through the same <see cref="PasswordChange"/> as the API (same rule, same limits, same session ending).</summary>
public sealed class PasswordModel(PasswordChange change, UiText text) : PageModel
{
    public sealed class PasswordInput
    {
        public string? CurrentPassword { get; set; }
        public string? NewPassword { get; set; }
        public string? ConfirmPassword { get; set; }
    }

    [BindProperty] public PasswordInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Input.NewPassword != Input.ConfirmPassword)
        {
            ModelState.AddModelError("Input.ConfirmPassword", text["两次输入的新密码不一致"]);
            return Page();
        }
        var result = (await change.RunAsync(HttpContext, new ChangePasswordRequest(Input.CurrentPassword, Input.NewPassword), ct)).Result;
        if (result is IStatusCodeHttpResult { StatusCode: 429 })
        {
            ModelState.AddModelError("", text["尝试次数过多，请稍后再试。"]);
            return Page();
        }
        if (ApiOutcome.Apply(result, ModelState, text))
        {
            TempData["Flash"] = text["密码已修改，其他登录已失效"];
            return Redirect("/account/password");
        }
        return Page();
    }
}
