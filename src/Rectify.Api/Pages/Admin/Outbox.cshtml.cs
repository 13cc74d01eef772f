using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Notifications.Dispatch;

namespace Rectify.Api.Pages.Admin;

public sealed record DueTimer(long Id, DateTimeOffset DueAt, string SubjectKind, Guid SubjectId, string Step, string CampaignTitle, string? ItemNumber, string? ItemTitle);

/// <summary>
/// The scheduler and the outbox as an operator sees them: timers due next (read from the runtime's timers table),
/// message counts by status and the dead letters, re-queued through <see cref="NotificationCommands.RetryAsync"/>.
/// </summary>
public sealed class OutboxModel(NpgsqlDataSource db, TimeProvider clock, AdminJournal journal, OutboxSignal signal, UiText text) : PageModel
{
    public IReadOnlyDictionary<string, long> Counts { get; private set; } = new Dictionary<string, long>();
    public IReadOnlyList<NotificationDto> Dead { get; private set; } = [];
    public IReadOnlyList<DueTimer> Timers { get; private set; } = [];
    public long TimersTotal { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        var outcome = await NotificationCommands.RetryAsync(db, clock, journal, signal, id, Features.Auth.CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["已重新排队发送"];
            return Redirect("/admin/outbox");
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, long>();
        var user = Features.Auth.CurrentUser.From(User);
        await using (var log = await db.OpenConnectionAsync(ct))
        {
            foreach (var status in Labels.NotificationStatus.Keys)
                counts[status] = (await NotificationQueries.ListAsync(log, user, new NotificationFilter(Status: status), Paging.From(1, 1), ct)).Total;
            Dead = (await NotificationQueries.ListAsync(log, user, new NotificationFilter(Status: "dead"), Paging.From(1, 100), ct)).Items;
        }
        Counts = counts;
        const string sql = """
            select count(*) from timers;
            select t.id, t.due_at as DueAt, t.subject_kind as SubjectKind, t.subject_id as SubjectId, t.step, c.title as CampaignTitle,
                   i.number as ItemNumber, i.title as ItemTitle
            from timers t join campaigns c on c.id = t.campaign_id left join items i on i.id = t.subject_id and t.subject_kind = 'item'
            order by t.due_at, t.id limit 50;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        TimersTotal = await grid.ReadSingleAsync<long>();
        Timers = (await grid.ReadAsync<DueTimer>()).ToList();
    }
}
