using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Turns what a client sent wrong (malformed JSON, wrong types, oversized bodies) into 400/413 problem details,
/// a lost database race into 409, and a database that is briefly away into 503 with Retry-After. Everything else is a
/// real server fault and stays a 500.
/// </summary>
public sealed partial class ClientErrorExceptionHandler(IProblemDetailsService problemDetails, ILogger<ClientErrorExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: 413 } =>
                (413, "请求内容过大 / Payload too large", "请求体超过了允许的大小。"),
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "请求格式有误 / Malformed request", $"JSON 无法解析：{Describe(json)}"),
            BadHttpRequestException { StatusCode: 415 } =>
                (415, "不支持的内容类型 / Unsupported media type", "请以 application/json 提交。"),
            BadHttpRequestException bad when BindFailure(bad) is { } failure =>
                (400, "请求格式有误 / Malformed request",
                    $"请求无法解析：参数 {failure.Field} 的值 \"{failure.Value}\" 不是{Expected(failure.Type)} / {bad.Message}"),
            BadHttpRequestException bad =>
                (bad.StatusCode, "请求格式有误 / Malformed request", $"请求无法解析：{bad.Message}"),
            JsonException json =>
                (400, "请求格式有误 / Malformed request", $"JSON 无法解析：{Describe(json)}"),
            PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } =>
                (409, "并发冲突 / Conflict", "数据已被他人同时修改，请刷新后重试。"),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } =>
                (409, "记录已存在 / Conflict", "同一条记录已存在。"),
            // The database is briefly away (restart, fail-over): say so and when to retry, rather than a bare 500.
            NpgsqlException { IsTransient: true } =>
                (503, "服务暂时不可用 / Service unavailable", "数据库暂时无法连接，请稍后重试。"),
            _ => (0, "", ""),
        };
        if (status == 0) return false;
        logger.LogInformation(exception, "Client error {Status} on {Path}", status, httpContext.Request.Path);
        httpContext.Response.StatusCode = status;
        if (status == 503) httpContext.Response.Headers.RetryAfter = "5";
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        // A wrong type in a known field is reported against that field, like any other validation error.
        if (FieldOf(exception) is { } field)
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = ["类型或格式不正确 / wrong type or format"] };
        return await problemDetails.TryWriteAsync(context);
    }

    private static string? FieldOf(Exception exception)
    {
        if (exception is BadHttpRequestException bad && BindFailure(bad) is { } failure) return failure.Field;
        var json = exception as JsonException ?? exception.InnerException as JsonException;
        var path = json?.Path;
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    /// <summary>
    /// A query or route value of the wrong type (<c>page=99999999999</c>, <c>overdue=maybe</c>): the binder's sentence
    /// names the parameter (the record's property, PascalCase; the query name is its camelCase) and the value.
    /// </summary>
    private static (string Field, string Type, string Value)? BindFailure(BadHttpRequestException bad)
    {
        var match = BindFailurePattern().Match(bad.Message);
        if (!match.Success) return null;
        var name = match.Groups["name"].Value;
        return (char.ToLowerInvariant(name[0]) + name[1..], Underlying(match.Groups["type"].Value), Shorten(match.Groups["value"].Value));
    }

    /// <summary><c>int?</c> and <c>Nullable&lt;int&gt;</c> (as the binder spells it) are both <c>int</c>.</summary>
    private static string Underlying(string type) =>
        type.StartsWith("Nullable<", StringComparison.Ordinal) && type.EndsWith('>') ? type[9..^1] : type.TrimEnd('?');

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";

    [GeneratedRegex(
        """^Failed to bind parameter "(?<type>[^"]+) (?<name>[A-Za-z_][A-Za-z0-9_]*)" from "(?<value>.*)"\.$""",
        RegexOptions.Singleline)]
    private static partial Regex BindFailurePattern();

    private static string Expected(string type) => type switch
    {
        "int" => "有效的整数（-2147483648 到 2147483647）",
        "long" or "short" => "有效的整数",
        "bool" => "布尔值（true 或 false）",
        "Guid" => "有效的编号（UUID）",
        "DateOnly" => "有效的日期（YYYY-MM-DD）",
        "DateTimeOffset" or "DateTime" => "有效的时间（ISO 8601）",
        "decimal" or "double" => "有效的数字",
        _ => "有效的值",
    };

    private static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"{path}（第 {json.LineNumber + 1} 行）" : "内容不是合法的 JSON";
}
