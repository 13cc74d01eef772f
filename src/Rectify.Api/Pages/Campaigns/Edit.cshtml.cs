using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>Create a campaign, or edit it while it is draft, through the API's own commands (same validation).</summary>
public sealed class EditModel(NpgsqlDataSource db, TimeProvider clock, UiText text) : PageModel
{
    public sealed class PhaseInput
    {
        public string? Key { get; set; }
        public string? Start { get; set; }
        public string? End { get; set; }
    }

    public sealed class CampaignInput
    {
        public string? Title { get; set; }
        public string? DocumentNumber { get; set; }
        public string? IssuedByUnit { get; set; }
        public string? SupervisionUnit { get; set; }
        public string? WorkflowId { get; set; }
        public string? NoticeDate { get; set; }
        public List<PhaseInput> Phases { get; set; } = PhaseKeys.Standard.Select(k => new PhaseInput { Key = k }).ToList();
    }

    [BindProperty] public CampaignInput Input { get; set; } = new();
    public Guid? Id { get; private set; }
    public bool IsNew => Id is null;
    public IReadOnlyList<Choice> Issuers { get; private set; } = [];
    public IReadOnlyList<Choice> Supervisors { get; private set; } = [];
    public IReadOnlyList<Choice> Workflows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        if (!me.IsAdmin && !me.IsLeadingGroup) return Forbid();
        Id = id;
        if (id is { } existingId)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var c = await CampaignQueries.FindVisibleAsync(connection, existingId, me, clock.GetUtcNow(), ct);
            if (c is null) return NotFound();
            if (!Access.CanManageCampaign(me, c.IssuedByUnit)) return Forbid();
            Input = new CampaignInput
            {
                Title = c.Title, DocumentNumber = c.DocumentNumber, IssuedByUnit = c.IssuedByUnit, SupervisionUnit = c.SupervisionUnit,
                WorkflowId = c.Workflow.Id, NoticeDate = c.NoticeDate?.ToString("yyyy-MM-dd"),
                Phases = PhaseKeys.Standard.Union(c.Phases.Select(p => p.Key)).Select(k =>
                {
                    var p = c.Phases.FirstOrDefault(x => x.Key == k);
                    return new PhaseInput { Key = k, Start = p?.Start.ToString("yyyy-MM-dd"), End = p?.End.ToString("yyyy-MM-dd") };
                }).ToList(),
            };
        }
        else
        {
            Input.IssuedByUnit = me.IsLeadingGroup ? me.UnitCode : null;
            Input.WorkflowId = CampaignsApi.DefaultWorkflowId;
        }
        await LoadChoicesAsync(me, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        Id = id;
        // Only filled phase rows go to the API; remember which form row each one came from, for errors beside it.
        var sent = Input.Phases.Select((p, n) => (p, n)).Where(x => !string.IsNullOrWhiteSpace(x.p.Start) || !string.IsNullOrWhiteSpace(x.p.End)).ToList();
        var request = new CampaignRequest(Input.Title, Input.DocumentNumber, Input.IssuedByUnit, Input.SupervisionUnit, null,
            new WorkflowRef(Input.WorkflowId, null), Input.NoticeDate,
            sent.Select(x => (PhaseRequest?)new PhaseRequest(x.p.Key, x.p.Start, x.p.End)).ToList());
        var outcome = id is { } existing
            ? await CampaignCommands.UpdateAsync(db, clock, existing, request, me, ct)
            : await CampaignCommands.CreateAsync(db, clock, request, me, ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, rename: field => RenamePhaseField(field, sent.Select(x => x.n).ToList())))
        {
            var dto = outcome.Value!;
            TempData["Flash"] = IsNew ? text["整改工作已创建，请添加问题。"] : text["已保存"];
            return Redirect($"/campaigns/{dto.Id}");
        }
        await LoadChoicesAsync(me, ct);
        return Page();
    }

    private static string RenamePhaseField(string field, IReadOnlyList<int> formRows)
    {
        if (field == "workflow.id" || field == "workflow.version") return "WorkflowId";
        var match = System.Text.RegularExpressions.Regex.Match(field, @"^phases\[(\d+)\]\.(\w+)$");
        if (match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var n && n < formRows.Count)
            return $"Phases[{formRows[n]}].{ApiOutcome.FieldName(match.Groups[2].Value)}";
        return ApiOutcome.FieldName(field);
    }

    private async Task LoadChoicesAsync(CurrentUser me, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var units = await Choices.UnitsAsync(connection, null, ct);
        Issuers = me.IsLeadingGroup ? units.Where(u => u.Value == me.UnitCode).ToList() : await Choices.UnitsAsync(connection, UnitKinds.LeadingGroup, ct);
        Supervisors = await Choices.UnitsAsync(connection, UnitKinds.SupervisionOffice, ct);
        Workflows = await Choices.WorkflowsAsync(connection, ct);
    }
}
