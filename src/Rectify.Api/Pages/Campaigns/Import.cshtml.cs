using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Import;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>Problem-list import into a draft campaign, through the import API's own handler (all rows or none).</summary>
public sealed class ImportModel(NpgsqlDataSource db, TimeProvider clock, IOptions<ImportOptions> options, AdminJournal journal, UiText text,
    [FromKeyedServices("wall")] TimeProvider wall) : PageModel
{
    public Guid Id { get; private set; }
    public string CampaignTitle { get; private set; } = "";
    public long MaxBytes => options.Value.MaxFileBytes;
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];
    public string? FileError { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var refusal = await LoadAsync(id, ct);
        if (refusal is not null) return refusal;
        if (!Request.HasFormContentType || Request.Form.Files.Count == 0)
        {
            FileError = text["请选择要导入的文件"];
            return Page();
        }
        var result = (await ImportApi.Import(id, Request, db, clock, options, journal, wall, ct)).Result;
        if (result is Ok<ImportResult> ok)
        {
            TempData["Flash"] = text.Format("已导入 {0} 个问题", ok.Value!.Imported);
            return Redirect($"/items?campaignId={id}");
        }
        if (result is ProblemHttpResult problem)
        {
            Errors = problem.ProblemDetails.Extensions.TryGetValue("errors", out var e) && e is IEnumerable<ImportError> list ? list.ToList() : [];
            var fileErrors = Errors.Where(x => x.Row == 0 && x.Field == "file").ToList();
            if (fileErrors.Count > 0) { FileError = string.Join("；", fileErrors.Select(x => text.Pick(x.Message))); Errors = Errors.Except(fileErrors).ToList(); }
            else if (Errors.Count == 0) ModelState.AddModelError("", text.Pick(problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title));
        }
        return Page();
    }

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
