using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Units;

public sealed record UnitGroupRequest(IReadOnlyList<string?>? Aliases, IReadOnlyList<string?>? Units);

/// <summary>A named group of units; <c>aliases</c> are other collective names that mean it ("挂钩单位" for 帮扶单位).</summary>
public sealed record UnitGroupDto(string Name, string[] Aliases, string[] Units);

public sealed record UnitAliasRequest(string? UnitCode);

public sealed record UnitAliasDto(string Alias, string UnitCode);

/// <summary>
/// Unit groups and unit aliases (issue 15.2), which the importer uses to expand 各乡镇 / 领导小组各成员单位 and to read
/// short names. Everyone signed in may read them (the import preview shows them); the organisation right maintains them.
/// </summary>
public static class UnitGroupsApi
{
    public const int MaxMembers = 1000;

    public static IEndpointRouteBuilder MapUnitGroupsApi(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/unit-groups").WithTags("Units").RequireAuthorization();
        groups.MapGet("/", List);
        groups.MapPut("/{name}", Put).RequireAuthorization(Policies.ManageOrganisation);
        groups.MapDelete("/{name}", Delete).RequireAuthorization(Policies.ManageOrganisation);
        var aliases = app.MapGroup("/api/unit-aliases").WithTags("Units").RequireAuthorization();
        aliases.MapGet("/", ListAliases);
        aliases.MapPut("/{alias}", PutAlias).RequireAuthorization(Policies.ManageOrganisation);
        aliases.MapDelete("/{alias}", DeleteAlias).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<UnitGroupDto>>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitGroupQueries.ListAsync(connection, ct));
    }

    public static async Task<Results<Ok<UnitGroupDto>, ValidationProblem, ProblemHttpResult>> Put(
        string name, UnitGroupRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitGroupCommands.PutAsync(db, journal, name, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitGroupCommands.DeleteAsync(db, journal, name, CurrentUser.From(http.User), ct)).OrNoContent();

    public static async Task<Ok<IReadOnlyList<UnitAliasDto>>> ListAliases(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await UnitGroupQueries.ListAliasesAsync(connection, ct));
    }

    public static async Task<Results<Ok<UnitAliasDto>, ValidationProblem, ProblemHttpResult>> PutAlias(
        string alias, UnitAliasRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitGroupCommands.PutAliasAsync(db, journal, alias, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAlias(
        string alias, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await UnitGroupCommands.DeleteAliasAsync(db, journal, alias, CurrentUser.From(http.User), ct)).OrNoContent();
}
