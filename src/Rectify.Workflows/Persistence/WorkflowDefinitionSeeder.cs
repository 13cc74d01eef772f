using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rectify.Workflows.Persistence;

/// <summary>Publishes the definitions shipped in <c>workflows/</c> as version 1 when the database has none of that id.</summary>
public sealed class WorkflowDefinitionSeeder(NpgsqlDataSource db, ILogger<WorkflowDefinitionSeeder> logger)
{
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "workflows");

    public async Task SeedAsync(string directory, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            logger.LogWarning("Workflow directory {Directory} not found; no definitions seeded", directory);
            return;
        }
        await using var connection = await db.OpenConnectionAsync(ct);
        foreach (var file in Directory.GetFiles(directory, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order())
        {
            var json = await File.ReadAllTextAsync(file, ct);
            using var doc = JsonDocument.Parse(json);
            var id = doc.RootElement.GetProperty("id").GetString()!;
            var name = doc.RootElement.TryGetProperty("name", out var n) ? n.GetString() ?? id : id;
            const string sql = """
                insert into workflow_definitions(id, version, name, definition)
                select @id, 1, @name, @json::jsonb
                where not exists (select 1 from workflow_definitions where id = @id)
                """;
            if (await connection.ExecuteAsync(new CommandDefinition(sql, new { id, name, json }, cancellationToken: ct)) > 0)
                logger.LogInformation("Published workflow definition {WorkflowId} v1 from {File}", id, Path.GetFileName(file));
        }
    }
}
