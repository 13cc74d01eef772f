using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Items;

/// <summary>
/// Add an item to a campaign (on an active one: 补充交办) or edit an item, through the API's commands; a launched item is
/// changed with a reason (改派), its deadline only by extension. The source is picked from the office's list, and the
/// milestones (date + text) are added, changed and removed in rows (a cleared or ticked row is removed; a done one is
/// shown, not editable); the API decides what that does to their reminders.
/// </summary>
public sealed class EditModel(NpgsqlDataSource db, TimeProvider clock, UiText text, LaunchedItems launched, DefinitionStore definitions) : PageModel
{
    public sealed class ItemInput
    {
        public string? Number { get; set; }
        public string? Category { get; set; }
        public string? Title { get; set; }
        public string? Description { get; set; }
        public string? Measures { get; set; }
        public string? Target { get; set; }
        public Guid? ResponsibleLeaderId { get; set; }
        public string? LeadUnit { get; set; }
        public List<string> Units { get; set; } = [];
        public string? Deadline { get; set; }
        public bool Ongoing { get; set; }
        public string? ReportEvery { get; set; }
        public bool HardDeadline { get; set; }
        public string? Note { get; set; }
        public string? Source { get; set; }
        public List<MilestoneInput> Milestones { get; set; } = [];
    }

    /// <summary>A row of the milestone editor: <see cref="Seq"/> for an existing milestone, none for a new one.</summary>
    public sealed class MilestoneInput
    {
        public int? Seq { get; set; }
        public string? Date { get; set; }
        public string? Text { get; set; }
        public bool Remove { get; set; }
        public bool Done { get; set; }
    }

    /// <summary>Empty rows offered for new milestones (more after saving).</summary>
    public const int BlankMilestoneRows = 3;

