using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Supervision;

public sealed record OpenEscalation(Guid Id, Guid? ItemId, string? ItemNumber, string? ItemTitle, string? LeadUnit, string Level, DateTime OpenedAt, string? LetterNumber);

/// <summary>The supervision office's inbox: open escalations by level and age, and the overdue items it watches.</summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, UnitNames names) : PageModel
{
    public IReadOnlyList<string> Levels { get; } = ["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];
    public IReadOnlyList<OpenEscalation> Open { get; private set; } = [];
    public IReadOnlyList<ItemDto> Overdue { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;
    private DateTimeOffset now;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        now = clock.GetUtcNow();
        const string sql = $"""
            select e.id, e.item_id as ItemId, i.number as ItemNumber, i.title as ItemTitle, i.lead_unit as LeadUnit, e.level,
                   e.opened_at as OpenedAt, e.letter_number as LetterNumber
            from escalations e
            join campaigns c on c.id = e.campaign_id
            join items i on i.id = e.item_id
            where e.resolved_at is null and {Access.ItemVisible}
            order by array_position(array['admonitoryTalk','listedSupervision','supervisionLetter','urge'], e.level), e.opened_at
            limit 500
            """;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            Open = (await connection.QueryAsync<OpenEscalation>(new CommandDefinition(sql, Access.Scope(me), cancellationToken: ct))).ToList();
        }
        var result = await ItemsApi.List(HttpContext, db, clock, null, null, null, true, null, PageNumber, PagerModel.DefaultSize, ct);
        var page = ApiOutcome.Value<Page<ItemDto>>(result.Result) ?? new Page<ItemDto>([], 0);
        Overdue = page.Items.OrderByDescending(i => i.OverdueDays).ToList();
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        await names.AllAsync(ct);
    }

    public int AgeDays(OpenEscalation e) => Math.Max(0, (int)(now - new DateTimeOffset(DateTime.SpecifyKind(e.OpenedAt, DateTimeKind.Utc))).TotalDays);
}
