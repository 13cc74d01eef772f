using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Items;

/// <summary>One item: every field, its state and light, what may be done now, its escalations and messages.</summary>
public sealed partial class DetailModel(NpgsqlDataSource db, TimeProvider clock, UnitNames names, UiText text) : PageModel
{
    public ItemDto Item { get; private set; } = null!;
    public string TimeZone { get; private set; } = "Asia/Shanghai";
    public string CampaignTitle { get; private set; } = "";
    public UnitNames Names => names;
    public bool CanEdit { get; private set; }
    public int? DaysLeft { get; private set; }
    public IReadOnlyList<SentNotification> Notifications { get; private set; } = [];
    public IReadOnlyList<EscalationRow> Escalations { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var result = await ItemsApi.Delete(id, HttpContext, db, ct);
        if (ApiOutcome.Apply(result.Result, ModelState, text))
        {
            TempData["Flash"] = text["问题已删除"];
            return Redirect("/campaigns");
        }
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var me = CurrentUser.From(User);
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemsApi.FindRowAsync(connection, id, me, ct);
        if (row is null) return false;
        Item = row.ToDto(now, []);
        TimeZone = row.TimeZone;
        CampaignTitle = await CampaignTitleAsync(connection, row.CampaignId, ct);
        CanEdit = row.State == ItemStates.Draft && Access.CanManageCampaign(me, row.IssuedByUnit);
        DaysLeft = WorkingDays.Left(Item.EffectiveDeadline, ItemStatus.LocalToday(now, TimeZone));
        Notifications = await ItemExtras.NotificationsAsync(connection, id, ct);
        Escalations = await ItemExtras.EscalationsAsync(connection, id, ct);
        await names.AllAsync(ct);
        return true;
    }

    private static async Task<string> CampaignTitleAsync(NpgsqlConnection connection, Guid campaignId, CancellationToken ct) =>
        await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection,
            new Dapper.CommandDefinition("select title from campaigns where id = @campaignId", new { campaignId }, cancellationToken: ct)) ?? "";
}
