using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Campaigns;

public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<CampaignDto> Campaigns { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public bool CanCreate { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        CanCreate = me.IsAdmin || me.IsLeadingGroup;
        var state = Labels.CampaignState.ContainsKey(State ?? "") ? State : null;
        var q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim()[..Math.Min(Q.Trim().Length, 200)];
        Page<CampaignDto> page;
        await using (var connection = await db.OpenConnectionAsync(ct))
            page = await CampaignQueries.ListAsync(
                connection, me, new CampaignFilter(state, q), Paging.From(PageNumber, PagerModel.DefaultSize), clock.GetUtcNow(), ct);
        Campaigns = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
    }
}
