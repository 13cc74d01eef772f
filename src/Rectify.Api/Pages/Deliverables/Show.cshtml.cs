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

/// <summary>
/// One unit plan or report (issue 13 §2): its files opened in place for the reviewer, its history, and what the signed-in
/// user may do now — the unit submits it with its files, the leading-group office accepts or returns it — through the
/// API's own commands (deciding what was already decided is the API's 422, shown in Chinese).
/// </summary>
public sealed class ShowModel(NpgsqlDataSource db, TimeProvider clock, DeliverableService service, DefinitionStore definitions, UnitNames names, UiText text)
    : PageModel
{
    public sealed class EventInput
    {
        public string? Type { get; set; }
        public string? Note { get; set; }
        public int? ExpectedVersion { get; set; }
    }

    [BindProperty] public EventInput Event { get; set; } = new();
    public DeliverableDto Deliverable { get; private set; } = null!;
    public UnitNames Names => names;
    public string? FailedType { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        IReadOnlyList<Guid> attachmentIds = [];
        if (Event.Type == DeliverableEvents.Submit && Request.HasFormContentType && Request.Form.Files.GetFiles("file").Count > 0)
        {
            var upload = await DeliverableCommands.UploadAsync(db, clock, id, UploadedFiles.From(Request), CurrentUser.From(User), ct);
            if (!ApiOutcome.Apply(upload.Refusal, ModelState, text, "Event.")) return await RefusedAsync(id, ct);
            attachmentIds = upload.Value!.Select(a => a.Id).ToList();
        }
        var body = new EventBody(Event.Type, Event.Note, null, attachmentIds, Event.ExpectedVersion);
        var sent = new DeliverableEvent(id, body);
        var outcome = await DeliverableCommands.SendEventAsync(db, clock, service, definitions, sent, CurrentUser.From(User), ct);
        if (!ApiOutcome.Apply(outcome.Refusal, ModelState, text, "Event.")) return await RefusedAsync(id, ct);
        TempData["Flash"] = text.Format("已{0}", Labels.Journal.Of(Event.Type, text));
        return Redirect($"/deliverables/{id}");
    }

    /// <summary>The files sent with one step of the history.</summary>
    public IReadOnlyList<AttachmentDto> FilesOf(DeliverableStep step) =>
        step.AttachmentIds.Join(Deliverable.Files ?? [], i => i, a => a.Id, (_, a) => a).ToList();

    private async Task<IActionResult> RefusedAsync(Guid id, CancellationToken ct)
    {
        FailedType = Event.Type;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        DeliverableDto? found;
        await using (var connection = await db.OpenConnectionAsync(ct))
            found = await DeliverableQueries.FindVisibleAsync(
                connection, id, Features.Auth.CurrentUser.From(User), clock.GetUtcNow(), definitions, ct);
        if (found is null) return false;
        Deliverable = found;
        Event.ExpectedVersion = found.Version;
        await names.AllAsync(ct);
        return true;
    }
}