    [BindProperty] public ItemInput Input { get; set; } = new();
    public Guid CampaignId { get; private set; }
    public Guid? Id { get; private set; }
    public bool IsNew => Id is null;
    /// <summary>The item (or, for a new one, its campaign) is launched: a change needs a reason; the deadline is fixed here.</summary>
    public bool IsLaunched { get; private set; }
    public string CampaignTitle { get; private set; } = "";
    public IReadOnlyList<Choice> Units { get; private set; } = [];
    public IReadOnlyList<Choice> People { get; private set; } = [];
    public IReadOnlyList<string> Sources { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? campaignId, Guid? id, CancellationToken ct)
    {
        var refusal = await ResolveAsync(campaignId, id, fill: true, ct);
        return refusal ?? Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? campaignId, Guid? id, CancellationToken ct)
    {
        var refusal = await ResolveAsync(campaignId, id, fill: false, ct);
        if (refusal is not null) return refusal;
        // Rows left blank (or cleared, or ticked) are not sent: the API removes a milestone it no longer receives.
        var rows = new List<int>();
        var milestones = new List<MilestoneRequest?>();
        for (var k = 0; k < Input.Milestones.Count; k++)
        {
            var m = Input.Milestones[k];
            if (m.Remove || (string.IsNullOrWhiteSpace(m.Date) && string.IsNullOrWhiteSpace(m.Text))) continue;
            rows.Add(k);
            milestones.Add(new MilestoneRequest(m.Date, m.Text, m.Seq));
        }
        var request = new ItemRequest(Input.Number, Input.Category, Input.Title, Input.Description, Input.Measures, Input.Target,
            Input.ResponsibleLeaderId, Input.LeadUnit, Input.Units.Cast<string?>().ToList(), Input.Deadline, Input.Ongoing,
            Input.ReportEvery, Input.HardDeadline, Input.Note, string.IsNullOrWhiteSpace(Input.Source) ? null : Input.Source, milestones);
        var me = CurrentUser.From(User);
        var outcome = Id is { } itemId
            ? await ItemCommands.UpdateAsync(db, clock, launched, definitions, new ItemChange(itemId, request), me, ct)
            : await ItemCommands.CreateAsync(db, clock, launched, CampaignId, request, me, ct);
        string Rename(string field)
        {
            if (field.StartsWith("units[", StringComparison.Ordinal)) return "Units";
            // milestones[n].date → the n-th row sent, which is row rows[n] of the editor.
            if (field.StartsWith("milestones[", StringComparison.Ordinal) && field.IndexOf(']', StringComparison.Ordinal) is var close and > 11
                && int.TryParse(field.AsSpan(11, close - 11), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                var part = field.Length > close + 2 ? ApiOutcome.FieldName(field[(close + 2)..]) : "Text";
                return $"Milestones[{(n < rows.Count ? rows[n] : n).ToString(System.Globalization.CultureInfo.InvariantCulture)}].{(part == "Seq" ? "Text" : part)}";
            }
            return ApiOutcome.FieldName(field);
        }
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, rename: Rename))
        {
            var dto = outcome.Value!;
            TempData["Flash"] = IsNew ? text["问题已添加"] : text["已保存"];
            return Redirect($"/items/{dto.Id}");
        }
        PadMilestones();
        return Page();
    }

    /// <summary>The editor always ends with a few blank rows for new milestones.</summary>
    private void PadMilestones()
    {
        var blank = Input.Milestones.Count(m => m.Seq is null && string.IsNullOrWhiteSpace(m.Date) && string.IsNullOrWhiteSpace(m.Text));
        for (var n = blank; n < BlankMilestoneRows; n++) Input.Milestones.Add(new MilestoneInput());
    }

    private async Task<IActionResult?> ResolveAsync(Guid? campaignId, Guid? id, bool fill, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        await using var connection = await db.OpenConnectionAsync(ct);
        string issuedBy;
        if (id is { } itemId)
        {
            var row = await ItemQueries.FindRowAsync(connection, itemId, me, ct);
            if (row is null) return NotFound();
            Id = itemId;
            CampaignId = row.CampaignId;
            issuedBy = row.IssuedByUnit;
            if (ItemStates.IsFinished(row.State) || row.CampaignState == CampaignStates.Closed)
            {
                TempData["Flash"] = text["问题已办结或已撤销，不能再修改"];
                return Redirect($"/items/{itemId}");
            }
            IsLaunched = row.State != ItemStates.Draft;
            if (fill)
            {
                Input = new ItemInput
                {
                    Number = row.Number, Category = row.Category, Title = row.Title, Description = row.Description, Measures = row.Measures,
                    Target = row.Target, ResponsibleLeaderId = row.ResponsibleLeaderId, LeadUnit = row.LeadUnit, Units = row.Units.ToList(),
                    Deadline = row.Deadline?.ToString("yyyy-MM-dd"), Ongoing = row.Ongoing, ReportEvery = row.ReportEvery, HardDeadline = row.HardDeadline,
                    Source = row.Source,
                    Milestones = [.. ((await Milestones.LoadAsync(connection, [itemId], ct)).GetValueOrDefault(itemId) ?? []).Select(m => new MilestoneInput
                    {
                        Seq = m.Seq, Date = m.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Text = m.Text, Done = m.DoneAt is not null,
                    })],
                };
            }
        }
        else
        {
            CampaignId = campaignId ?? Guid.Empty;
            const string sql = $"select c.issued_by_unit, c.state from campaigns c where c.id = @id and {Access.CampaignVisible}";
            var issuer = await connection.QuerySingleOrDefaultAsync<(string? IssuedBy, string State)>(new CommandDefinition(sql, new { id = CampaignId, role = me.Role, unit = me.UnitCode }, cancellationToken: ct));
            if (issuer.IssuedBy is null) return NotFound();
            issuedBy = issuer.IssuedBy;
            IsLaunched = issuer.State == CampaignStates.Active;
        }
        if (!Access.CanManageCampaign(me, issuedBy)) return Forbid();
        CampaignTitle = await connection.ExecuteScalarAsync<string>(new CommandDefinition("select title from campaigns where id = @CampaignId", new { CampaignId }, cancellationToken: ct)) ?? "";
        Units = await Choices.UnitsAsync(connection, null, ct);
        People = await Choices.PeopleAsync(connection, ct);
        Sources = (await SourceQueries.ListAsync(connection, ct)).Select(s => s.Name).ToList();
        if (fill) PadMilestones();
        return null;
    }
}
