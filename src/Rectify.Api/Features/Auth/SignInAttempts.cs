using Rectify.Api.Security;

namespace Rectify.Api.Features.Auth;

public enum SignInOutcome { Success, Invalid, Disabled, Throttled }

public sealed record SignInResult(SignInOutcome Outcome, UserRow? User = null, DateTimeOffset? RetryAt = null);

/// <summary>
/// One sign-in attempt, the same for POST /api/auth/token and the sign-in page: limits first (a blocked source or
/// name-from-source waits, whatever the password), then exactly one password verification whether or not the name
/// exists, then the disabled check (told only to someone who knows the password).
/// </summary>
public sealed class SignInAttempts(TokenStore tokens, Passwords passwords, SignInThrottle throttle)
{
    public async Task<SignInResult> AttemptAsync(string userName, string password, string source, CancellationToken ct)
    {
        if (await throttle.BlockedUntilAsync(userName, source, ct) is { } until) return new SignInResult(SignInOutcome.Throttled, RetryAt: until);
        var user = await tokens.FindUserAsync(userName, ct);
        if (!passwords.Verify(user?.PasswordHash, password))
        {
            await throttle.RecordFailureAsync(userName, source, ct);
            return new SignInResult(SignInOutcome.Invalid);
        }
        await throttle.ResetAsync(userName, source, ct);
        return user!.IsDisabled ? new SignInResult(SignInOutcome.Disabled) : new SignInResult(SignInOutcome.Success, user);
    }

    /// <summary>Whole seconds until <paramref name="at"/>, at least one (the Retry-After header).</summary>
    public static int SecondsUntil(DateTimeOffset at, TimeProvider wall) => Math.Max(1, (int)Math.Ceiling((at - wall.GetUtcNow()).TotalSeconds));
}
