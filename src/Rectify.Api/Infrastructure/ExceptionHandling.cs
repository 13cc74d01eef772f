using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Turns what a client sent wrong (malformed JSON, wrong types, oversized bodies) into 400/413 problem details,
/// a lost database race into 409, and a database that is briefly away into 503 with Retry-After. Everything else is a
/// real server fault and stays a 500.
/// </summary>
public sealed class ClientErrorExceptionHandler(IProblemDetailsService problemDetails, ILogger<ClientErrorExceptionHandler> logger) : IExceptionHandler
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
        var json = exception as JsonException ?? exception.InnerException as JsonException;
        var path = json?.Path;
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    private static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"{path}（第 {json.LineNumber + 1} 行）" : "内容不是合法的 JSON";
}
