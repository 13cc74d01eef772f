using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Features.Auth;
using Rectify.Api.Security;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages;

public sealed class LoginModel(TokenStore tokens, SignInAttempts signIn, [FromKeyedServices("wall")] TimeProvider wall, UiText text) : PageModel
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
        // The same limits as POST /api/auth/token: the browser is not a way around them.
        var result = await signIn.AttemptAsync(userName, Input.Password!, SignInSource.Of(HttpContext), ct);
        switch (result.Outcome)
        {
            case SignInOutcome.Throttled:
                Response.Headers.RetryAfter = SignInAttempts.SecondsUntil(result.RetryAt!.Value, wall).ToString(System.Globalization.CultureInfo.InvariantCulture);
                ModelState.AddModelError("", text.Format("登录失败次数过多，请于 {0} 后再试。",
                    result.RetryAt.Value.ToOffset(TimeSpan.FromHours(8)).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)));
                return Page();
            case SignInOutcome.Invalid:
                ModelState.AddModelError("", text["用户名或密码错误"]);
                return Page();
            case SignInOutcome.Disabled:
                ModelState.AddModelError("", text["该账号已被管理员停用，请联系系统管理员。"]);
                return Page();
        }
        await CookieSessions.SignInAsync(HttpContext, tokens, result.User!, ct);
        return LocalRedirect(SafeReturn());
    }

    private string SafeReturn() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
