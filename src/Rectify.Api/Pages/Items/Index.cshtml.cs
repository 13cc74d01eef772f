using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Items;

/// <summary>The item list: a unit's own items ("my items"), or an office's items across or within a campaign.</summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, WorkingCalendar calendar, UnitNames names, UiText text) : PageModel
{
    [BindProperty(SupportsGet = true)] public Guid? CampaignId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public bool? Overdue { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<ItemDto> Items { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public CampaignDto? Campaign { get; private set; }
    public UnitNames Names => names;
    public IReadOnlyDictionary<string, string> UnitOptions { get; private set; } = new Dictionary<string, string>();
    public bool IsUnit { get; private set; }
    public string? UnitCode { get; private set; }
    public bool CanAdd { get; private set; }
    public string Heading { get; private set; } = "";
    private DateOnly today;
    private CalendarSnapshot workingDays = CalendarSnapshot.WeekendsOnly;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        IsUnit = me.IsUnit;
        UnitCode = me.UnitCode;
        var now = clock.GetUtcNow();
        if (CampaignId is { } cid)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            Campaign = await CampaignQueries.FindVisibleAsync(connection, cid, me, now, ct);
            if (Campaign is null) return NotFound();
            CanAdd = Campaign.State == CampaignStates.Draft && Access.CanManageCampaign(me, Campaign.IssuedByUnit);
        }
        Heading = IsUnit ? text["我的问题"] : text["问题清单"];
        today = ItemStatus.LocalToday(now, Campaign?.TimeZone ?? "Asia/Shanghai");
        var state = State is not null && ItemStates.All.Contains(State) ? State : null;
        var q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim()[..Math.Min(Q.Trim().Length, 200)];
        // A search text the API would refuse (a control character) finds nothing here, as it did through the handler.
        var check = new Validator();
        q = check.Optional("q", q, 200);
        var page = new Page<ItemDto>([], 0);
        if (check.IsValid)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            page = await ItemQueries.ListAsync(connection, me, new ItemFilter(CampaignId, Unit, state, Overdue, q), Paging.From(PageNumber, PagerModel.DefaultSize), now,
                definitions, ct);
        }
        Items = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total) { Estimated = page.TotalEstimated == true };
        UnitOptions = await names.AllAsync(ct);
        workingDays = await calendar.GetAsync(ct);
        return Page();
    }

    public int? DaysLeft(ItemDto item) => WorkingDays.Left(item.EffectiveDeadline, today, workingDays.IsWorkingDay);
}
