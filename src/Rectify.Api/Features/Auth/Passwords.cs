using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Rectify.Api.Features.Auth;

/// <summary>
/// Password hashing (ASP.NET Identity's PBKDF2 format). Every sign-in attempt costs one verification, also for a user
/// name that does not exist (it is checked against a hash of a random password made at start), so the answer time
/// does not tell which names exist (issue 19: 136 ms for a real name against 5.5 ms for an unknown one).
/// </summary>
public sealed class Passwords
{
    private static readonly PasswordHasher<string> Hasher = new();
    private readonly string unknownUserHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
    private long verifications;

    /// <summary>Verifications done so far (tests check that an unknown name costs the same work as a known one).</summary>
    public long Verifications => Interlocked.Read(ref verifications);

    public static string Hash(string password) => Hasher.HashPassword("rectify", password);

    /// <summary>True when <paramref name="hash"/> is set and matches; a null hash (unknown user) is verified against the dummy hash and fails.</summary>
    public bool Verify(string? hash, string password)
    {
        Interlocked.Increment(ref verifications);
        var result = Hasher.VerifyHashedPassword("rectify", hash ?? unknownUserHash, password);
        return hash is not null && result != PasswordVerificationResult.Failed;
    }
}

/// <summary>
/// What a new password must be (set by a user, an administrator's reset or a new account): at least
/// <see cref="MinLength"/> characters, not one of the shipped common passwords (also with digits or punctuation
/// appended: "Password2026!"), not the user name, not one character repeated. Passwords set before this rule (the
/// demo users', an operator's bootstrap password) keep working: the rule is for new passwords.
/// </summary>
public static class PasswordRule
{
    public const int MinLength = 10;
    public const int MaxLength = 256;

    private static readonly Lazy<HashSet<string>> Common = new(LoadCommon);

    /// <summary>Null when acceptable, otherwise the reason in Chinese and English.</summary>
    public static string? Check(string? userName, string? password)
    {
        if (string.IsNullOrEmpty(password)) return "必填 / required";
        if (password.Length > MaxLength) return $"不能超过 {MaxLength} 个字符 / at most {MaxLength} characters";
        if (password.Length < MinLength) return $"密码至少 {MinLength} 位 / at least {MinLength} characters";
        var lower = password.ToLowerInvariant();
        var core = lower.TrimEnd("0123456789!@#$%^&*()-_=+.,;:?~ ".ToCharArray());
        var name = userName?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(name) && (lower == name || core == name || lower.Contains(name, StringComparison.Ordinal) && name.Length * 2 > lower.Length))
            return "密码不能是用户名或以用户名为主 / must not be the user name";
        if (lower.Distinct().Count() <= 2) return "密码过于简单（字符重复） / too simple (repeated characters)";
        if (Common.Value.Contains(lower) || core.Length > 0 && Common.Value.Contains(core))
            return "这是常见密码，容易被猜中，请换一个 / this is a common password, choose another";
        return null;
    }

    private static HashSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordRule).Assembly.GetManifestResourceStream("Rectify.Api.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line.Trim());
        }
        return set;
    }
}
