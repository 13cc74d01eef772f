using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Rectify.Api.Pages.Admin;

public sealed record DefinitionRow(string Id, int Version, string Name, DateTime PublishedAt);

/// <summary>Workflow definitions: every published version, and the JSON of one.</summary>
public sealed partial class WorkflowsModel(NpgsqlDataSource db) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "id")] public string? SelectedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "version")] public int? SelectedVersion { get; set; }
    public IReadOnlyList<DefinitionRow> Definitions { get; private set; } = [];
    public string? Json { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        Definitions = (await connection.QueryAsync<DefinitionRow>(new CommandDefinition(
            "select id, version, name, published_at as PublishedAt from workflow_definitions order by id, version desc", cancellationToken: ct))).ToList();
        if (SelectedId is not null)
        {
            var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
                select definition::text from workflow_definitions
                where id = @SelectedId and (@SelectedVersion::int is null or version = @SelectedVersion) order by version desc limit 1
                """, new { SelectedId, SelectedVersion }, cancellationToken: ct));
            if (json is null) return NotFound();
            using var doc = JsonDocument.Parse(json);
            Json = JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions
            {
                WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
            });
        }
        return Page();
    }
}
