using Microsoft.AspNetCore.Http.HttpResults;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Problem details that a person reads: Chinese first, English after a slash.
/// "Not found" and "not allowed now" are values returned by handlers, never exceptions.
/// </summary>
public static class Problems
{
    /// <summary>The title and detail of a 400 with field errors (<see cref="Invalid"/>, <see cref="Refusal.Invalid"/>).</summary>
    internal const string InvalidTitle = "请求内容有误 / Invalid request", InvalidDetail = "请修改标出的字段后重试。";

    // The texts of the other refusals live in Refusal alone, which the commands return and the handlers answer.
    public static ProblemHttpResult NotFound(string what) => Refusal.NotFound(what).AsProblem();

    public static ProblemHttpResult Conflict(string detail) => Refusal.Conflict(detail).AsProblem();

    public static ProblemHttpResult Forbidden(string detail) => Refusal.Forbidden(detail).AsProblem();

    /// <summary>422: well-formed but not allowed now; names the field when one field is the reason.</summary>
    public static ProblemHttpResult Unprocessable(string detail, string? field = null) => Refusal.Unprocessable(detail, field).AsProblem();

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: InvalidTitle, detail: InvalidDetail);
}
