using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
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
        var v = new Validator();
        var source = v.Required("name", name, 50);
        var sort = request?.Sort ?? 1000;
        if (sort is < 0 or > 100_000) v.Add("sort", "排序号应在 0 至 100000 之间 / sort must be 0..100000");
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        const string sql = """
            insert into item_sources(name, sort) values (@source, @sort) on conflict (name) do update set sort = excluded.sort;
            select s.name, s.sort, (select count(*) from items i where i.source = s.name) as items from item_sources s where s.name = @source;
            """;
        var dto = await connection.QuerySingleAsync<ItemSourceDto>(new CommandDefinition(sql, new { source, sort }, cancellationToken: ct));
        await journal.RecordAsync(connection, http, new AdminChange("itemSource.saved", "itemSource", source, new { source, sort }), ct);
        return TypedResults.Ok(dto);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var used = await connection.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from items where source = @name", new { name }, cancellationToken: ct));
        if (used > 0) return TypedResults.Problem(statusCode: 409, title: "问题来源仍在使用 / Source in use",
            detail: $"有 {used} 项问题的来源是“{name}”，不能删除 / {used} items have this source");
        var deleted = await connection.ExecuteAsync(new CommandDefinition("delete from item_sources where name = @name", new { name }, cancellationToken: ct));
        if (deleted == 0) return Problems.NotFound("问题来源");
        await journal.RecordAsync(connection, http, new AdminChange("itemSource.deleted", "itemSource", name, new { name }), ct);
        return TypedResults.NoContent();
    }

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
