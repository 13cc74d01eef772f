using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Api.Security;

namespace Rectify.Api.Features.Auth;

/// <summary>
/// A user changes their own password: the current one is required, wrong guesses count like failed sign-ins, every
/// session of the user ends and the caller gets a fresh one. Used by <c>POST /api/auth/password</c> and the page.
/// </summary>
public sealed class PasswordChange(
    NpgsqlDataSource db, TokenStore tokens, Passwords passwords, SignInThrottle throttle, AdminJournal journal,
    [FromKeyedServices("wall")] TimeProvider wall)
{
    public async Task<Results<Ok<TokenResponse>, NoContent, ValidationProblem, ProblemHttpResult>> RunAsync(
        HttpContext http, ChangePasswordRequest request, CancellationToken ct)
    {
        var me = CurrentUser.From(http.User);
        var v = new Validator();
        if (string.IsNullOrEmpty(request.CurrentPassword)) v.Add("currentPassword", "必填 / required");
        else if (request.CurrentPassword.Length > PasswordRule.MaxLength) v.Add("currentPassword", "不能超过 256 个字符 / at most 256 characters");
        if (PasswordRule.Check(me.UserName, request.NewPassword) is { } weak) v.Add("newPassword", weak);
        else if (request.NewPassword == request.CurrentPassword) v.Add("newPassword", "新密码不能与当前密码相同 / must differ from the current password");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var source = SignInSource.Of(http);
        if (await throttle.BlockedUntilAsync(me.UserName, source, ct) is { } until) return AuthApi.TooManyAttempts(http, until, wall);
        var user = await tokens.FindUserAsync(me.Id, ct);
        if (user is null) return Problems.NotFound("用户");
        if (!passwords.Verify(user.PasswordHash, request.CurrentPassword!))
        {
            await throttle.RecordFailureAsync(me.UserName, source, ct);
            return Problems.Unprocessable("当前密码不正确 / the current password is wrong", "currentPassword");
        }
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await AuthApi.SetPasswordAsync(connection, tokens, user.Id, request.NewPassword!, "password-changed", wall, ct);
            await journal.RecordAsync(connection, http, new AdminChange("user.password-changed", "user", user.Id.ToString(), new { user.UserName }), ct);
        }
        if (http.User.Identity?.AuthenticationType == CookieSessions.Scheme)
        {
            await CookieSessions.SignInAsync(http, tokens, user, ct);
            return TypedResults.NoContent();
        }
        var issued = await tokens.IssueAsync(user.Id, SessionOrigin.Of(http, TokenStore.BearerKind), ct);
        return TypedResults.Ok(new TokenResponse(issued.AccessToken, issued.ExpiresAt, "Bearer", user.Role, user.UnitCode));
    }
}
