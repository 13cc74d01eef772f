using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Todo;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.Todo;

/// <summary>
/// 待办, every role's landing page (issue 13 §1): what waits for the signed-in user, by kind, soonest due first; each row
/// links to the page where it is done. The query is the API's (TodoQuery), so the page, the badges and GET /api/todo agree.
/// </summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, UnitNames names) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "kind")] public string? Kind { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public TodoPage List { get; private set; } = new(new Dictionary<string, long>(), [], 0);
    public IReadOnlyList<string> Kinds { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;
    public bool IsUnit { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        IsUnit = me.IsUnit;
        Kinds = TodoKinds.For(me);
        // An unknown kind in the address shows everything (the API answers it with 400).
        var kind = Kind is not null && Kinds.Contains(Kind) ? Kind : null;
        Kind = kind;
        var page = Math.Max(1, PageNumber);
        await using (var connection = await db.OpenConnectionAsync(ct))
            List = await TodoQuery.PageAsync(connection, me, kind, Paging.From(page, PagerModel.DefaultSize), clock.GetUtcNow(), ct);
        Pager = new PagerModel(Request, page, PagerModel.DefaultSize, List.Total) { Estimated = List.TotalEstimated == true };
        await names.AllAsync(ct);
    }

    /// <summary>What the row asks, in words: 申请销号 for a lead unit's part, 报本单位整改完成 for another's.</summary>
    public static string Action(TodoItem t) => t.Kind switch
    {
        TodoKinds.Complete when t.Role == "lead" => "申请销号",
        TodoKinds.Complete => "报本单位整改完成",
        TodoKinds.Returned => "退回重办",
        TodoKinds.Acknowledge => "签收",
        TodoKinds.Report => "报送定期进展",
        TodoKinds.Milestone => "完成阶段性节点",
        TodoKinds.SubmitDeliverable when t.State == "returned" => "重新报送材料",
        TodoKinds.SubmitDeliverable => "报送材料",
        _ => TodoKinds.Label(t.Kind),
    };
}
