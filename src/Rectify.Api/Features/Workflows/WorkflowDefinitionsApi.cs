using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Workflows;

public sealed record DefinitionDto(string Id, int Version, string Name, DateTimeOffset PublishedAt, JsonElement Definition);

/// <summary>Workflow definitions: list, read (latest or ?version=), publish a new version (400 lists every schema error).</summary>
public static class WorkflowDefinitionsApi
{
    private const int MaxDefinitionBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapWorkflowDefinitionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflow-definitions").WithTags("Workflow definitions").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPost("/", Publish).RequireAuthorization(Policies.Admin).Accepts<JsonElement>("application/json");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<DefinitionSummary>>> List(DefinitionStore store, CancellationToken ct) =>
        TypedResults.Ok(await WorkflowDefinitionQueries.ListAsync(store, ct));

    public static async Task<Results<Ok<DefinitionDto>, ProblemHttpResult>> Get(string id, int? version, DefinitionStore store, CancellationToken ct)
    {
        var dto = await WorkflowDefinitionQueries.GetAsync(store, id, version, ct);
        return dto is null ? Problems.NotFound("流程定义") : TypedResults.Ok(dto);
    }

    public static async Task<Results<Created<DefinitionDto>, Ok<DefinitionDto>, ValidationProblem, ProblemHttpResult>> Publish(
        HttpRequest request, DefinitionStore store, AdminJournal journal, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (request.ContentLength > MaxDefinitionBytes)
            return TypedResults.Problem(statusCode: 413, title: "请求内容过大 / Payload too large", detail: $"流程定义不能超过 {MaxDefinitionBytes / 1024} KB。");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxDefinitionBytes + 1];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        if (read > MaxDefinitionBytes)
            return TypedResults.Problem(statusCode: 413, title: "请求内容过大 / Payload too large", detail: $"流程定义不能超过 {MaxDefinitionBytes / 1024} KB。");
        var result = await store.PublishAsync(new string(buffer, 0, read), clock.GetUtcNow(), ct);
        if (result.Errors.Count > 0)
        {
            var errors = result.Errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            return TypedResults.ValidationProblem(errors, title: "流程定义无效 / Invalid workflow definition",
                detail: $"流程定义有 {result.Errors.Count} 处错误，请逐项修改。/ {result.Errors.Count} errors.",
                extensions: new Dictionary<string, object?> { ["errorList"] = result.Errors });
        }
        var dto = WorkflowDefinitionQueries.ToDto(result.Published!);
        if (!result.Created) return TypedResults.Ok(dto);
        await using var connection = await db.OpenConnectionAsync(ct);
        await journal.RecordAsync(connection, request.HttpContext, new AdminChange("publish", "workflowDefinition", $"{dto.Id}@{dto.Version}", new { dto.Id, dto.Version, dto.Name }), ct);
        return TypedResults.Created($"/api/workflow-definitions/{dto.Id}?version={dto.Version}", dto);
    }
}
