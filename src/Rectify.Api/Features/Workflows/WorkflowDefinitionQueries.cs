using System.Text.Json;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Workflows;

/// <summary>
/// The reads of workflow definitions that the API (<c>GET /api/workflow-definitions</c>, <c>GET /api/workflow-definitions/{id}</c>)
/// and the workflows screen share (issue 18: pages call queries, not endpoint handlers). Definitions are readable by every
/// signed-in user.
/// </summary>
public static class WorkflowDefinitionQueries
{
    /// <summary>The longest id looked up; a longer one is not found.</summary>
    private const int MaxIdLength = 64;

    /// <summary>Every definition id with its latest version.</summary>
    public static Task<IReadOnlyList<DefinitionSummary>> ListAsync(DefinitionStore store, CancellationToken ct) => store.ListAsync(ct);

    /// <summary>One definition, the latest version or <paramref name="version"/>; null when there is none.</summary>
    public static async Task<DefinitionDto?> GetAsync(DefinitionStore store, string id, int? version, CancellationToken ct)
    {
        if (id.Length > MaxIdLength) return null;
        var published = await store.GetAsync(id, version, ct);
        return published is null ? null : ToDto(published);
    }

    internal static DefinitionDto ToDto(PublishedDefinition p)
    {
        using var doc = JsonDocument.Parse(p.Json);
        return new DefinitionDto(p.Id, p.Version, p.Name, p.PublishedAt, doc.RootElement.Clone());
    }
}
