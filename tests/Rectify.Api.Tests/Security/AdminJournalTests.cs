using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

public sealed class AdminJournalApp : RectifyApp;

/// <summary>
/// Every administrative change — units, people, users, the calendar, workflow definitions — leaves a row in the
/// (append-only) administrative journal naming who made it and when.
/// </summary>
public sealed class AdminJournalTests(AdminJournalApp app) : IClassFixture<AdminJournalApp>
{
    private sealed record Entry(string Actor, string Action, string Entity, string EntityId, DateTime At);

    [Fact]
    public async Task EveryAdministrativeChange_IsJournaledWithActorAndTime()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("aj-lg", "审计县领导小组办公室", "leadingGroup");
        await org.UserAsync("aj-office", "leadingGroup", "aj-lg");
        var office = await app.ClientAsAsync("aj-office", "Passw0rd!x");
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);

        (await office.PostAsJsonAsync("/api/units", new { code = "aj-sj", name = "县审计局", kind = "department" })).EnsureSuccessStatusCode();
        (await office.PutAsJsonAsync("/api/units/aj-sj", new { name = "县审计局（更名）", kind = "department" })).EnsureSuccessStatusCode();
        var person = (await (await office.PostAsJsonAsync("/api/people", new { name = "审计联络员", unitCode = "aj-sj", isUnitContact = true }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        (await office.PutAsJsonAsync($"/api/people/{person}", new { name = "审计联络员", unitCode = "aj-sj", isUnitContact = false })).EnsureSuccessStatusCode();
        var user = (await (await admin.PostAsJsonAsync("/api/users", new { userName = "aj-unit", password = "Passw0rd!x", role = "unit", unitCode = "aj-sj" }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").ToString();
        (await office.PutAsJsonAsync("/api/calendar/days/2026-07-01", new { kind = "holiday", name = "审计测试假日" })).EnsureSuccessStatusCode();
        (await office.DeleteAsync("/api/calendar/days/2026-07-01")).EnsureSuccessStatusCode();
        var latest = await (await office.GetAsync("/api/workflow-definitions/rectification-campaign")).JsonAsync();
        var definition = JsonNode.Parse(latest.GetProperty("definition").GetRawText())!;
        definition["name"] = definition["name"]!.GetValue<string>() + "（审计测试版）";
        // Publishing is the administrator's (docs/adr/0500-definition-governance.md).
        var published = await (await admin.PostAsync("/api/workflow-definitions", JsonContent.Create(definition)))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);

        await using var db = app.Database.CreateDataSource();
        await using var connection = await db.OpenConnectionAsync();
        var entries = (await connection.QueryAsync<Entry>(
            "select actor, action, entity, entity_id as EntityId, at from admin_journal where at >= @started order by id", new { started })).ToList();
        var finished = DateTimeOffset.UtcNow.AddSeconds(1);

        Entry Find(string entity, string entityId, int nth = 0) =>
            entries.Where(e => e.Entity == entity && e.EntityId == entityId).ElementAtOrDefault(nth)
            ?? throw new ShouldAssertException($"no journal row #{nth + 1} for {entity} {entityId}; rows: {JsonSerializer.Serialize(entries)}");
        var changes = new[]
        {
            Find("unit", "aj-sj"), Find("unit", "aj-sj", 1), Find("person", person.ToString()), Find("person", person.ToString(), 1),
            Find("calendarDay", "2026-07-01"), Find("calendarDay", "2026-07-01", 1),
        };
        foreach (var change in changes)
        {
            change.Actor.ShouldBe("aj-office");
            new DateTimeOffset(DateTime.SpecifyKind(change.At, DateTimeKind.Utc)).ShouldBeInRange(started, finished);
        }
        Find("user", user).Actor.ShouldBe("admin");
        Find("workflowDefinition", $"rectification-campaign@{published.GetProperty("version").GetInt32()}").Actor.ShouldBe("admin");
        changes.Select(c => c.Action).Distinct().Count().ShouldBeGreaterThan(2, "creations, updates and deletions are told apart");
    }
}
