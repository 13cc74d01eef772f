using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Campaigns;

public sealed class DashboardModel(NpgsqlDataSource db, TimeProvider clock, CampaignLauncher launcher, UnitNames names, UiText text) : PageModel
{
    public CampaignDto Campaign { get; private set; } = null!;
    public CampaignDashboard Data { get; private set; } = null!;
    public UnitNames Names => names;
    public bool CanManage { get; private set; }
    /// <summary>The offices and the administrator may export the archive (a unit sees only its own part of a campaign).</summary>
    public bool CanExportArchive { get; private set; }
    /// <summary>What kept the campaign from closing, when a close was refused.</summary>
    public IReadOnlyList<OpenItem> OpenItems { get; private set; } = [];
    [BindProperty] public string? CloseNote { get; set; }
    [BindProperty(SupportsGet = true, Name = "allUnits")] public bool ShowAllUnits { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>Launch through the API's command: items are assigned, timers scheduled, units notified.</summary>
    public async Task<IActionResult> OnPostLaunchAsync(Guid id, CancellationToken ct)
    {
        var outcome = await CampaignCommands.LaunchAsync(db, launcher, clock, id, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["整改工作已启动，问题已交办到各责任单位。"];
            return Redirect($"/campaigns/{id}");
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    /// <summary>The ledger as a background task (big campaigns): the task page shows its progress and the file when done.</summary>
    public async Task<IActionResult> OnPostExportLedgerAsync(Guid id, [FromServices] Rectify.Api.Jobs.BackgroundTasks tasks, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var task = await tasks.StartAsync(Rectify.Api.Jobs.TaskKinds.LedgerExport, $"导出整改台账：{Campaign.Title}", CurrentUser.From(User).Id, id,
            new Rectify.Api.Jobs.LedgerExportParameters(null, null, null, null), ct);
        return Redirect($"/tasks/{task}");
    }

    /// <summary>Ends the campaign (issue 13.6) through the API's own close; a refusal lists the items still open.</summary>
    public async Task<IActionResult> OnPostCloseAsync(Guid id, [FromServices] Rectify.Workflows.Definitions.DefinitionStore definitions, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var v = new Validator();
        var note = v.OptionalMultiline("note", CloseNote, 2000);
        if (!v.IsValid)
        {
            foreach (var (_, messages) in v.Errors)
                foreach (var message in messages) ModelState.AddModelError(nameof(CloseNote), text.Pick(message));
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
        var outcome = me.IsAdmin || me.IsLeadingGroup
            ? await CampaignClosing.CloseAsync(db, definitions, id, me, note, clock.GetUtcNow(), ct)
            : new CloseRefused(403, "只有发起整改工作的领导小组办公室或管理员可以结束整改工作 / only the issuing office may close a campaign", []);
        switch (outcome)
        {
            case CloseDone:
                TempData["Flash"] = text["整改工作已结束归档，整改情况报告已生成；此后只能查看和导出。"];
                return Redirect($"/campaigns/{id}");
            case CloseRefused { Status: 404 }:
                return NotFound();
            case CloseRefused r:
                ModelState.AddModelError("", text.Pick(r.Message));
                OpenItems = r.OpenItems;
                break;
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    /// <summary>The archive (.zip) as a background task; the task page shows its progress and the file when done.</summary>
    public async Task<IActionResult> OnPostExportArchiveAsync(Guid id, [FromServices] Rectify.Api.Jobs.BackgroundTasks tasks, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!CanExportArchive) return Forbid();
        var task = await tasks.StartAsync(Rectify.Api.Jobs.TaskKinds.ArchiveExport, $"导出归档包：{Campaign.Title}", CurrentUser.From(User).Id, id, new { }, ct);
        return Redirect($"/tasks/{task}");
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, me, now, ct);
        if (campaign is null) return false;
        Campaign = campaign;
        CanManage = Access.CanManageCampaign(me, campaign.IssuedByUnit);
        CanExportArchive = !me.IsUnit;
        Data = await CampaignDashboard.LoadAsync(connection, id, campaign.TimeZone, campaign.Phases, me, now, ct);
        await names.AllAsync(ct);
        return true;
    }
}
