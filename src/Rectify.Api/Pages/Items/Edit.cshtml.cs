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
/// Add an item to a campaign (on an active one: 补充交办) or edit an item, through the API's handlers; a launched item is
/// changed with a reason (改派), its deadline only by extension.
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
    }

    [BindProperty] public ItemInput Input { get; set; } = new();
    public Guid CampaignId { get; private set; }
    public Guid? Id { get; private set; }
    public bool IsNew => Id is null;
    /// <summary>The item (or, for a new one, its campaign) is launched: a change needs a reason; the deadline is fixed here.</summary>
    public bool IsLaunched { get; private set; }
    public string CampaignTitle { get; private set; } = "";
    public IReadOnlyList<Choice> Units { get; private set; } = [];
    public IReadOnlyList<Choice> People { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? campaignId, Guid? id, CancellationToken ct)
    {
        var refusal = await ResolveAsync(campaignId, id, fill: true, ct);
        return refusal ?? Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? campaignId, Guid? id, CancellationToken ct)
    {
        var refusal = await ResolveAsync(campaignId, id, fill: false, ct);
        if (refusal is not null) return refusal;
        var request = new ItemRequest(Input.Number, Input.Category, Input.Title, Input.Description, Input.Measures, Input.Target,
            Input.ResponsibleLeaderId, Input.LeadUnit, Input.Units.Cast<string?>().ToList(), Input.Deadline, Input.Ongoing,
            Input.ReportEvery, Input.HardDeadline, Input.Note);
        var result = Id is { } itemId
            ? (await ItemsApi.Update(itemId, request, HttpContext, db, clock, launched, definitions, ct)).Result
            : (await ItemsApi.Create(CampaignId, request, HttpContext, db, clock, launched, ct)).Result;
        if (ApiOutcome.Apply(result, ModelState, text, rename: f => f.StartsWith("units[", StringComparison.Ordinal) ? "Units" : ApiOutcome.FieldName(f)))
        {
            var dto = ApiOutcome.Value<ItemDto>(result)!;
            TempData["Flash"] = IsNew ? text["问题已添加"] : text["已保存"];
            return Redirect($"/items/{dto.Id}");
        }
        return Page();
    }

    private async Task<IActionResult?> ResolveAsync(Guid? campaignId, Guid? id, bool fill, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        await using var connection = await db.OpenConnectionAsync(ct);
        string issuedBy;
        if (id is { } itemId)
        {
            var row = await ItemsApi.FindRowAsync(connection, itemId, me, ct);
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
        return null;
    }
}
