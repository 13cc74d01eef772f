using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Deliverables;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Deliverables;

/// <summary>What units owe besides items (unit plan, unit report): submit with files; the office accepts or returns.</summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, DeliverableService service, DefinitionStore definitions, UnitNames names, UiText text) : PageModel
{
    public sealed class EventInput
    {
        public Guid Id { get; set; }
        public string? Type { get; set; }
        public string? Note { get; set; }
        public int? ExpectedVersion { get; set; }
    }

    [BindProperty] public EventInput Event { get; set; } = new();
    [BindProperty(SupportsGet = true)] public Guid? CampaignId { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public IReadOnlyList<DeliverableDto> Items { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;
    public bool IsUnit { get; private set; }
    public Guid? FailedId { get; private set; }
    public string? FailedMessage { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> attachmentIds = [];
        if (Event.Type == "submit" && Request.Form.Files.GetFiles("file").Count > 0)
        {
            var upload = await DeliverableCommands.UploadAsync(
                db, clock, Event.Id, UploadedFiles.From(Request), CurrentUser.From(User), ct);
            if (!ApiOutcome.Apply(upload.Refusal, ModelState, text, "Event.")) return await RefusedAsync(ct);
            attachmentIds = upload.Value!.Select(a => a.Id).ToList();
        }
        var body = new EventBody(Event.Type, Event.Note, null, attachmentIds, Event.ExpectedVersion);
        var sent = new DeliverableEvent(Event.Id, body);
        var outcome = await DeliverableCommands.SendEventAsync(db, clock, service, definitions, sent, CurrentUser.From(User), ct);
        if (!ApiOutcome.Apply(outcome.Refusal, ModelState, text, "Event.")) return await RefusedAsync(ct);
        TempData["Flash"] = text.Format("已{0}", Labels.Journal.Of(Event.Type, text));
        return Redirect(Request.Path + Request.QueryString);
    }

    private async Task<IActionResult> RefusedAsync(CancellationToken ct)
    {
        FailedId = Event.Id;
        FailedMessage = string.Join("；", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        IsUnit = me.IsUnit;
        Page<DeliverableDto> page;
        await using (var connection = await db.OpenConnectionAsync(ct))
            page = await DeliverableQueries.ListAsync(connection, me, new DeliverableFilter(CampaignId),
                Paging.From(PageNumber, PagerModel.DefaultSize), clock.GetUtcNow(), definitions, ct);
        Items = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        await names.AllAsync(ct);
    }
}
