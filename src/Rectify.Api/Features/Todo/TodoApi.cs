using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Todo;

/// <summary>
/// GET /api/todo (API.md): what waits for the caller (待办), <c>{counts: {kind: n}, items: [...], total}</c>; extends the
/// contract with <c>kind=</c> (one kind), <c>page</c> and <c>pageSize</c> as every list.
/// </summary>
public static class TodoApi
{
    public static IEndpointRouteBuilder MapTodoApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/todo", List).WithTags("Todo").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<TodoPage>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, string? kind, int? page, int? pageSize, CancellationToken ct)
    {
        var v = new Validator();
        if (kind is not null) v.OneOf("kind", kind, TodoKinds.All);
        if (page is < 1) v.Add("page", "页码应为正整数 / page must be 1 or more");
        if (pageSize is < 1 or > 500) v.Add("pageSize", "每页条数应在 1 到 500 之间 / pageSize must be between 1 and 500");
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await TodoQuery.PageAsync(connection, CurrentUser.From(http.User), kind, Paging.From(page, pageSize), clock.GetUtcNow(), ct));
    }
}
