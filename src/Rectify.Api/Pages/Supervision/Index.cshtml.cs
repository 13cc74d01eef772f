using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Escalations;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Pages.Supervision;

/// <summary>
/// The supervision office's inbox: one row per item or deliverable under open escalation, at its current level, how long
/// at it and the levels it went through (issue 14 §8); the 约谈 rows take the appointment (time, place, attendees) in
/// place (issue 13 §5); and the overdue items it watches.
/// </summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, UnitNames names, TalkAppointments talks, UiText text) : PageModel
{
    public sealed class TalkInput
    {
        public Guid EscalationId { get; set; }
        public string? At { get; set; }
        public string? Place { get; set; }
        public string? Attendees { get; set; }
    }

    public IReadOnlyList<string> Levels { get; } = ["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];
    public IReadOnlyList<InboxRow> Open { get; private set; } = [];
    public long OpenTotal { get; private set; }
    public IReadOnlyDictionary<string, long> OpenByLevel { get; private set; } = new Dictionary<string, long>();

    /// <summary>The levels counted to the bound and then estimated (shown with 约).</summary>
    public IReadOnlyList<string> EstimatedLevels { get; private set; } = [];
    public IReadOnlyList<ItemDto> Overdue { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public PagerModel InboxPager { get; private set; } = null!;
    public UnitNames Names => names;
    [BindProperty(SupportsGet = true, Name = "level")] public string? Level { get; set; }
    [BindProperty(SupportsGet = true, Name = "campaignId")] public Guid? CampaignId { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "ipage")] public int InboxPage { get; set; } = 1;
    [BindProperty] public TalkInput Talk { get; set; } = new();

    /// <summary>The escalation whose appointment form was sent back with errors (kept open).</summary>
    public Guid? TalkFailed { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>Sets the time, place and attendees of a 约谈 through the API's own command, so the page refuses what the API
    /// refuses.</summary>
    public async Task<IActionResult> OnPostTalkAsync(CancellationToken ct)
    {
        var request = new TalkAppointmentRequest(Talk.At, Talk.Place, Talk.Attendees);
        var me = Features.Auth.CurrentUser.From(User);
        var outcome = await EscalationCommands.SetTalkAsync(db, talks, clock, Talk.EscalationId, request, me, ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text, "Talk."))
        {
            TempData["Flash"] = text["约谈已安排，通知已发出"];
            return Redirect($"/supervision?level=admonitoryTalk{(CampaignId is { } c ? $"&campaignId={c}" : "")}#esc-{Talk.EscalationId}");
        }
        TalkFailed = Talk.EscalationId;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var level = Level is not null && Levels.Contains(Level) ? Level : null;
        var user = Features.Auth.CurrentUser.From(User);
        var now = clock.GetUtcNow();
        InboxPage inbox;
        Page<ItemDto> page;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            inbox = await SupervisionInbox.ListAsync(
                connection, user, level, CampaignId, Paging.From(Math.Max(1, InboxPage), PagerModel.DefaultSize), now, ct);
            page = await ItemQueries.ListAsync(connection, user, new ItemFilter(Overdue: true),
                Paging.From(PageNumber, PagerModel.DefaultSize), now, definitions, ct);
        }
        OpenByLevel = inbox.ByLevel;
        EstimatedLevels = inbox.Estimated ?? [];
        Open = inbox.Items;
        OpenTotal = inbox.Total;
        InboxPager = new PagerModel(Request, Math.Max(1, InboxPage), PagerModel.DefaultSize, inbox.Total, "ipage")
        {
            Estimated = inbox.TotalEstimated == true,
        };
        Overdue = page.Items.OrderByDescending(i => i.OverdueDays).ToList();
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total) { Estimated = page.TotalEstimated == true };
        await names.AllAsync(ct);
    }

    /// <summary>What the datetime-local field shows for an appointment: its local time in the campaign's zone.</summary>
    public static string LocalInput(TalkAppointmentDto? talk) => talk is null ? "" : talk.At.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string When(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

}
