using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Chaos;

/// <summary>
/// What must have fired, worked out from the campaign's pinned definition and the working-day calendar — not from
/// the timers table, which is what is under test.
/// </summary>
internal static class Expectations
{
    private sealed record ItemFacts(DateTime AssignedAt, DateOnly? EffectiveDeadline, string TimeZone);

    public static async Task<long> ItemTimersAsync(NpgsqlConnection connection, Guid campaignId, DateTimeOffset finalTime)
    {
        var json = await connection.ExecuteScalarAsync<string>("""
            select d.definition::text from campaigns c
            join workflow_definitions d on d.id = c.workflow_id and d.version = c.workflow_version
            where c.id = @campaignId
            """, new { campaignId });
        var definition = JsonSerializer.Deserialize<WorkflowDefinition>(json!, WorkflowDefinition.Json)!;
        var days = await connection.QueryAsync<(DateOnly Day, string Kind, string Name)>("select day, kind, name from calendar_days");
        var calendar = new CalendarSnapshot(days.Select(d => new CalendarDay(d.Day, d.Kind, d.Name)), 0);
        var items = await connection.QueryAsync<ItemFacts>("""
            select i.assigned_at as AssignedAt, i.effective_deadline as EffectiveDeadline, c.time_zone as TimeZone
            from items i join campaigns c on c.id = i.campaign_id where i.campaign_id = @campaignId
            """, new { campaignId });
        long expected = 0;
        foreach (var item in items)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(item.TimeZone);
            var assigned = new DateTimeOffset(DateTime.SpecifyKind(item.AssignedAt, DateTimeKind.Utc));
            if (Schedule.AcknowledgeBy(definition, calendar, zone, assigned) <= finalTime) expected++;
            if (item.EffectiveDeadline is not { } deadline) continue;
            var steps = Schedule.DeadlineSteps(definition, calendar, zone, deadline, EscalationLevels.None);
            var first = Schedule.FirstStep(steps, EscalationLevels.None, assigned);
            if (first is null) continue;
            expected += steps.SkipWhile(s => s.Name != first.Name).Count(s => s.DueAt <= finalTime);
        }
        return expected;
    }
}
