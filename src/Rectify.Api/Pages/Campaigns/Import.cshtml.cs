using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Import;
using Rectify.Api.Infrastructure;
using Rectify.Api.Jobs;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>
/// Problem-list import into a draft campaign in two steps (issue 15.6): upload → preview (what will be created, collective
/// names and what they became, deadlines beside their text, milestones, sources, errors in their cells, candidates to
/// pick for ambiguous names) → confirm. Both steps are <see cref="ImportService"/>'s, as the API's are. A long list is
/// imported by a background task: the page (<c>?task=</c>) shows its progress bar, then what it created or its errors.
/// </summary>
public sealed class ImportModel(NpgsqlDataSource db, ImportService imports, IOptions<ImportOptions> options, UiText text, BackgroundTasks tasks) : PageModel
{
    public const string PickPrefix = "pick|";

    public Guid Id { get; private set; }
    public string CampaignTitle { get; private set; } = "";
    public long MaxBytes => options.Value.MaxFileBytes;
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];
    public string? FileError { get; private set; }
    public ImportPreview? Preview { get; private set; }

    /// <summary>The background task importing a long list (<c>?task=</c>), while it runs and once it has finished.</summary>
    public BackgroundTaskDto? ImportTask { get; private set; }

    /// <summary>What the finished task imported (null while it runs, or when it failed).</summary>
    public int? TaskImported { get; private set; }

    /// <summary>The picks posted with the preview, by "cell|name", so the pickers keep them.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Picks { get; private set; } = new Dictionary<string, HashSet<string>>();

    public async Task<IActionResult> OnGetAsync(Guid id, Guid? task, CancellationToken ct)
    {
        var refusal = await LoadAsync(id, ct);
        if (refusal is not null) return refusal;
        if (task is { } taskId && await tasks.FindAsync(taskId, CurrentUser.From(User), ct) is { Kind: TaskKinds.Import } found && found.CampaignId == id)
        {
            ImportTask = found;
            var summary = found.Summary is { } json ? json.Deserialize<ImportResult>(System.Text.Json.JsonSerializerOptions.Web) : null;
            if (found.State == TaskStates.Succeeded) TaskImported = summary?.Imported ?? found.Progress;
            else if (found.State == TaskStates.Failed)
                Show(new ImportRefused(422, "", found.Error ?? "", summary?.Errors is { Count: > 0 } errors ? errors : [new ImportError(0, "file", null, found.Error ?? "")]));
        }
        return Page();
    }

    /// <summary>Step 1: the file is read and resolved, nothing is written; the preview shows what would be created.</summary>
    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var refusal = await LoadAsync(id, ct);
        if (refusal is not null) return refusal;
        var file = Request.HasFormContentType ? Request.Form.Files.GetFile("file") ?? Request.Form.Files.FirstOrDefault() : null;
        if (file is null)
        {
            FileError = text["请选择要导入的文件"];
            return Page();
        }
        if (file.Length > options.Value.MaxFileBytes) { FileError = text["文件过大"]; return Page(); }
        await using var stream = file.OpenReadStream();
        return Show(await imports.RunAsync(id, new ImportFile(file.FileName, stream), CurrentUser.From(User), new ImportRunOptions(DryRun: true), ct));
    }

    /// <summary>The office picked units for ambiguous names: the same upload is previewed again with those picks.</summary>
    public async Task<IActionResult> OnPostRepreviewAsync(Guid id, Guid uploadId, CancellationToken ct)
    {
        var refusal = await LoadAsync(id, ct);
        if (refusal is not null) return refusal;
        return Show(await imports.FromUploadAsync(id, uploadId, CurrentUser.From(User), new ImportRunOptions(true, ReadPicks()), ct));
    }

    /// <summary>Step 2: the previewed upload is imported (all rows or none).</summary>
    public async Task<IActionResult> OnPostConfirmAsync(Guid id, Guid uploadId, CancellationToken ct)
    {
        var refusal = await LoadAsync(id, ct);
        if (refusal is not null) return refusal;
        var outcome = await imports.FromUploadAsync(id, uploadId, CurrentUser.From(User), new ImportRunOptions(false, ReadPicks()), ct);
        if (outcome is ImportDone done)
        {
            TempData["Flash"] = text.Format("已导入 {0} 个问题", done.Result.Imported);
            return Redirect($"/items?campaignId={id}");
        }
        if (outcome is ImportQueued queued) return Redirect($"/campaigns/{id}/import?task={queued.Task.Id}");
        return Show(outcome);
    }

    private IActionResult Show(ImportOutcome outcome)
    {
        switch (outcome)
        {
            case ImportPreviewed previewed:
                Preview = previewed.Preview;
                Errors = Preview.Errors;
                break;
            case ImportRefused refused:
                var fileErrors = refused.Errors.Where(x => x.Row == 0 && x.Field == "file").ToList();
                Errors = refused.Errors.Except(fileErrors).ToList();
                if (fileErrors.Count > 0) FileError = string.Join("；", fileErrors.Select(x => text.Pick(x.Message)));
                else if (Errors.Count == 0) ModelState.AddModelError("", text.Pick(refused.Detail));
                break;
        }
        return Page();
    }

    /// <summary>Checkboxes named "pick|E5|县直相关部门" with unit codes as values become the service's choices.</summary>
    private List<ImportChoice> ReadPicks()
    {
        var picks = new Dictionary<string, HashSet<string>>();
        var choices = new List<ImportChoice>();
        foreach (var (key, values) in Request.Form.Where(f => f.Key.StartsWith(PickPrefix, StringComparison.Ordinal)))
        {
            var parts = key[PickPrefix.Length..].Split('|', 2);
            if (parts.Length != 2) continue;
            var units = values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();
            if (units.Count == 0) continue;
            picks[parts[0] + "|" + parts[1]] = [.. units];
            choices.Add(new ImportChoice(parts[0], parts[1], units));
        }
        Picks = picks;
        return choices;
    }

    public bool IsPicked(ImportError error, string code) =>
        Picks.TryGetValue(error.Cell + "|" + error.Name, out var set) && set.Contains(code);

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        Id = id;
        await using var connection = await db.OpenConnectionAsync(ct);
        const string sql = $"select c.title, c.issued_by_unit, c.state from campaigns c where c.id = @id and {Access.CampaignVisible}";
        var c = await connection.QuerySingleOrDefaultAsync<(string Title, string IssuedByUnit, string State)?>(new CommandDefinition(sql, new { id, role = me.Role, unit = me.UnitCode }, cancellationToken: ct));
        if (c is null) return NotFound();
        if (!Access.CanManageCampaign(me, c.Value.IssuedByUnit)) return Forbid();
        CampaignTitle = c.Value.Title;
        return null;
    }
}
