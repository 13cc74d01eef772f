using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Workflows;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Pages.Admin;

/// <summary>Workflow definitions: every id with its latest version, the JSON of one, and publishing a new version.</summary>
public sealed class WorkflowsModel(DefinitionStore store, AdminJournal journal, NpgsqlDataSource db, TimeProvider clock, UiText text) : PageModel
{
    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    [BindProperty(SupportsGet = true, Name = "id")] public string? SelectedId { get; set; }
    [BindProperty(SupportsGet = true, Name = "version")] public int? SelectedVersion { get; set; }
    [BindProperty] public string? Json { get; set; }
    public IReadOnlyList<DefinitionSummary> Definitions { get; private set; } = [];
    public DefinitionDto? Selected { get; private set; }
    /// <summary>Validation errors of a refused publication, by JSON path.</summary>
    public IReadOnlyList<(string Path, string Message)> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (SelectedId is not null && Selected is null) return NotFound();
        Json = Selected is null ? null : JsonSerializer.Serialize(Selected.Definition, Pretty);
        return Page();
    }

    /// <summary>Publishes through the same store as POST /api/workflow-definitions (schema and semantic checks, versioning).</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Json)) ModelState.AddModelError(nameof(Json), text["请粘贴流程定义 JSON"]);
        else if (Json.Length > 256 * 1024) ModelState.AddModelError(nameof(Json), text["流程定义不能超过 256 KB"]);
        if (!ModelState.IsValid) { await LoadAsync(ct); return Page(); }
        var result = await store.PublishAsync(Json!, clock.GetUtcNow(), ct);
        if (result.Errors.Count > 0)
        {
            Errors = result.Errors.Select(e => (e.Path, text.Pick(e.Message))).ToList();
            ModelState.AddModelError(nameof(Json), text.Format("流程定义有 {0} 处错误，未发布", result.Errors.Count));
            await LoadAsync(ct);
            return Page();
        }
        var published = result.Published!;
        if (result.Created)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await journal.RecordAsync(connection, HttpContext, new AdminChange("publish", "workflowDefinition", $"{published.Id}@{published.Version}",
                new { published.Id, published.Version, published.Name }), ct);
        }
        TempData["Flash"] = result.Created ? text.Format("已发布 {0} 第 {1} 版", published.Id, published.Version) : text["内容与最新版本相同，未产生新版本"];
        return Redirect($"/admin/workflows?id={Uri.EscapeDataString(published.Id)}&version={published.Version}#json-h");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Definitions = await WorkflowDefinitionQueries.ListAsync(store, ct);
        if (SelectedId is not null) Selected = await WorkflowDefinitionQueries.GetAsync(store, SelectedId, SelectedVersion, ct);
    }
}
