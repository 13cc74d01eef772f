using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Users;

/// <summary>An administrator sets a new password for a user (the same rule as any new password); the user's sessions end.</summary>
public sealed class PasswordReset(NpgsqlDataSource db, TokenStore tokens, AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall)
{
    public async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> RunAsync(
        HttpContext http, Guid id, ResetPasswordRequest request, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var user = await UsersApi.FindAsync(connection, id, wall, ct);
        if (user is null) return Problems.NotFound("用户");
        if (PasswordRule.Check(user.UserName, request.NewPassword) is { } weak)
            return Problems.Invalid(new Dictionary<string, string[]> { ["newPassword"] = [weak] });
        await AuthApi.SetPasswordAsync(connection, tokens, id, request.NewPassword!, "password-reset", wall, ct);
        await journal.RecordAsync(connection, http, new AdminChange("user.password-reset", "user", id.ToString(), new { user.UserName }), ct);
        return TypedResults.Ok((await UsersApi.FindAsync(connection, id, wall, ct))!);
    }
}
