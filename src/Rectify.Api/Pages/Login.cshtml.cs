using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;
using Rectify.Api.Security;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages;

public sealed class LoginModel(TokenStore tokens, SignInThrottle throttle, UiText text) : PageModel
{
    public sealed class LoginInput
    {
        public string? UserName { get; set; }
        public string? Password { get; set; }
    }

    [BindProperty] public LoginInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect(SafeReturn()) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Input.UserName)) ModelState.AddModelError("Input.UserName", text["请输入用户名"]);
        else if (Input.UserName.Length > 64) ModelState.AddModelError("Input.UserName", text["用户名过长"]);
        if (string.IsNullOrEmpty(Input.Password)) ModelState.AddModelError("Input.Password", text["请输入密码"]);
        else if (Input.Password.Length > 256) ModelState.AddModelError("Input.Password", text["密码过长"]);
        if (!ModelState.IsValid) return Page();

        var userName = Input.UserName!.Trim();
        // The same lockout as POST /api/auth/token: the browser is not a way around it.
        if (await throttle.LockedUntilAsync(userName, ct) is { } until)
        {
            ModelState.AddModelError("", text.Format("登录失败次数过多，账号已临时锁定，请于 {0} 后再试。", until.ToOffset(TimeSpan.FromHours(8)).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
            return Page();
        }
        var user = await tokens.FindUserAsync(userName, ct);
        if (user is null || !TokenStore.VerifyPassword(user.PasswordHash, Input.Password!))
        {
            await throttle.RecordFailureAsync(userName, ct);
            ModelState.AddModelError("", text["用户名或密码错误"]);
            return Page();
        }
        await throttle.ResetAsync(userName, ct);
        var identity = CurrentUser.ToIdentity(user.Id, user.UserName, user.Role, user.UnitCode, user.PersonId,
            CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(SafeReturn());
    }

    private string SafeReturn() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
