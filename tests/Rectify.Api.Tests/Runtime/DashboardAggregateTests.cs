using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Pages.Campaigns;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// Issue 17: an office's dashboard is read from the maintained aggregate (item_dashboard_counts, kept by statement
/// triggers on items) and the per-unit figures are counted by the database. After a mixed life — launch, signing,
/// completion, closure, reopening, withdrawal, a supplementary item, an extension, reassignment — both must give exactly
/// what a count from scratch gives. The launch counts the campaign once after its update instead of through the update
/// triggers (migration 0994): the checks after it hold that recount to the same rules, and the later ones hold the
/// triggers, which must be back in force for every statement after the launch's update.
/// </summary>
public sealed class DashboardAggregateTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    [Fact]
    public async Task Aggregate_AfterAMixedScenario_EqualsARecountFromScratch_AndUnitFiguresEqualThePerPartRules()
    {
        var org = await Org.CreateAsync(app, "dag");
        (await org.Admin.PostAsJsonAsync("/api/units", new { code = "dagc", name = "章凤镇", kind = "township" })).EnsureSuccessStatusCode();
        (await org.Admin.PostAsJsonAsync("/api/people", new { name = "孙联络", unitCode = "dagc", isUnitContact = true, email = "dagc@example.cn" })).EnsureSuccessStatusCode();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        object Item(string title, string deadline, string? source = null, bool withB = true) => new
        {
            title, leadUnit = org.UnitACode, units = withB ? new[] { org.UnitACode, org.UnitBCode } : [org.UnitACode], deadline, ongoing = false,
            responsibleLeaderId = org.Leader, source,
        };
        var (campaign, ids) = await org.CampaignAsync(
        [
            Item("饮用水源地整治", "2026-06-10", "审计"), Item("垃圾填埋场渗滤液", "2026-06-12"), Item("农村危房改造", "2026-06-22", "媒体"),
            Item("黑臭水体", "2026-06-10", withB: false), Item("违规占用林地", "2026-07-31", "审计"), Item("畜禽养殖污染", "2026-06-15"),
            Item("河道采砂", "2026-06-12"),
        ], title: "聚合整改");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        await AssertAggregateAsync(campaign, "after the launch");

        // Signing, one unit's part completed, closure with evidence.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 2, 9));
        foreach (var id in ids.Take(3)) (await Send(org.UnitA, id, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, ids[0], new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, ids[0], new { type = "complete", note = "本镇部分已完成" })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, ids[5], new { type = "acknowledge" })).EnsureSuccessStatusCode();
        var pdf = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7 x"u8.ToArray()), "file", "佐证.pdf" } };
        var evidence = (await (await org.UnitA.PostAsync($"/api/items/{ids[0]}/attachments", pdf)).JsonAsync()).GetProperty("id").GetGuid();
        (await Send(org.UnitA, ids[0], new { type = "requestClosure", note = "已整改", attachmentIds = new[] { evidence } })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, ids[0], new { type = "approveClosure" })).EnsureSuccessStatusCode();
        await AssertAggregateAsync(campaign, "after signing and a closure");

        // A supplementary item, a withdrawal, an extension, a reassignment (B off, C on).
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 3, 15));
        var supplementary = (await (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", Item("补充：饮水安全台账不实", "2026-06-11", "媒体")))
            .EnsureSuccessStatusCode().JsonAsync()).GetProperty("id").GetGuid();
        (await Send(org.Lgo, ids[3], new { type = "withdraw", note = "与第1项重复，并入第1项整改" })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, ids[1], new { type = "requestExtension", note = "资金未到位", newDeadline = "2026-07-15" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, ids[1], new { type = "approveExtension", note = "同意" })).EnsureSuccessStatusCode();
        (await org.Lgo.PutAsJsonAsync($"/api/items/{ids[2]}", new
        {
            title = "农村危房改造（含章凤镇）", leadUnit = org.UnitACode, units = new[] { org.UnitACode, "dagc" }, deadline = "2026-06-22", ongoing = false,
            responsibleLeaderId = org.Leader, note = "测试镇无此类问题，改由章凤镇承担", source = "媒体",
        })).EnsureSuccessStatusCode();
        await AssertAggregateAsync(campaign, "after the changes after launch");

        // Past several deadlines (the ladder fires), then a reopening of the closed item with a new deadline.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 18, 10));
        (await Send(org.Dcs, ids[0], new { type = "reopen", note = "回头看发现反弹", newDeadline = "2026-06-30" })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, supplementary, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        await AssertAggregateAsync(campaign, "past the deadlines, after a reopening");

        // An escalated item led by another unit from now on: its escalations count for the new lead unit.
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
            (await connection.ExecuteScalarAsync<int>("select count(*) from escalations where item_id = @item", new { item = ids[5] }))
                .ShouldBeGreaterThan(0);
        (await org.Lgo.PutAsJsonAsync($"/api/items/{ids[5]}", new
        {
            title = "畜禽养殖污染", leadUnit = "dagc", units = new[] { "dagc", org.UnitACode, org.UnitBCode }, deadline = "2026-06-15",
            ongoing = false, responsibleLeaderId = org.Leader, note = "改由章凤镇牵头",
        })).EnsureSuccessStatusCode();
        await AssertAggregateAsync(campaign, "after a change of lead unit");

        // A later day, everything late: the figures still agree (today is applied when read).
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 29, 10));
        await AssertAggregateAsync(campaign, "late in the campaign");
        var dashboard = await DashboardsAsync(campaign);
        dashboard.Aggregate.OverdueCount.ShouldBeGreaterThan(0);
        dashboard.Aggregate.LateUnits.ShouldNotBeEmpty();
        dashboard.Aggregate.BySource.ShouldNotBeEmpty();

        // A changed time zone moves the local dates: the campaign is counted again.
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("update campaigns set time_zone = 'America/Los_Angeles' where id = @campaign", new { campaign });
            (await SnapshotAsync(connection, campaign)).ShouldBe(await RecountAsync(connection, campaign), "after a change of time zone");
            (await UnitSnapshotAsync(connection, campaign)).ShouldBe(await UnitRecountAsync(connection, campaign), "unit rows after a change of time zone");
            await connection.ExecuteAsync("update campaigns set time_zone = 'Asia/Shanghai' where id = @campaign", new { campaign });
        }
    }

    private async Task AssertAggregateAsync(Guid campaign, string when)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        (await SnapshotAsync(connection, campaign)).ShouldBe(await RecountAsync(connection, campaign), $"aggregate rows {when}");
        (await UnitSnapshotAsync(connection, campaign)).ShouldBe(await UnitRecountAsync(connection, campaign), $"unit aggregate rows {when}");
        (await StatsSnapshotAsync(connection, campaign)).ShouldBe(await StatsCountAsync(connection, campaign), $"statistics rows {when}");
        (await connection.ExecuteScalarAsync<int>("""
            select count(*) from escalations e join items i on i.id = e.item_id
            where e.campaign_id = @campaign and e.lead_unit is distinct from i.lead_unit
            """, new { campaign })).ShouldBe(0, $"escalations carry their item's lead unit {when}");
        var todayHere = ItemStatus.LocalToday(app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), "Asia/Shanghai");
        var admin = new CurrentUser(Guid.NewGuid(), "admin", Roles.Admin, null, null);
        var scanned = await ReportFigures.ForCampaignAsync(connection, campaign, admin, todayHere, CancellationToken.None);
        var maintained = await ReportFigures.ForTodayAsync(connection, campaign, todayHere, CancellationToken.None);
        (maintained.Summary, maintained.Ongoing).ShouldBe((scanned.Summary, scanned.Ongoing), $"report figures {when}");
        maintained.ByUnit.ShouldBe(scanned.ByUnit, $"report figures by unit {when}");
        maintained.BySource.ShouldBe(scanned.BySource, $"report figures by source {when}");

        var (aggregate, counted) = await DashboardsAsync(campaign);
        aggregate.Today.ShouldBe(counted.Today, when);
        (aggregate.Red, aggregate.Yellow, aggregate.Green).ShouldBe((counted.Red, counted.Yellow, counted.Green), $"lights {when}");
        aggregate.OverdueCount.ShouldBe(counted.OverdueCount, $"overdue count {when}");
        aggregate.Overdue.Select(o => (o.Item.Id, o.Days)).ShouldBe(counted.Overdue.Take(CampaignDashboard.OverdueShown).Select(o => (o.Item.Id, o.Days)), $"overdue list {when}");
        aggregate.LateUnits.ShouldBe(counted.LateUnits, $"late units {when}");
        aggregate.ByLeadUnit.ShouldBe(counted.ByLeadUnit, $"by lead unit {when}");
        aggregate.Series.ShouldBe(counted.Series, $"series {when}");
        aggregate.BySource.ShouldBe(counted.BySource, $"by source {when}");

        // The per-unit figures counted by the database equal the per-part rules applied to every assignment.
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var today = ItemStatus.LocalToday(now, "Asia/Shanghai");
        var calendar = await WorkingCalendar.ReadAsync(connection, CancellationToken.None);
        static string Show(UnitRecord r) => string.Join("|", r.Unit, r.Assigned, r.Acknowledged, r.Completed, r.Overdue, r.ClosedOnTime, r.ClosedLate,
            r.OverdueDays, r.MissedReports, string.Join(",", r.LevelsReached.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        var bySql = (await AssignmentFacts.RecordsAsync(connection, campaign, today, calendar, CancellationToken.None)).Select(Show).Order(StringComparer.Ordinal);
        var byParts = UnitRecords.From(await AssignmentFacts.LoadAsync(connection, campaign, CancellationToken.None), today, calendar).Select(Show).Order(StringComparer.Ordinal);
        bySql.ShouldBe(byParts, $"unit records {when}");
    }

    private async Task<(CampaignDashboard Aggregate, CampaignDashboard Counted)> DashboardsAsync(Guid campaign)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var admin = new CurrentUser(Guid.NewGuid(), "admin", Roles.Admin, null, null);
        var aggregate = await CampaignDashboard.LoadAsync(connection, campaign, "Asia/Shanghai", [], admin, now, CancellationToken.None);
        var counted = await CampaignDashboard.CountedAsync(connection, campaign, "Asia/Shanghai", [], admin, now, CancellationToken.None);
        return (aggregate, counted);
    }

    private static async Task<List<string>> SnapshotAsync(NpgsqlConnection connection, Guid campaign) =>
        (await connection.QueryAsync<string>("""
            select concat_ws('|', kind, state, unit, deadline, day1, day2, at, source, sum(n)) from item_dashboard_counts
            where campaign_id = @campaign group by kind, state, unit, deadline, day1, day2, at, source having sum(n) <> 0
            order by 1
            """, new { campaign })).ToList();

    /// <summary>The aggregate of the campaign counted again from its items (in a transaction rolled back: the table is left as the triggers made it).</summary>
    private static async Task<List<string>> RecountAsync(NpgsqlConnection connection, Guid campaign)
    {
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("select item_dashboard_rebuild(@campaign)", new { campaign }, tx);
        var rows = (await connection.QueryAsync<string>("""
            select concat_ws('|', kind, state, unit, deadline, day1, day2, at, source, sum(n)) from item_dashboard_counts
            where campaign_id = @campaign group by kind, state, unit, deadline, day1, day2, at, source having sum(n) <> 0
            order by 1
            """, new { campaign }, tx)).ToList();
        await tx.RollbackAsync();
        rows.ShouldNotBeEmpty();
        return rows;
    }

    private static async Task<List<string>> StatsSnapshotAsync(NpgsqlConnection connection, Guid campaign) =>
        (await connection.QueryAsync<string>("""
            select concat_ws('|', state, effective_deadline, closed_late, sum(n)) from item_stat_counts where campaign_id = @campaign
            group by state, effective_deadline, closed_late having sum(n) <> 0 order by 1
            """, new { campaign })).ToList();

    /// <summary>
    /// The statistics' key counted from the items here, by the rule 0901 states (closed late: closed after the deadline,
    /// local date).
    /// </summary>
    private static async Task<List<string>> StatsCountAsync(NpgsqlConnection connection, Guid campaign) =>
        (await connection.QueryAsync<string>("""
            select concat_ws('|', state, effective_deadline, late, count(*)) from (
                select i.state, i.effective_deadline,
                       case when i.state = 'closed' then (i.closed_at at time zone c.time_zone)::date > i.effective_deadline end as late
                from items i join campaigns c on c.id = i.campaign_id where i.campaign_id = @campaign) x
            group by state, effective_deadline, late order by 1
            """, new { campaign })).ToList();

    private const string UnitRows = """
        select concat_ws('|', unit, is_lead, acknowledged, completed, item_open, deadline, completed_on, sum(n), sum(missed_reports), sum(urge),
                         sum(supervision_letter), sum(listed_supervision), sum(admonitory_talk))
        from assignment_unit_counts where campaign_id = @campaign
        group by unit, is_lead, acknowledged, completed, item_open, deadline, completed_on
        having sum(n) <> 0 or sum(missed_reports) <> 0 or sum(urge) <> 0 or sum(supervision_letter) <> 0 or sum(listed_supervision) <> 0
            or sum(admonitory_talk) <> 0
        order by 1
        """;

    private static async Task<List<string>> UnitSnapshotAsync(NpgsqlConnection connection, Guid campaign) =>
        (await connection.QueryAsync<string>(UnitRows, new { campaign })).ToList();

    /// <summary>The per-unit aggregate counted again from the campaign's assignments (in a transaction rolled back).</summary>
    private static async Task<List<string>> UnitRecountAsync(NpgsqlConnection connection, Guid campaign)
    {
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("select assignment_counts_rebuild(@campaign)", new { campaign }, tx);
        var rows = (await connection.QueryAsync<string>(UnitRows, new { campaign }, tx)).ToList();
        await tx.RollbackAsync();
        rows.ShouldNotBeEmpty();
        return rows;
    }
}
