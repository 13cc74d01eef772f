using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.TestSupport;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Tests.Runtime;

/// <summary>
/// The list's light filter (issue 17: yellow from the maintained <c>yellow_from</c>, migration 0980) against
/// <see cref="ItemStatus.Light"/>: a grid of deadlines, assignment dates and days, an extension, a change of time zone.
/// </summary>
public sealed class LightFilterTests(RuntimeApp app) : IClassFixture<RuntimeApp>
{
    private static readonly DateOnly Base = new(2026, 6, 1);

    private static async Task<List<JsonElement>> AllAsync(HttpClient client, string query)
    {
        var items = new List<JsonElement>();
        string? next = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await (await client.GetAsync($"/api/items?{query}&pageSize=500{(next is null ? "" : "&after=" + next)}"))
                .ShouldHaveStatusAsync(HttpStatusCode.OK);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
            if (next is null || !query.Contains("campaignId", StringComparison.Ordinal)) break;
        }
        return items;
    }

    private static async Task<Dictionary<string, string>> LightsAsync(HttpClient client, Guid campaign, string? extra = null)
    {
        var lights = new Dictionary<string, string>();
        foreach (var light in new[] { ItemStatus.Red, ItemStatus.Yellow, ItemStatus.Green })
        {
            foreach (var item in await AllAsync(client, $"campaignId={campaign}&light={light}{extra}"))
            {
                item.Str("light").ShouldBe(light, $"item {item.Str("title")} listed under light={light}");
                lights.Add(item.Str("id"), light);
            }
        }
        return lights;
    }

    [Fact]
    public async Task LightFilter_AgreesWithItemStatusLight_OverAGridOfDeadlinesAssignmentsAndDays()
    {
        var org = await Org.CreateAsync(app, "lfg");
        var (campaign, _) = await org.CampaignAsync([]);
        // Deadlines 0–40 days after the base date, assigned 40, 30, 20, 10, 5, 2 or 0 days before it (10:00 local) or not
        // at all; a few more: closed, still unsigned after the acknowledgement's due time, signed after it.
        var grid = (from d in Enumerable.Range(0, 41)
                    from a in new int?[] { null, -40, -30, -20, -10, -5, -2, 0 }
                    select (Deadline: Base.AddDays(d), Assigned: a is { } x ? Base.AddDays(x) : (DateOnly?)null)).ToList();
        await app.QueryAsync<int>("""
            update campaigns set state = 'active', launched_at = now() where id = @campaign;
            insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state, assigned_at)
            select gen_random_uuid(), @campaign, g.n, 'G' || g.n, '网格' || g.n, @ua, array[@ua, @ub], g.d, g.d,
                   case when g.n % 53 = 0 then 'closed' else 'inProgress' end,
                   (g.a + time '10:00') at time zone 'Asia/Shanghai'
            from unnest(@deadlines, @assigned) with ordinality g(d, a, n);
            update assignments set state = 'inProgress' where item_id in (select id from items where campaign_id = @campaign);
            select 0;
            """, new
        {
            campaign, ua = org.UnitACode, ub = org.UnitBCode,
            deadlines = grid.Select(g => g.Deadline).ToArray(), assigned = grid.Select(g => g.Assigned).ToArray(),
        });
        // Unacknowledged too long: an item still 'assigned', and an item in progress with one part unsigned; signed in time: none.
        var unsignedItem = await app.QueryAsync<Guid>(
            "update items set state = 'assigned', ack_due_at = @due where campaign_id = @campaign and seq = 5 returning id",
            new { campaign, due = RuntimeApp.Local(2026, 5, 20).ToUniversalTime() });
        var unsignedPart = await app.QueryAsync<Guid>("""
            with i as (update items set ack_due_at = @due where campaign_id = @campaign and seq = 6 returning id)
            update assignments a set state = 'assigned' from i where a.item_id = i.id and a.unit_code = @ub returning a.item_id
            """, new { campaign, due = RuntimeApp.Local(2026, 5, 20).ToUniversalTime(), ub = org.UnitBCode });
        var rows = await app.RowsAsync<(Guid Id, string State, DateOnly Deadline, DateTime? AssignedAt, DateTime? AckDueAt)>(
            "select id, state, effective_deadline, assigned_at, ack_due_at from items where campaign_id = @campaign", new { campaign });
        rows.Count.ShouldBe(grid.Count);

        var checkedCells = 0;
        foreach (var day in new[] { -1, 0, 3, 7, 10, 15, 22, 28, 33, 36, 39, 40, 41 })
        {
            var now = RuntimeApp.Local(2026, 6, 1, 15).AddDays(day);
            await org.SetClockAsync(now);
            var today = ItemStatus.LocalToday(now, "Asia/Shanghai");
            var lights = await LightsAsync(org.Lgo, campaign);
            lights.Count.ShouldBe(rows.Count, $"each item under exactly one light on day {day}");
            foreach (var r in rows)
            {
                DateOnly? assignedOn =
                    r.AssignedAt is { } at ? ItemStatus.LocalToday(new DateTimeOffset(at, TimeSpan.Zero), "Asia/Shanghai") : null;
                var unacknowledged = r.AckDueAt is { } due && new DateTimeOffset(due, TimeSpan.Zero) <= now
                    && (r.Id == unsignedItem || r.Id == unsignedPart);
                var expected = ItemStatus.Light(r.State, r.Deadline, assignedOn, unacknowledged, today);
                lights[r.Id.ToString()].ShouldBe(expected, $"day {day}: deadline {r.Deadline}, assigned {assignedOn}, state {r.State}");
                checkedCells++;
            }
            // The totals say the same, and the list across campaigns (each campaign's own date per row) agrees.
            foreach (var light in new[] { ItemStatus.Red, ItemStatus.Yellow, ItemStatus.Green })
            {
                var page = await (await org.Lgo.GetAsync($"/api/items?campaignId={campaign}&light={light}&pageSize=1"))
                    .ShouldHaveStatusAsync(HttpStatusCode.OK);
                page.GetProperty("total").GetInt64().ShouldBe(lights.Values.Count(l => l == light));
                var across = (await AllAsync(org.Lgo, $"light={light}")).Where(i => i.Str("campaignId") == campaign.ToString()).ToList();
                across.Select(i => i.Str("id")).Order().ShouldBe(lights.Where(l => l.Value == light).Select(l => l.Key).Order());
            }
        }
        checkedCells.ShouldBeGreaterThan(4000);
    }

    [Fact]
    public async Task AnExtension_MovesTheItemFromYellowToGreen()
    {
        var org = await Org.CreateAsync(app, "lfe");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("延期的问题", "2026-06-22")]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        foreach (var unit in new[] { org.UnitA, org.UnitB })
            (await unit.PostAsJsonAsync($"/api/items/{items[0]}/events", new { type = "acknowledge" })).EnsureSuccessStatusCode();
        // 1–22 June: 22 days; on the 17th 6 are left (6 <= 6.6): yellow; the 16th green.
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 16, 10));
        (await LightsAsync(org.Lgo, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Green);
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 17, 10));
        (await LightsAsync(org.Lgo, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Yellow);
        var extension = new { type = "requestExtension", note = "资金未到位", newDeadline = "2026-07-31" };
        (await org.UnitA.PostAsJsonAsync($"/api/items/{items[0]}/events", extension)).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/items/{items[0]}/events", new { type = "approveExtension", note = "同意" }))
            .EnsureSuccessStatusCode();
        // 1 June – 31 July: 61 days, 45 left: green, until 18 days are left (18 <= 18.3): yellow from 14 July.
        (await LightsAsync(org.Lgo, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Green);
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 13, 10));
        (await LightsAsync(org.Lgo, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Green);
        await org.SetClockAsync(RuntimeApp.Local(2026, 7, 14, 10));
        (await LightsAsync(org.Lgo, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Yellow);
        (await LightsAsync(org.UnitB, campaign))[items[0].ToString()].ShouldBe(ItemStatus.Yellow);
    }

    [Fact]
    public async Task AChangeOfTimeZone_MovesTheLocalDateOfAssignment_AndTheLight()
    {
        var org = await Org.CreateAsync(app, "lfz");
        var (campaign, _) = await org.CampaignAsync([]);
        // Assigned 10 June 02:00 in Shanghai (9 June 18:00 UTC), due 18 June. Shanghai: 9 days, yellow when 2 are left
        // (from the 17th); UTC: 10 days, yellow when 3 are left (from the 16th). Asked on the 16th at 20:00 Shanghai,
        // 12:00 UTC: the same date in both zones.
        var item = await app.QueryAsync<Guid>("""
            update campaigns set state = 'active', launched_at = now() where id = @campaign;
            insert into items(id, campaign_id, seq, title, lead_unit, units, deadline, effective_deadline, state, assigned_at)
            values (gen_random_uuid(), @campaign, 1, '凌晨交办', @ua, array[@ua], date '2026-06-18', date '2026-06-18', 'inProgress',
                    timestamptz '2026-06-10 02:00+08') returning id
            """, new { campaign, ua = org.UnitACode });
        await app.QueryAsync<int>("update assignments set state = 'inProgress' where item_id = @item; select 0", new { item });
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 16, 20));
        var shanghai = await LightsAsync(org.Lgo, campaign);
        shanghai[item.ToString()].ShouldBe(ItemStatus.Green);

        await app.QueryAsync<int>("update campaigns set time_zone = 'UTC' where id = @campaign; select 0", new { campaign });
        (await LightsAsync(org.Lgo, campaign))[item.ToString()].ShouldBe(ItemStatus.Yellow);
        (await AllAsync(org.Lgo, "light=yellow")).Select(i => i.Str("id")).ShouldContain(item.ToString());

        await app.QueryAsync<int>("update campaigns set time_zone = 'Asia/Shanghai' where id = @campaign; select 0", new { campaign });
        (await LightsAsync(org.Lgo, campaign))[item.ToString()].ShouldBe(ItemStatus.Green);
    }
}
