using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Api.Security;

namespace Rectify.Api.Features.Auth;

public sealed record TokenRequest(string? UserName, string? Password);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string TokenType, string Role, string? UnitCode);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous();
        group.MapPost("/logout", Logout).RequireAuthorization();
        group.MapPost("/revoke", Logout).RequireAuthorization();
        group.MapPost("/password", ChangePassword).RequireAuthorization();
        group.MapGet("/me", Me).RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest request, TokenStore tokens, SignInAttempts signIn, [FromKeyedServices("wall")] TimeProvider wall, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var userName = v.Required("userName", request.UserName, 64);
        if (string.IsNullOrEmpty(request.Password)) v.Add("password", "必填 / required");
        else if (request.Password.Length > PasswordRule.MaxLength) v.Add("password", "不能超过 256 个字符 / at most 256 characters");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var result = await signIn.AttemptAsync(userName, request.Password!, SignInSource.Of(http), ct);
        switch (result.Outcome)
        {
            case SignInOutcome.Throttled:
                return TooManyAttempts(http, result.RetryAt!.Value, wall);
            case SignInOutcome.Invalid:
                return TypedResults.Problem(statusCode: 401, title: "用户名或密码错误 / Invalid credentials", detail: "请检查用户名和密码。");
            case SignInOutcome.Disabled:
                return TypedResults.Problem(statusCode: 403, title: "账号已停用 / Account disabled", detail: "该账号已被管理员停用，请联系系统管理员。");
        }
        var user = result.User!;
        var issued = await tokens.IssueAsync(user.Id, SessionOrigin.Of(http, TokenStore.BearerKind), ct);
        return TypedResults.Ok(new TokenResponse(issued.AccessToken, issued.ExpiresAt, "Bearer", user.Role, user.UnitCode));
    }

    /// <summary>429 with Retry-After, in Chinese, naming the time (Beijing time) when trying again is allowed.</summary>
    public static ProblemHttpResult TooManyAttempts(HttpContext http, DateTimeOffset until, TimeProvider wall)
    {
        http.Response.Headers.RetryAfter = SignInAttempts.SecondsUntil(until, wall).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, title: "登录失败次数过多，请稍后再试 / Too many failed sign-ins",
            detail: $"请于 {until.ToOffset(TimeSpan.FromHours(8)):HH:mm:ss}（{SignInAttempts.SecondsUntil(until, wall)} 秒后）再试。");
    }

    /// <summary>Ends the caller's session: the bearer token or the browser cookie stops working on every node.</summary>
    public static async Task<NoContent> Logout(HttpContext http, TokenStore tokens, CancellationToken ct)
    {
        await CookieSessions.SignOutAsync(http, tokens, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Changes the caller's own password (the current one is required, and wrong guesses count like failed sign-ins).
    /// Every session of the user ends, this one included; the caller gets a fresh one: a new bearer token in the
    /// answer, or a new cookie for a browser. The page /account/password calls the same <see cref="PasswordChange"/>.
    /// </summary>
    public static Task<Results<Ok<TokenResponse>, NoContent, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, PasswordChange change, CancellationToken ct) => change.RunAsync(http, request, ct);

    /// <summary>Stores a new password hash and ends every session of the user (one transaction: never one without the other).</summary>
    internal static async Task SetPasswordAsync(NpgsqlConnection connection, TokenStore tokens, Guid userId, string password, string why,
        TimeProvider wall, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update users set password_hash = @hash, password_changed_at = @now where id = @userId",
            new { hash = Passwords.Hash(password), now = wall.GetUtcNow(), userId }, tx, cancellationToken: ct));
        await tokens.RevokeAllAsync(connection, userId, why, ct, tx);
        await tx.CommitAsync(ct);
    }

    public static Ok<CurrentUser> Me(HttpContext context) => TypedResults.Ok(CurrentUser.From(context.User));
}
