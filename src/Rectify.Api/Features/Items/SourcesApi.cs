using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Items;

public sealed record ItemSourceDto(string Name, int Sort, long Items);

public sealed record ItemSourceRequest(int? Sort);

/// <summary>
/// Where problems were found (issue 15.5): 考核反馈, 第三方评估, 民主监督, 督查, 暗访, 审计, 媒体 … A list the offices extend
/// (the organisation right); everyone signed in reads it. An item's <c>source</c> is one of them, and the dashboard,
/// ledger and report give 清零 figures per source. A source still used by items cannot be deleted (409).
/// </summary>
public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/item-sources").WithTags("Items").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPut("/{name}", Put).RequireAuthorization(Policies.ManageOrganisation);
        group.MapDelete("/{name}", Delete).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ItemSourceDto>>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await SourceQueries.ListAsync(connection, ct));
    }

    public static async Task<Results<Ok<ItemSourceDto>, ValidationProblem>> Put(
        string name, ItemSourceRequest? request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var outcome = await SourceCommands.PutAsync(db, journal, name, request, CurrentUser.From(http.User), ct);
        return outcome.IsRefused ? outcome.Refusal.AsValidationProblem() : TypedResults.Ok(outcome.Value);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct) =>
        (await SourceCommands.DeleteAsync(db, journal, name, CurrentUser.From(http.User), ct)).OrNoContent();

    /// <summary>
    /// The source a list's cell names: the source itself, else the longest known source the text contains
    /// ("2017年度省级考核反馈" → 考核反馈; "媒体暗访" → 媒体, the first named of two equally long), else null.
    /// </summary>
    public static string? Match(string cell, IReadOnlyList<string> sources)
    {
        var text = cell.Trim();
        if (text.Length == 0) return null;
        if (sources.Contains(text)) return text;
        return sources.Where(s => text.Contains(s, StringComparison.Ordinal))
            .OrderByDescending(s => s.Length).ThenBy(s => text.IndexOf(s, StringComparison.Ordinal)).FirstOrDefault();
    }
}
