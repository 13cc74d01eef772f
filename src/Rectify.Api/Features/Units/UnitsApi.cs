using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Units;

public sealed record UnitRequest(string? Code, string? Name, string? Kind, string? ParentCode);

public sealed record UnitDto(string Code, string Name, string Kind, string? ParentCode);

public static class UnitsApi
{
    public static IEndpointRouteBuilder MapUnitsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{code}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/{code}", Update).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<Page<UnitDto>>> List(NpgsqlDataSource db, string? kind, string? parent, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitQueries.ListAsync(connection, new UnitFilter(kind, parent, q), Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<UnitDto>, ProblemHttpResult>> Get(string code, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var unit = await UnitQueries.FindAsync(connection, code, ct);
        return unit is null ? Problems.NotFound("单位") : TypedResults.Ok(unit);
    }

    public static async Task<Results<Created<UnitDto>, ValidationProblem, ProblemHttpResult>> Create(
        UnitRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitCommands.CreateAsync(db, journal, request, CurrentUser.From(http.User), ct))
            .ToResult(dto => TypedResults.Created($"/api/units/{Uri.EscapeDataString(dto.Code)}", dto));

    public static async Task<Results<Ok<UnitDto>, ValidationProblem, ProblemHttpResult>> Update(
        string code, UnitRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitCommands.UpdateAsync(db, journal, code, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);
}
