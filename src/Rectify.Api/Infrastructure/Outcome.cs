using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// What a write command answers: the value it made or changed, or the <see cref="Infrastructure.Refusal"/> that says
/// why not. A command returns either directly (<c>return dto;</c>, <c>return Refusal.Conflict("…");</c>, by the
/// implicit conversions); the handler maps it with <see cref="ToResult{TOk}"/>, a page reads <see cref="Value"/> or
/// shows <see cref="Refusal"/> with <c>ApiOutcome.Apply</c>. A write with nothing to return answers
/// <c>Refusal?</c> (null: done).
/// </summary>
public sealed class Outcome<T>
{
    private Outcome(T? value, Refusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>The value; set exactly when <see cref="IsRefused"/> is false.</summary>
    public T? Value { get; }

    /// <summary>Why the write was refused; null when it was done.</summary>
    public Refusal? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Refusal))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool IsRefused => Refusal is not null;

    public static implicit operator Outcome<T>(T value) =>
        new(value ?? throw new ArgumentNullException(nameof(value), "an outcome's value is not null (return a Refusal)"), null);

    public static implicit operator Outcome<T>(Refusal refusal) =>
        new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));

    /// <summary>The handler's answer in its usual union for writes: <paramref name="ok"/> of the value
    /// (<c>dto =&gt; TypedResults.Created(…, dto)</c>), or the refusal's problem (<see cref="Refusal.ToResult{TOk}"/>).</summary>
    public Results<TOk, ValidationProblem, ProblemHttpResult> ToResult<TOk>(Func<T, TOk> ok) where TOk : IResult =>
        IsRefused ? Refusal.ToResult<TOk>() : ok(Value);
}
