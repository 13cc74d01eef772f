using Microsoft.AspNetCore.Http.HttpResults;
using Rectify.Api.Infrastructure;
using Rectify.Api.Security;

namespace Rectify.Api.Features.Auth;

public sealed record TokenRequest(string? UserName, string? Password);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string TokenType, string Role, string? UnitCode);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous();
        group.MapPost("/revoke", Revoke).RequireAuthorization();
        group.MapGet("/me", Me).RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest request, TokenStore tokens, SignInThrottle throttle, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var userName = v.Required("userName", request.UserName, 64);
        if (string.IsNullOrEmpty(request.Password)) v.Add("password", "必填 / required");
        else if (request.Password.Length > 256) v.Add("password", "不能超过 256 个字符 / at most 256 characters");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        if (await throttle.LockedUntilAsync(userName, ct) is { } until)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: 429, title: "登录失败次数过多，账号已临时锁定 / Too many failed sign-ins",
                detail: $"请于 {until.ToOffset(TimeSpan.FromHours(8)):HH:mm} 后再试。");
        }
        var user = await tokens.FindUserAsync(userName, ct);
        if (user is null || !TokenStore.VerifyPassword(user.PasswordHash, request.Password!))
        {
            await throttle.RecordFailureAsync(userName, ct);
            return TypedResults.Problem(statusCode: 401, title: "用户名或密码错误 / Invalid credentials", detail: "请检查用户名和密码。");
        }
        await throttle.ResetAsync(userName, ct);
        var issued = await tokens.IssueAsync(user.Id, ct);
        return TypedResults.Ok(new TokenResponse(issued.AccessToken, issued.ExpiresAt, "Bearer", user.Role, user.UnitCode));
    }

    public static async Task<NoContent> Revoke(HttpContext context, TokenStore tokens, CancellationToken ct)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await tokens.RevokeAsync(header["Bearer ".Length..].Trim(), ct);
        }
        return TypedResults.NoContent();
    }

    public static Ok<CurrentUser> Me(HttpContext context) => TypedResults.Ok(CurrentUser.From(context.User));
}
