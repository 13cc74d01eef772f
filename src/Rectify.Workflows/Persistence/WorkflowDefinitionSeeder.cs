using Microsoft.Extensions.Logging;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Persistence;

/// <summary>A shipped definition file that is invalid: start-up stops and names every error.</summary>
public sealed class InvalidWorkflowDefinitionException(string file, IReadOnlyList<SchemaError> errors)
    : Exception($"Workflow definition {file} is invalid:{Environment.NewLine}" +
                string.Join(Environment.NewLine, errors.Select(e => $"  {e.Path}: {e.Message}")))
{
    public IReadOnlyList<SchemaError> Errors { get; } = errors;
}

/// <summary>
/// Publishes the definitions shipped in <c>workflows/</c> at start: a file whose content differs from the latest
/// published version becomes a new version (running campaigns keep theirs); an unchanged file publishes nothing.
/// An invalid file stops the start with every error listed.
/// </summary>
public sealed class WorkflowDefinitionSeeder(DefinitionStore store, TimeProvider clock, ILogger<WorkflowDefinitionSeeder> logger)
{
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "workflows");

    public async Task SeedAsync(string directory, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            logger.LogWarning("Workflow directory {Directory} not found; no definitions seeded", directory);
            return;
        }
        foreach (var file in Directory.GetFiles(directory, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order())
        {
            var json = await File.ReadAllTextAsync(file, ct);
            var result = await store.PublishAsync(json, clock.GetUtcNow(), ct);
            if (result.Errors.Count > 0) throw new InvalidWorkflowDefinitionException(Path.GetFileName(file), result.Errors);
            if (result.Created)
                logger.LogInformation("Published workflow definition {WorkflowId} v{Version} from {File}", result.Published!.Id, result.Published.Version, Path.GetFileName(file));
        }
    }
}
