using Microsoft.AspNetCore.Http.HttpResults;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Problem details that a person reads: Chinese first, English after a slash.
/// "Not found" and "not allowed now" are values returned by handlers, never exceptions.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: 404, title: $"未找到{what} / Not found", detail: $"{what}不存在，或您无权查看。");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "冲突 / Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: 403, title: "无权操作 / Forbidden", detail: detail);

    /// <summary>422: well-formed but not allowed now; names the field when one field is the reason.</summary>
    public static ProblemHttpResult Unprocessable(string detail, string? field = null)
    {
        var extensions = field is null
            ? null
            : new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } };
        return TypedResults.Problem(statusCode: 422, title: "当前不允许此操作 / Unprocessable", detail: detail, extensions: extensions);
    }

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "请求内容有误 / Invalid request", detail: "请修改标出的字段后重试。");
}
