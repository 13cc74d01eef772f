using System.Security.Claims;
using Dapper;
using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// <c>Idempotency-Key</c> on every POST under /api: the first response (status, type, body) is stored per user and key;
/// a repeat by the same user returns it unchanged and runs nothing. The key is claimed before the handler runs, so two
/// identical requests racing cannot both execute: the second gets 409 while the first is in flight. The claim is a
/// session advisory lock held by a connection for the length of the request, so a node killed mid-request (kill -9,
/// no finally) releases it when PostgreSQL drops its connection, and the client's retry on another node runs the
/// request instead of waiting for ever. A 5xx releases the key too. Reusing a key for another path is refused (422).
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";
    private const int MaxStoredBody = 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext http, NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.StartsWithSegments("/api")
            || !http.Request.Headers.TryGetValue(Header, out var values)
            || http.User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userText || !Guid.TryParse(userText, out var userId))
        {
            await next(http);
            return;
        }
        var key = values.ToString();
        if (key.Length is 0 or > 200 || key.Any(char.IsControl))
        {
            await Results.Problem(statusCode: 400, title: "请求格式有误 / Malformed request",
                detail: $"{Header} 须为 1–200 个可见字符 / {Header} must be 1-200 printable characters").ExecuteAsync(http);
            return;
        }
        var ct = http.RequestAborted;
        var path = http.Request.Path.Value ?? "";
        // Held until the request ends; its session lock is the in-flight marker that dies with the node.
        await using var lockConnection = await db.OpenConnectionAsync(ct);
        var lockParams = new { userId, key };
        const string tryLock = "select pg_try_advisory_lock(hashtextextended(@userId::text || ':' || @key, 7))";
        if (!await lockConnection.ExecuteScalarAsync<bool>(new CommandDefinition(tryLock, lockParams, cancellationToken: ct)))
        {
            await Results.Problem(statusCode: 409, title: "冲突 / Conflict",
                detail: $"相同 {Header} 的请求正在处理中，请稍后重试 / a request with this key is still in progress").ExecuteAsync(http);
            return;
        }
        try
        {
            const string stored = "select path, status, content_type, body from idempotency_keys where user_id = @userId and key = @key";
            var previous = await lockConnection.QuerySingleOrDefaultAsync<(string Path, int? Status, string? ContentType, byte[]? Body)?>(
                new CommandDefinition(stored, lockParams, cancellationToken: ct));
            if (previous is { } earlier && !string.Equals(earlier.Path, path, StringComparison.Ordinal))
            {
                await RefuseReusedKeyAsync(http, earlier.Path);
                return;
            }
            if (previous is { Status: { } status } done)
            {
                await ReplayAsync(http, status, done.ContentType, done.Body);
                return;
            }
            // No answer stored: a first request, or one whose node died before answering — run it (again).
            const string claim = """
                insert into idempotency_keys(user_id, key, method, path, created_at) values (@userId, @key, 'POST', @path, @now)
                on conflict (user_id, key) do nothing
                """;
            await lockConnection.ExecuteAsync(new CommandDefinition(claim, new { userId, key, path, now = wall.GetUtcNow() }, cancellationToken: ct));
            await RunAndStoreAsync(http, db, userId, key);
        }
        finally
        {
            await lockConnection.ExecuteAsync(new CommandDefinition(
                "select pg_advisory_unlock(hashtextextended(@userId::text || ':' || @key, 7))", lockParams, cancellationToken: CancellationToken.None));
        }
    }

    private async Task RunAndStoreAsync(HttpContext http, NpgsqlDataSource db, Guid userId, string key)
    {
        var original = http.Response.Body;
        await using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(http);
            completed = true;
        }
        finally
        {
            http.Response.Body = original;
            await using var connection = await db.OpenConnectionAsync(CancellationToken.None);
            if (completed && http.Response.StatusCode < 500 && buffer.Length <= MaxStoredBody)
            {
                const string save = "update idempotency_keys set status = @status, content_type = @type, body = @body where user_id = @userId and key = @key";
                await connection.ExecuteAsync(new CommandDefinition(save, new
                {
                    status = http.Response.StatusCode, type = http.Response.ContentType, body = buffer.ToArray(), userId, key,
                }, cancellationToken: CancellationToken.None));
            }
            else
            {
                await connection.ExecuteAsync(new CommandDefinition("delete from idempotency_keys where user_id = @userId and key = @key",
                    new { userId, key }, cancellationToken: CancellationToken.None));
                if (completed) logger.LogInformation("Idempotency key released after status {Status}", http.Response.StatusCode);
            }
            buffer.Position = 0;
            if (completed) await buffer.CopyToAsync(original, CancellationToken.None);
        }
    }

    private static Task RefuseReusedKeyAsync(HttpContext http, string earlierPath) =>
        Results.Problem(statusCode: 422, title: "当前不允许此操作 / Unprocessable",
            detail: $"该 {Header} 已用于另一个请求（{earlierPath}）/ this key was used for another request").ExecuteAsync(http);

    private static async Task ReplayAsync(HttpContext http, int status, string? contentType, byte[]? body)
    {
        http.Response.StatusCode = status;
        http.Response.Headers["Idempotent-Replayed"] = "true";
        if (contentType is not null) http.Response.ContentType = contentType;
        if (body is { Length: > 0 }) await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}
