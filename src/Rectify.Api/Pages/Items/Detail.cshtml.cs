using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Escalations;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Features.Talks;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Items;

/// <summary>
/// One item: every field, its state and light, the events the signed-in user may send now (through the API's own
/// commands, evidence through its upload), its timeline with the messages each step sent, escalations, files.
/// </summary>
public sealed partial class DetailModel(
    NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, ItemEventService events, WorkingCalendar calendar,
    AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall, UnitNames names, UiText text) : PageModel
{
    public sealed class EventInput
    {
        public string? Type { get; set; }
        public string? Note { get; set; }
        public string? NewDeadline { get; set; }
        public int? ExpectedVersion { get; set; }
        /// <summary>acknowledge, progress, complete sent by an office: the unit it acts for.</summary>
        public string? Unit { get; set; }
        /// <summary>returnClosure: the units whose part goes back with the lead unit's.</summary>
        public List<string>? Units { get; set; }
    }

    public sealed class TalkInput
    {
        public string? HeldOn { get; set; }
        public string? People { get; set; }
        public string? Note { get; set; }
    }

    [BindProperty] public EventInput Event { get; set; } = new();
    [BindProperty] public TalkInput Talk { get; set; } = new();
    public IReadOnlyList<TalkDto> Talks { get; private set; } = [];
    public bool CanRecordTalk { get; private set; }
    public bool TalkFailed { get; private set; }
    public ItemDto Item { get; private set; } = null!;
    public string TimeZone { get; private set; } = "Asia/Shanghai";
    public string CampaignTitle { get; private set; } = "";
    public UnitNames Names => names;
    public bool CanEdit { get; private set; }

    /// <summary>A unit of the item (or its issuing office) may mark its milestones done while it is assigned and open.</summary>
    public bool CanMarkMilestones { get; private set; }
    public int? DaysLeft { get; private set; }
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyList<AttachmentDto> Attachments { get; private set; } = [];
    public IReadOnlyList<EscalationDto> Escalations { get; private set; } = [];
    public IReadOnlyList<NotificationDto> Notifications { get; private set; } = [];
    public long NotificationsTotal { get; private set; }
    /// <summary>The event whose form was posted and refused: that form opens again with its errors.</summary>
    public string? FailedEvent { get; private set; }

    public static long MaxFileBytes => EvidenceFiles.MaxBytes;
    public static int MaxFiles => EvidenceFiles.MaxFilesPerRequest;
    public const string Accept = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.ofd,.zip,.doc,.xls,.wps,.txt,.csv";

    /// <summary>The errors of one field of the refused form, joined; null when none.</summary>
    public string? ErrorFor(string field) =>
        ModelState.TryGetValue("Event." + field, out var entry) && entry.Errors.Count > 0 ? string.Join("；", entry.Errors.Select(e => e.ErrorMessage)) : null;

    /// <summary>What the note of each event is called, and whether the workflow requires it.</summary>
    public static (string Label, bool Required) NoteOf(string type) => type switch
    {
        "acknowledge" => ("签收说明", false),
        "progress" => ("整改进展", true),
        "requestClosure" => ("整改完成情况", true),
        "complete" => ("完成情况", true),
        "approveClosure" => ("审核意见", false),
        "returnClosure" => ("退回原因", true),
        "requestExtension" => ("延期理由", true),
        "approveExtension" => ("审核意见", false),
        "rejectExtension" => ("驳回理由", false),
        "reopen" => ("重新打开原因（回头看发现的问题）", true),
        "withdraw" => ("撤销原因", true),
        "urge" => ("催办意见", false),
        _ => ("说明", false),
    };

    /// <summary>A string fact from a journal entry's data (escalation level, timer step), if present.</summary>
    public static string? DataText(System.Text.Json.JsonElement data, string name) =>
        data.ValueKind == System.Text.Json.JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String
            ? v.GetString() : null;

    /// <summary>Events whose form carries evidence files.</summary>
    public static bool TakesFiles(string type) => type is "progress" or "requestClosure" or "complete";

    /// <summary>Events an office sends on a unit's behalf: the form asks which unit.</summary>
    public bool AsksUnit(string type) => type is "acknowledge" or "progress" or "complete" or "urge" && CurrentUser.From(User).Role != Roles.Unit;

    /// <summary>
    /// Each unit's reports (progress, completion, closure request) with their evidence, newest first, for the units
    /// whose part the caller sees (the lead unit and the offices see every unit; a responsible unit its own and the lead's).
    /// </summary>
    /// <summary>The timeline as a person reads it: each entry on its own line, runs of bookkeeping folded into one (issue 14 §7).</summary>
    public static IEnumerable<(IReadOnlyList<TimelineEntry> Entries, bool Folded)> Fold(IReadOnlyList<TimelineEntry> timeline)
    {
        var run = new List<TimelineEntry>();
        foreach (var entry in timeline)
        {
            if (entry.Bookkeeping) { run.Add(entry); continue; }
            if (run.Count > 0) { yield return (run, true); run = []; }
            yield return ([entry], false);
        }
        if (run.Count > 0) yield return (run, true);
    }

    public IEnumerable<(string Unit, IReadOnlyList<TimelineEntry> Reports)> ReportsByUnit() =>
        Item.Assignments.Select(a => (a.Unit, (IReadOnlyList<TimelineEntry>)Timeline
            .Where(e => e.Type is "progress" or "complete" or "requestClosure" && DataText(e.Data, "unit") == a.Unit)
            .OrderByDescending(e => e.At).ToList()));

    /// <summary>The files submitted with one journal entry.</summary>
    public IEnumerable<AttachmentDto> FilesOf(TimelineEntry entry) =>
        entry.Data.ValueKind == System.Text.Json.JsonValueKind.Object && entry.Data.TryGetProperty("attachmentIds", out var ids) && ids.ValueKind == System.Text.Json.JsonValueKind.Array
            ? ids.EnumerateArray().Select(x => x.GetString()).Join(Attachments, id => id, a => a.Id.ToString(), (_, a) => a)
            : [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostEventAsync(Guid id, CancellationToken ct)
    {
        var type = Event.Type ?? "";
        IReadOnlyList<Guid> attachmentIds = [];
        if (TakesFiles(type) && Request.HasFormContentType && Request.Form.Files.GetFiles("file").Count > 0)
        {
            var upload = await AttachmentCommands.UploadToItemAsync(db, clock, id, UploadedFiles.From(Request), CurrentUser.From(User), ct);
            if (!ApiOutcome.Apply(upload.Refusal, ModelState, text, "Event.", f => f.StartsWith("file", StringComparison.Ordinal) ? "Files" : ApiOutcome.FieldName(f)))
                return await RefusedAsync(id, type, ct);
            attachmentIds = upload.Value!.Select(a => a.Id).ToList();
        }
        var body = new EventBody(type, Event.Note, Event.NewDeadline, attachmentIds, Event.ExpectedVersion,
            string.IsNullOrWhiteSpace(Event.Unit) ? null : Event.Unit, type == "returnClosure" ? Event.Units : null);
        var sent = await ItemEventCommands.SendAsync(db, clock, events, definitions, new ItemEvent(id, body), CurrentUser.From(User), ct);
        if (!ApiOutcome.Apply(sent.Refusal, ModelState, text, "Event.", f => f == "attachmentIds" ? "Files" : ApiOutcome.FieldName(f)))
            return await RefusedAsync(id, type, ct);
        TempData["Flash"] = text.Format("已{0}", Labels.Event.Of(type, text));
        return Redirect($"/items/{id}");
    }

    /// <summary>Marks a milestone done through the API's command (the caller's own unit; an office marks it for the lead unit).</summary>
    public async Task<IActionResult> OnPostMilestoneAsync(Guid id, int seq, CancellationToken ct)
    {
        var outcome = await MilestoneCommands.DoneAsync(
            db, clock, id, seq, new MilestoneDoneRequest(null, null), CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["阶段性节点已标记完成"];
            return Redirect($"/items/{id}#ms-h");
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    /// <summary>Records an admonitory talk through the talks API's command.</summary>
    public async Task<IActionResult> OnPostTalkAsync(Guid id, CancellationToken ct)
    {
        var recording = new TalkRecording(id, new TalkRequest(Talk.HeldOn, Talk.People, Talk.Note));
        var outcome = await TalkCommands.RecordAsync(db, journal, clock, wall, recording, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, "Talk."))
        {
            TempData["Flash"] = text["约谈已记录"];
            return Redirect($"/items/{id}#talks-h");
        }
        TalkFailed = true;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var refusal = await ItemCommands.DeleteAsync(db, clock, id, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(refusal, ModelState, text))
        {
            TempData["Flash"] = text["问题已删除"];
            return Redirect("/campaigns");
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<IActionResult> RefusedAsync(Guid id, string type, CancellationToken ct)
    {
        FailedEvent = type;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            if (await ItemQueries.ReadVisibleAsync(connection, id, me, now, ct, definitions) is not { } found) return false;
            var (row, item) = found;
            Item = item;
            CanMarkMilestones = row.State is not (ItemStates.Draft or "closed" or "withdrawn")
                && ((me.Role == Roles.Unit && me.UnitCode is { } own && (row.LeadUnit == own || row.Units.Contains(own))) || Access.CanManageCampaign(me, row.IssuedByUnit));
            TimeZone = row.TimeZone;
            CanEdit = !ItemStates.IsFinished(row.State) && row.CampaignState != CampaignStates.Closed && Access.CanManageCampaign(me, row.IssuedByUnit);
            CanRecordTalk = row.State != ItemStates.Draft && TalkQueries.MayRecord(me, row);
            CampaignTitle = await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, new Dapper.CommandDefinition(
                "select title from campaigns where id = @CampaignId", new { row.CampaignId }, cancellationToken: ct)) ?? "";
            Timeline = await ItemQueries.TimelineAsync(connection, row, definitions, ct);
            Attachments = await ItemQueries.AttachmentsAsync(connection, id, ct);
            Talks = await TalkQueries.ListAsync(connection, id, ct);
        }
        var snapshot = await calendar.GetAsync(ct);
        DaysLeft = WorkingDays.Left(Item.EffectiveDeadline, ItemStatus.LocalToday(now, TimeZone), snapshot.IsWorkingDay);
        Page<NotificationDto> sent;
        await using (var log = await db.OpenConnectionAsync(ct))
            sent = await NotificationQueries.ListAsync(log, me, new NotificationFilter(ItemId: id), Paging.From(1, 100), ct);
        Notifications = sent.Items;
        NotificationsTotal = sent.Total;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var filter = new EscalationFilter(ItemId: id, PageSize: 100);
            Escalations = (await EscalationQueries.ListAsync(connection, me, filter, ct)).Items;
        }
        Event.ExpectedVersion = Item.Version;
        await names.AllAsync(ct);
        return true;
    }
}
