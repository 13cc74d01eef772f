using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Escalations;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Pages.Supervision;

/// <summary>The supervision office's inbox: open escalations by level and age, and the overdue items it watches.</summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, UnitNames names) : PageModel
{
    public IReadOnlyList<string> Levels { get; } = ["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];
    public IReadOnlyList<EscalationDto> Open { get; private set; } = [];
    public long OpenTotal { get; private set; }
    public IReadOnlyDictionary<string, long> OpenByLevel { get; private set; } = new Dictionary<string, long>();
    public IReadOnlyList<ItemDto> Overdue { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;
    [BindProperty(SupportsGet = true, Name = "level")] public string? Level { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    private DateTimeOffset now;

    public async Task OnGetAsync(CancellationToken ct)
    {
        now = clock.GetUtcNow();
        var level = Level is not null && Levels.Contains(Level) ? Level : null;
        var counts = new Dictionary<string, long>();
        foreach (var l in Levels)
        {
            var byLevel = ApiOutcome.Value<Page<EscalationDto>>((await EscalationsApi.List(HttpContext, db, null, l, true, null, null, 1, 1, ct)).Result);
            counts[l] = byLevel?.Total ?? 0;
        }
        OpenByLevel = counts;
        var open = ApiOutcome.Value<Page<EscalationDto>>((await EscalationsApi.List(HttpContext, db, null, level, true, null, null, 1, 200, ct)).Result)
            ?? new Page<EscalationDto>([], 0);
        // Most serious first, then the oldest: what has waited longest at the highest level is what to chase.
        Open = open.Items.OrderByDescending(e => Levels.ToList().IndexOf(e.Level)).ThenBy(e => e.OpenedAt).ToList();
        OpenTotal = open.Total;
        var result = await ItemsApi.List(HttpContext, db, clock, definitions, null, null, null, true, null, PageNumber, PagerModel.DefaultSize, ct);
        var page = ApiOutcome.Value<Page<ItemDto>>(result.Result) ?? new Page<ItemDto>([], 0);
        Overdue = page.Items.OrderByDescending(i => i.OverdueDays).ToList();
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total) { Estimated = page.TotalEstimated == true };
        await names.AllAsync(ct);
    }

    public int AgeDays(EscalationDto e) => Math.Max(0, (int)(now - e.OpenedAt).TotalDays);
}
