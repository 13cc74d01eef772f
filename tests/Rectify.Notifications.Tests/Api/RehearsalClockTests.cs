using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Api;

/// <summary>
/// The controllable clock rehearses (issue 14 §5, API.md): one move a month ahead sends exactly what a month of daily
/// moves sends — the same idempotency keys, nothing skipped as late, nothing twice at the SMTP server. Two services on
/// two databases run the same campaign, one moved in one call, the other day by day.
/// </summary>
public sealed partial class RehearsalClockTests
{
    private static readonly DateTimeOffset Start = NotifyHost.MondayMorning; // Monday 2026-11-23 10:00 +08:00

    [Fact]
    public async Task MonthInOneMove_SendsWhatAMonthOfDailyMovesSends()
    {
        await using var once = new NotifyApp();
        await using var daily = new NotifyApp();
        await once.InitializeAsync();
        await daily.InitializeAsync();
        var admins = (await once.AdminAsync(), await daily.AdminAsync());
        await CampaignAsync(once, admins.Item1);
        await CampaignAsync(daily, admins.Item2);

        (await admins.Item1.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "P30D" })).EnsureSuccessStatusCode();
        for (var day = 1; day <= 30; day++)
            (await admins.Item2.PostAsJsonAsync("/api/admin/clock", new { advanceBy = "P1D" })).EnsureSuccessStatusCode();

        var keysOnce = await SentKeysAsync(once);
        var keysDaily = await SentKeysAsync(daily);
        keysOnce.Count.ShouldBeGreaterThan(30);
        // What a month brings: reminders before the deadline, the unacknowledged reminder, every step of the ladder,
        // the periodic report and its escalation, deliverables, phases.
        keysOnce.ShouldContain(k => k.Contains(":reminder:unacknowledged:", StringComparison.Ordinal));
        keysOnce.ShouldContain(k => k.Contains(":reminder:T-1:", StringComparison.Ordinal));
        keysOnce.ShouldContain(k => k.Contains(":escalation:admonitoryTalk:", StringComparison.Ordinal));
        keysOnce.ShouldContain(k => k.Contains(":periodic:", StringComparison.Ordinal) && k.Contains(":reminder:", StringComparison.Ordinal));
        keysOnce.ShouldContain(k => k.StartsWith("deliverable:", StringComparison.Ordinal));
        keysOnce.ShouldContain(k => k.Contains(":phase:", StringComparison.Ordinal));
        keysOnce.Except(keysDaily).ShouldBeEmpty("sent by the one move only");
        keysDaily.Except(keysOnce).ShouldBeEmpty("sent by the daily moves only");

        foreach (var app in new[] { once, daily })
        {
            var emails = await app.Seed.ScalarAsync<long>("select count(*) from outbox where channel = 'email' and status = 'sent'");
            var mail = await app.Smtp.WaitForAsync((int)emails);
            mail.GroupBy(m => m.IdempotencyKey).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("delivered twice");
            mail.Count.ShouldBe((int)emails);
            (await app.Seed.ScalarAsync<long>("select count(*) from journal where data->>'outcome' = 'late'")).ShouldBe(0);
        }
    }

    /// <summary>The same organisation and campaign on each service: two items with deadlines, an ongoing weekly item, four phases.</summary>
    private static async Task CampaignAsync(NotifyApp app, HttpClient admin)
    {
        async Task Unit(string code, string name, string kind) =>
            (await admin.PostAsJsonAsync("/api/units", new { code, name, kind })).EnsureSuccessStatusCode();
        async Task<Guid> Person(string name, string unit, bool contact) =>
            (await (await admin.PostAsJsonAsync("/api/people", new { name, unitCode = unit, isUnitContact = contact, email = $"{unit}.{name.Length}{contact}@example.cn" }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Unit("rlgo", "县整改领导小组办公室", "leadingGroup");
        await Unit("rdcs", "县委督查室", "supervisionOffice");
        await Unit("rua", "县扶贫办", "department");
        await Unit("rub", "城关镇", "township");
        await Person("王办公", "rlgo", true);
        await Person("李督查", "rdcs", true);
        await Person("张联络", "rua", true);
        await Person("赵联络", "rub", true);
        var leader = await Person("陈副县长", "rlgo", false);
        var campaign = (await (await admin.PostAsJsonAsync("/api/campaigns", new
        {
            title = "演练整改", issuedByUnit = "rlgo", supervisionUnit = "rdcs", timeZone = "Asia/Shanghai", workflow = new { id = "rectification-campaign" },
            phases = new object[]
            {
                new { key = "plan", start = "2026-11-23", end = "2026-11-27" }, new { key = "rectify", start = "2026-11-28", end = "2026-12-18" },
                new { key = "report", start = "2026-12-19", end = "2026-12-31" },
            },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var item in new object[]
        {
            new { number = "1", title = "台账不清", leadUnit = "rua", units = new[] { "rua", "rub" }, deadline = "2026-11-27", ongoing = false, responsibleLeaderId = leader },
            new { number = "2", title = "整改迟缓", leadUnit = "rub", units = new[] { "rub" }, deadline = "2026-12-10", ongoing = false, responsibleLeaderId = leader },
            new { number = "3", title = "长效机制", leadUnit = "rua", units = new[] { "rua" }, deadline = (string?)null, ongoing = true, reportEvery = "P1W", responsibleLeaderId = leader },
        })
            (await admin.PostAsJsonAsync($"/api/campaigns/{campaign}/items", item)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Every outbox key once the dispatcher has nothing left to send, with ids replaced by what they name (item number,
    /// person, deliverable kind and unit), so the keys of two databases compare.
    /// </summary>
    private static async Task<HashSet<string>> SentKeysAsync(NotifyApp app)
    {
        await app.Seed.WaitForAsync("", r => r.Status is "sent" or "dead", TimeSpan.FromMinutes(2));
        var names = new Dictionary<string, string>();
        foreach (var (id, name) in await app.Seed.RowsAsync<(Guid, string)>("""
            select id, 'item#' || number from items union all select id, 'person:' || name from people
            union all select id, 'deliverable:' || kind || '@' || unit_code from deliverables union all select id, 'campaign' from campaigns
            """))
            names[id.ToString()] = name;
        var keys = await app.Seed.RowsAsync<string>("select idempotency_key from outbox");
        return keys.Select(k => Ids().Replace(k, m => names.GetValueOrDefault(m.Value, m.Value))).ToHashSet();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Ids();
}
