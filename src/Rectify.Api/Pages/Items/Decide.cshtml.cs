using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Items;

/// <summary>
/// A decision on one screen (issue 13 §2): a closure request (销号审核) or an extension request (延期审批) with what is
/// decided — the requested date against the current deadline, the reason, each unit's reports with their evidence opened
/// in place, the history — and the decision itself, sent through the API's own command (so deciding what was already
/// decided is the API's 422, shown in Chinese).
/// </summary>
public sealed class DecideModel(
    NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, ItemEventService events, WorkingCalendar calendar, UnitNames names, UiText text)
    : PageModel
{
    public sealed class DecisionInput
    {
        public string? Type { get; set; }
        public string? Note { get; set; }
        /// <summary>The journal entry of the request the screen showed: the decision is on that request, not on a newer one.</summary>
        public long? RequestId { get; set; }
        /// <summary>returnClosure: the units whose completed part goes back with the lead unit's.</summary>
        public List<string>? Units { get; set; }
    }

    [BindProperty] public DecisionInput Decision { get; set; } = new();
    /// <summary><c>closure</c> or <c>extension</c>, from the address.</summary>
    [FromRoute(Name = "decision")] public string Kind { get; set; } = "";
    public ItemDto Item { get; private set; } = null!;
    public string CampaignTitle { get; private set; } = "";
    public string TimeZone { get; private set; } = "Asia/Shanghai";
    public UnitNames Names => names;
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyList<AttachmentDto> Attachments { get; private set; } = [];

    /// <summary>The request being decided: the latest requestClosure or requestExtension entry, if any.</summary>
    public TimelineEntry? Asked { get; private set; }

    /// <summary>The decision taken on <see cref="Asked"/>, once taken (approve, return, reject).</summary>
    public TimelineEntry? Decided { get; private set; }

    /// <summary>Extension: the date asked for (pending, or the one of the decided request).</summary>
    public DateOnly? Requested { get; private set; }

    /// <summary>Extension: the working days the requested date adds to the current deadline.</summary>
    public int? AddedWorkingDays { get; private set; }

    /// <summary>Extensions approved before this one.</summary>
    public int ExtensionsBefore { get; private set; }

    public bool IsClosure => Kind == "closure";

    /// <summary>The decisions the signed-in user may take now (the item's allowed events of this kind).</summary>
    public IReadOnlyList<string> Choices { get; private set; } = [];

    public string? FailedType { get; private set; }

    public static readonly string[] ClosureEvents = ["approveClosure", "returnClosure"];
    public static readonly string[] ExtensionEvents = ["approveExtension", "rejectExtension"];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var type = Decision.Type ?? "";
        if (!(IsClosure ? ClosureEvents : ExtensionEvents).Contains(type))
            ModelState.AddModelError("", text["请选择审核结果"]);
        else if (await LatestRequestAsync(id, ct) is { } latest && Decision.RequestId is { } shown && latest != shown)
            ModelState.AddModelError("", text["申请已重新提交，请核对新的申请后再审核。"]);
        else
        {
            // No version check: the decision is on the request shown (checked above), and a request already decided is the
            // state machine's refusal (422, in words: 当前状态“已销号”…), not a bare version conflict (issue 13).
            var body = new EventBody(type, Decision.Note, null, [], null, null, type == "returnClosure" ? Decision.Units : null);
            var outcome = await ItemEventCommands.SendAsync(
                db, clock, events, definitions, new ItemEvent(id, body), CurrentUser.From(User), ct);
            if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, "Decision."))
            {
                TempData["Flash"] = text.Format("已{0}", Labels.Event.Of(type, text));
                return Redirect($"/items/{id}/{Kind}");
            }
        }
        FailedType = type;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<long?> LatestRequestAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long?>(connection, new Dapper.CommandDefinition(
            "select max(id) from journal where item_id = @id and type = @type", new { id, type = IsClosure ? "requestClosure" : "requestExtension" },
            cancellationToken: ct));
    }

    /// <summary>Each unit's reports (progress, completion, closure request), newest first.</summary>
    public IReadOnlyList<TimelineEntry> ReportsOf(string unit) => Timeline
        .Where(e => e.Type is "progress" or "complete" or "requestClosure" && DetailModel.DataText(e.Data, "unit") == unit)
        .OrderByDescending(e => e.Id).ToList();

    /// <summary>The files submitted with one journal entry.</summary>
    public IReadOnlyList<AttachmentDto> FilesOf(TimelineEntry entry) =>
        entry.Data.ValueKind == JsonValueKind.Object && entry.Data.TryGetProperty("attachmentIds", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Select(x => x.GetString()).Join(Attachments, i => i, a => a.Id.ToString(), (_, a) => a).ToList()
            : [];

    /// <summary>The unit that sent an entry (its data names it), else the actor.</summary>
    public string Who(TimelineEntry entry) =>
        DetailModel.DataText(entry.Data, "unit") is { } unit ? $"{names.Of(unit)}（{entry.Actor}）" : entry.Actor;

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (Kind is not ("closure" or "extension")) return false;
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            if (await ItemQueries.ReadVisibleAsync(connection, id, me, now, ct, definitions) is not { } found) return false;
            var (row, item) = found;
            Item = item;
            TimeZone = row.TimeZone;
            CampaignTitle = await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, new Dapper.CommandDefinition(
                "select title from campaigns where id = @CampaignId", new { row.CampaignId }, cancellationToken: ct)) ?? "";
            Timeline = await ItemQueries.TimelineAsync(connection, row, definitions, ct);
            Attachments = await ItemQueries.AttachmentsAsync(connection, id, ct);
        }
        var requestType = IsClosure ? "requestClosure" : "requestExtension";
        var decisions = IsClosure ? ClosureEvents : ExtensionEvents;
        Asked = Timeline.LastOrDefault(e => e.Type == requestType);
        Decided = Asked is null ? null : Timeline.FirstOrDefault(e => e.Id > Asked.Id && decisions.Contains(e.Type));
        Choices = Item.AllowedEvents.Where(decisions.Contains).ToList();
        if (!IsClosure)
        {
            Requested = Item.PendingExtension
                ?? (Asked is not null && DetailModel.DataText(Asked.Data, "newDeadline") is { } asked && Iso(asked) is { } date ? date : null);
            ExtensionsBefore = Timeline.Count(e => e.Type == "approveExtension" && (Asked is null || e.Id < Asked.Id));
            // The deadline the request was made against: the current one while pending, else the one in force at the request.
            var against = Decided?.Type == "approveExtension" ? DeadlineBefore(Asked!) : Item.EffectiveDeadline;
            if (Requested is { } wanted && against is { } current && wanted > current)
            {
                var snapshot = await calendar.GetAsync(ct);
                AddedWorkingDays = WorkingDays.Left(wanted, current.AddDays(1), snapshot.IsWorkingDay);
            }
        }
        await names.AllAsync(ct);
        return true;
    }

    /// <summary>The deadline in force when the extension was requested (the effective deadline that entry recorded).</summary>
    public DateOnly? DeadlineBefore(TimelineEntry request) =>
        DetailModel.DataText(request.Data, "effectiveDeadline") is { } d && Iso(d) is { } date ? date : Item.Deadline;

    private static DateOnly? Iso(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
            ? date : null;

    /// <summary>The current deadline to compare with: while pending the effective deadline, after approval the one before it.</summary>
    public DateOnly? CurrentDeadline => Decided?.Type == "approveExtension" && Asked is not null ? DeadlineBefore(Asked) : Item.EffectiveDeadline;
}
