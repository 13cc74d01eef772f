using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Users;

public sealed record UserRequest(string? UserName, string? Password, string? Role, string? UnitCode, Guid? PersonId);

public sealed record UserDto(Guid Id, string UserName, string Role, string? UnitCode, Guid? PersonId)
{
    /// <summary>When an administrator disabled the account; null while it is enabled.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    public bool Disabled => DisabledAt is not null;
    /// <summary>Live sessions (signed-in browsers and bearer tokens).</summary>
    public int ActiveSessions { get; init; }
}

public static partial class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/disable", Disable);
        group.MapPost("/{id:guid}/enable", Enable);
        group.MapPost("/{id:guid}/reset-password", ResetPassword);
        group.MapGet("/{id:guid}/sessions", Sessions);
        group.MapDelete("/{id:guid}/sessions", EndSessions);
        return app;
    }

    public static async Task<Ok<Page<UserDto>>> List(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UserQueries.ListAsync(connection, Paging.From(page, pageSize), wall.GetUtcNow(), ct));
    }

    public static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> Create(
        UserRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        (await UserCommands.CreateAsync(db, journal, clock, request, CurrentUser.From(http.User), ct))
            .ToResult(user => TypedResults.Created($"/api/users/{user.Id}", user));
}
