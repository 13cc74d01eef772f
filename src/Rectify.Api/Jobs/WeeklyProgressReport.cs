using Dapper;
using Npgsql;
using Rectify.Workflows.Notifications;

namespace Rectify.Api.Jobs;

/// <summary>
/// The weekly progress report (整改进展周报) to the leading group of every active campaign: one message per contact of
/// the campaign's issuing office, through the outbox (so each channel's delivery is exactly once and retried like any
/// other). The report is the one of the latest scheduled moment (Rectify:Jobs:WeeklyReport, Monday 09:00 by default)
/// at or before the application clock's now; its idempotency key names that date, so running the job again that week
/// — twice, late, on two nodes — adds nothing. A campaign launched after that moment waits for the next week.
/// </summary>
public sealed class WeeklyProgressReport(
    NpgsqlDataSource db, INotificationOutbox outbox, TimeProvider clock, Microsoft.Extensions.Options.IOptions<JobsOptions> options,
    ILogger<WeeklyProgressReport> logger)
{
    public const string JobId = "weekly-report";

    public static string SubjectKey(Guid campaign, DateOnly asOf) =>
        $"campaign:{campaign}:weekly:{asOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The report's date and moment: the latest scheduled one at or before <paramref name="now"/>.</summary>
    public static (DateOnly Date, DateTimeOffset At) LatestDue(WeeklyReportOptions o, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var date = DateOnly.FromDateTime(local.DateTime).AddDays(-(((int)local.DayOfWeek - (int)o.Day + 7) % 7));
        DateTimeOffset At(DateOnly d)
        {
            var wall = d.ToDateTime(o.At);
            return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUniversalTime();
        }
        if (At(date) > now) date = date.AddDays(-7);
        return (date, At(date));
    }

    /// <summary>Enqueues the due week's report for every campaign that lacks it; returns the outbox rows written.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var o = options.Value.WeeklyReport;
        if (!o.Enabled) return 0;
        var now = clock.GetUtcNow();
        var (asOf, at) = LatestDue(o, now);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string figures = """
            select c.id as CampaignId,
                   count(i.id)::int as Total,
                   (count(*) filter (where i.state = 'closed'))::int as Closed,
                   (count(*) filter (where i.state not in ('closed', 'draft')))::int as InProgress,
                   (count(*) filter (where i.state not in ('closed', 'draft') and not i.ongoing and i.effective_deadline < @asOf))::int as Overdue,
                   (count(*) filter (where i.state not in ('closed', 'draft') and i.escalation_level <> 'none'))::int as Escalated,
                   (count(*) filter (where i.state not in ('closed', 'draft') and not i.ongoing
                                     and i.effective_deadline between @asOf and @asOf + 7))::int as DueWithinWeek,
                   (count(*) filter (where i.state = 'closed' and i.closed_at > @weekStart and i.closed_at <= @at))::int as ClosedThisWeek
            from campaigns c
            left join items i on i.campaign_id = c.id and i.state <> 'draft'
            where c.state = 'active' and c.launched_at <= @at
            group by c.id
            """;
        var campaigns = (await connection.QueryAsync<Figures>(new CommandDefinition(figures,
            new { asOf, at, weekStart = at.AddDays(-7) }, tx, cancellationToken: ct))).ToList();
        if (campaigns.Count == 0) return 0;
        const string contacts = """
            select c.id as CampaignId, p.id as PersonId
            from campaigns c join people p on p.unit_code = c.issued_by_unit and p.is_unit_contact
            where c.id = any(@ids)
            """;
        var recipients = (await connection.QueryAsync<(Guid CampaignId, Guid PersonId)>(new CommandDefinition(contacts,
            new { ids = campaigns.Select(c => c.CampaignId).ToArray() }, tx, cancellationToken: ct))).ToLookup(r => r.CampaignId, r => r.PersonId);
        var requests = new List<NotificationRequest>();
        foreach (var c in campaigns)
        {
            var message = new WeeklyReportMessage(new CampaignRef(c.CampaignId), asOf, c.Total, c.Closed, c.InProgress, c.Overdue,
                c.Escalated, c.DueWithinWeek, c.ClosedThisWeek)
            { DueAt = at };
            requests.AddRange(recipients[c.CampaignId].Select(p => new NotificationRequest(SubjectKey(c.CampaignId, asOf), message, p, now, false)));
        }
        var written = await outbox.EnqueueAsync(connection, tx, requests, now, ct);
        await tx.CommitAsync(ct);
        if (written > 0) logger.LogInformation("Weekly progress reports of {Date}: {Rows} messages", asOf, written);
        return written;
    }

    public sealed record Figures(Guid CampaignId, int Total, int Closed, int InProgress, int Overdue, int Escalated, int DueWithinWeek, int ClosedThisWeek);
}
