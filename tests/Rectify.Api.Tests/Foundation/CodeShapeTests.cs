using System.Reflection;
using System.Runtime.CompilerServices;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18: short signatures. No method we wrote takes more than seven parameters; a longer list is carried by a
/// record (a request, a context) named after what it is. Compiler-made members (lambdas, local functions, a record's
/// <c>Deconstruct</c>) are not ours and are not counted; constructors are not methods and are not counted either.
/// The methods in <see cref="StillTooLong"/> are the ones left to shorten: the list may only shrink (a method that got
/// shorter must leave it, a new long one fails).
/// </summary>
public sealed class CodeShapeTests
{
    private const int MaxParameters = 7;

    private static readonly string[] StillTooLong = [];

    private static readonly Assembly[] Ours =
    [
        typeof(Rectify.Api.Hosting.Endpoints).Assembly,
        typeof(Rectify.Workflows.Runtime.StateMachine).Assembly,
        typeof(Rectify.Notifications.NotificationsModule).Assembly,
    ];

    [Fact]
    public void NoMethodTakesMoreThanSevenParameters()
    {
        var tooLong = Ours
            .SelectMany(a => a.GetTypes())
            .Where(t => !IsGenerated(t))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
                                          | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !IsGenerated(m) && m.Name != "Deconstruct" && !m.Name.Contains('<'))
            .Where(m => m.GetParameters().Length > MaxParameters)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        tooLong.Except(StillTooLong).ShouldBeEmpty($"methods with more than {MaxParameters} parameters (carry them in a record)");
        StillTooLong.Except(tooLong).ShouldBeEmpty("methods that are short now: take them off StillTooLong");
    }

    [Fact]
    public void TheRuleSeesALongSignature()
    {
        // The check above must be able to fail: this type's own eight-parameter method is found by the same filter.
        typeof(CodeShapeTests).GetMethod(nameof(Eight), BindingFlags.NonPublic | BindingFlags.Static)!
            .GetParameters().Length.ShouldBeGreaterThan(MaxParameters);
        IsGenerated(typeof(CodeShapeTests).GetMethod(nameof(Eight), BindingFlags.NonPublic | BindingFlags.Static)!)
            .ShouldBeFalse();
    }

    private static int Eight(int a, int b, int c, int d, int e, int f, int g, int h) => a + b + c + d + e + f + g + h;

    private static bool IsGenerated(MemberInfo member) =>
        member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) || member.Name.Contains('<')
        || (member.DeclaringType is { } declaring && IsGenerated(declaring));
}
