using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Rectify.Api.Tests.Documents;
using Rectify.Api.Tests.Import;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.CalendarFeeds;

public sealed class CalendarFeedTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private sealed record Event(string Uid, string Start, string Summary, int Sequence, string LastModified, string Description);

    private static List<Event> Events(string ics)
    {
        var unfolded = ics.Replace("\r\n ", "");
        return Regex.Matches(unfolded, "BEGIN:VEVENT\r\n(.*?)END:VEVENT", RegexOptions.Singleline).Select(m =>
        {
            var props = m.Groups[1].Value.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
                .Select(l => (Key: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..])).ToDictionary(p => p.Key, p => p.Value);
            return new Event(props["UID"], props["DTSTART;VALUE=DATE"], props["SUMMARY"], int.Parse(props["SEQUENCE"], System.Globalization.CultureInfo.InvariantCulture),
                props["LAST-MODIFIED"], props["DESCRIPTION"]);
        }).ToList();
    }

    [Fact]
    public async Task UnitFeed_ListsOpenDeadlines_UpdatesAfterAnExtension()
    {
        var admin = await app.AdminAsync();
        var campaign = await LedgerTests.CampaignWithHistoryAsync(app, admin, "日历测试整改");
        var response = await admin.GetAsync("/api/units/czj/deadlines.ics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/calendar");
        var ics = await response.Content.ReadAsStringAsync();
        ics.ShouldStartWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        ics.ShouldContain("X-WR-CALNAME:县财政局 整改时限\r\n");
        // czj leads item 3 (open, 2018-05-31) and item 4 (ongoing: no date); it shares nothing closed.
        var events = Events(ics).Where(e => e.Description.Contains("日历测试整改")).ToList();
        var three = events.ShouldHaveSingleItem();
        three.Start.ShouldBe("20180531");
        three.Summary.ShouldBe("【整改时限】3. =1+2 资金拨付滞后");
        three.Description.ShouldContain("牵头单位：县财政局\\n责任单位：县扶贫办\\n状态：整改中");

        // An approved extension (the runtime moves effective_deadline and bumps the version): same UID, new date, higher SEQUENCE.
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.ExecuteAsync("""
                update items set effective_deadline = '2018-07-15', version = version + 1, updated_at = updated_at + interval '1 day'
                where campaign_id = @campaign and number = '3'
                """, new { campaign });
        }
        var after = Events(await admin.GetStringAsync("/api/units/czj/deadlines.ics")).Single(e => e.Uid == three.Uid);
        after.Start.ShouldBe("20180715");
        after.Sequence.ShouldBeGreaterThan(three.Sequence);
        string.CompareOrdinal(after.LastModified, three.LastModified).ShouldBeGreaterThan(0);
        after.Description.ShouldContain("原整改时限：2018-05-31，已延期至 2018-07-15");
    }

    [Fact]
    public async Task SubscriptionUrl_OpensTheFeedWithoutSignIn_UntilRotated()
    {
        var admin = await app.AdminAsync();
        await LedgerTests.CampaignWithHistoryAsync(app, admin, "订阅测试整改");
        (await admin.PostAsJsonAsync("/api/users", new { userName = "zfz-ics", password = "Unit@12345", role = "unit", unitCode = "zfz" })).EnsureSuccessStatusCode();
        var township = await app.ClientAsAsync("zfz-ics", "Unit@12345");
        var anonymous = app.CreateClient();

        (await anonymous.GetAsync("/api/units/zfz/deadlines.ics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await township.GetAsync("/api/units/czj/deadlines.ics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await township.PostAsync("/api/units/czj/calendar-feed", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await township.GetFromJsonAsync<JsonElement>("/api/units/zfz/calendar-feed")).GetProperty("subscribed").GetBoolean().ShouldBeFalse();

        var created = await (await township.PostAsync("/api/units/zfz/calendar-feed", null)).Content.ReadFromJsonAsync<JsonElement>();
        var url = new Uri(created.GetProperty("url").GetString()!);
        url.AbsolutePath.ShouldBe("/api/units/zfz/deadlines.ics");
        var viaToken = await anonymous.GetAsync(url.PathAndQuery);
        viaToken.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = Events(await viaToken.Content.ReadAsStringAsync());
        events.Select(e => e.Summary).ShouldContain("【整改时限】5. -会议多");
        (await township.GetFromJsonAsync<JsonElement>("/api/units/zfz/calendar-feed")).GetProperty("subscribed").GetBoolean().ShouldBeTrue();

        // The token opens only its own unit's feed.
        var token = url.Query.Split("token=")[1];
        (await anonymous.GetAsync($"/api/units/czj/deadlines.ics?token={token}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // Rotating invalidates the old URL; revoking ends the feed.
        var rotated = await (await admin.PostAsync("/api/units/zfz/calendar-feed", null)).Content.ReadFromJsonAsync<JsonElement>();
        (await anonymous.GetAsync(url.PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var newUrl = new Uri(rotated.GetProperty("url").GetString()!);
        (await anonymous.GetAsync(newUrl.PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await township.DeleteAsync("/api/units/zfz/calendar-feed")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await anonymous.GetAsync(newUrl.PathAndQuery)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/api/units/nosuch/deadlines.ics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PersonFeed_ShowsTheItemsTheLeaderLeads_AndTheUnitFeedItsDeliverables()
    {
        var admin = await app.AdminAsync();
        var campaign = await LedgerTests.CampaignWithHistoryAsync(app, admin, "领导日历整改");
        var people = await DocumentsSeed.OrganisationAsync(admin);
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.ExecuteAsync("update items set responsible_leader_id = @leader where campaign_id = @campaign and number in ('3', '5')",
                new { leader = people["李四"], campaign });
            // The runtime's deliverables (migration 0100); created here only while that branch is not merged.
            await connection.ExecuteAsync("""
                create table if not exists deliverables (
                    id uuid primary key, campaign_id uuid not null references campaigns(id) on delete cascade, kind text not null,
                    unit_code text not null references units(code), due_date date not null, state text not null default 'pending',
                    cycle int not null default 1, escalation_level text not null default 'none', submitted_at timestamptz,
                    accepted_at timestamptz, version int not null default 1, created_at timestamptz not null, updated_at timestamptz not null,
                    unique (campaign_id, kind, unit_code));
                insert into deliverables(id, campaign_id, kind, unit_code, due_date, created_at, updated_at)
                values (gen_random_uuid(), @campaign, 'unitPlan', 'czj', '2018-05-14', now(), now());
                """, new { campaign });
        }
        var leader = Events(await admin.GetStringAsync($"/api/people/{people["李四"]}/deadlines.ics")).Where(e => e.Description.Contains("领导日历整改")).ToList();
        // Item 2 is also led by 李四 in the problem list, but it is closed: only open deadlines are in a feed.
        leader.Select(e => e.Summary).ShouldBe(["【整改时限】3. =1+2 资金拨付滞后", "【整改时限】5. -会议多"]);
        var unit = Events(await admin.GetStringAsync("/api/units/czj/deadlines.ics"));
        var plan = unit.Single(e => e.Uid.StartsWith("deliverable-", StringComparison.Ordinal) && e.Description.Contains("领导日历整改"));
        plan.Start.ShouldBe("20180514");
        plan.Summary.ShouldBe("【应报材料】单位整改方案");
        (await app.CreateClient().GetAsync($"/api/people/{people["李四"]}/deadlines.ics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
