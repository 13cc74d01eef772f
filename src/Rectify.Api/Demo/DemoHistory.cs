using System.Globalization;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Demo;

/// <summary>
/// Brings the demo campaign to life: launched at the start of its plan phase, then months of history replayed in time
/// order through the real runtime — timers fire quietly up to each scripted event (journal and escalations, no messages
/// about the past), events are applied at their moment. What is still due afterwards goes through the ordinary sweep and
/// its catch-up policy, so a fresh demo notifies each overdue item once, at the level it has reached, and nobody gets a
/// burst of stale reminders. The mix: closed on time, closed late, extended, returned, reopened, overdue and escalated.
/// </summary>
public sealed class DemoHistory(NpgsqlDataSource db, TimeProvider clock, CampaignLauncher launcher, ItemEventService events, TimerSweeper sweeper, ILogger<DemoHistory> logger)
{
    private sealed record Scripted(string Number, int Month, int Day, int Hour, string Type, string? Note = null, string? NewDeadline = null, string? Actor = null);

    private static readonly Scripted[] Script =
    [
        new("1", 5, 11, 10, "acknowledge"), new("1", 5, 25, 15, "progress", "已召开专题会议，层层压实责任"),
        new("2", 5, 11, 9, "acknowledge"), new("2", 5, 20, 16, "progress", "已完成贫困户精准识别复核"),
        new("2", 6, 5, 10, "requestClosure", "复核整改完成，佐证材料见附件"), new("2", 6, 8, 15, "approveClosure", "核实无误，同意销号", Actor: "lgo"),
        new("3", 5, 12, 9, "acknowledge"), new("3", 5, 28, 11, "progress", "搬迁安置点建设进度 70%"),
        new("3", 6, 15, 10, "requestClosure", "安置点已竣工验收"), new("3", 6, 18, 16, "approveClosure", "逾期完成，同意销号", Actor: "lgo"),
        new("4", 5, 11, 11, "acknowledge"), new("4", 6, 1, 17, "progress", "已改造危房 126 户，剩余 41 户"),
        new("5", 5, 13, 15, "acknowledge"), new("5", 6, 5, 9, "requestExtension", "医保参保数据需与省平台核对", "2026-07-31"),
        new("5", 6, 6, 10, "approveExtension", "同意延期至 7 月 31 日", Actor: "lgo"),
        new("5", 7, 27, 10, "requestClosure", "参保率达 98.6%，重点人群 100%"), new("5", 7, 28, 15, "approveClosure", "同意销号", Actor: "lgo"),
        new("6", 5, 11, 14, "acknowledge"), new("6", 6, 9, 10, "requestClosure", "控辍保学已落实"),
        new("6", 6, 11, 10, "returnClosure", "佐证材料不足，请补充劝返学生名单及到校证明", Actor: "lgo"),
        new("7.1", 5, 11, 9, "acknowledge"), new("7.1", 5, 30, 10, "progress", "产业扶持资金已下达"),
        new("7.1", 6, 9, 16, "requestClosure", "产业扶持项目全部落地"), new("7.1", 6, 10, 17, "approveClosure", "同意销号", Actor: "lgo"),
        new("7.2", 5, 12, 10, "acknowledge"), new("7.2", 7, 15, 10, "progress", "已培训 1 200 人次，转移就业 860 人"),
        new("7.2", 9, 25, 10, "requestClosure", "培训与转移就业目标完成"), new("7.2", 9, 28, 15, "approveClosure", "同意销号", Actor: "lgo"),
        new("9", 5, 14, 9, "acknowledge"), new("9", 6, 20, 10, "requestClosure", "道路硬化工程完工"),
        new("10", 5, 11, 10, "acknowledge"), new("10", 6, 24, 10, "requestClosure", "驻村工作队考勤制度已建立"),
        new("10", 6, 25, 15, "approveClosure", "同意销号", Actor: "lgo"),
        new("10", 8, 20, 10, "reopen", "回头看发现部分工作队员长期不在岗，问题反弹", "2026-12-31", Actor: "dcs"),
        new("11", 5, 11, 9, "acknowledge"), new("11", 6, 3, 10, "progress", "资金台账已建立"),
        new("11", 6, 8, 10, "requestExtension", "审计整改尚未完成", "2026-08-31"),
        new("11", 6, 9, 10, "rejectExtension", "资金监管问题不予延期，请按期整改", Actor: "lgo"),
        new("12", 5, 12, 16, "acknowledge"),
    ];

    /// <summary>One event of the replayed history, at its moment.</summary>
    private sealed record Planned(DateTimeOffset At, Guid Item, string Type, string? Note, DateOnly? NewDeadline, Actor Actor, string Number);

    public async Task ReplayAsync(Guid campaignId, DateOnly planStart, CancellationToken ct)
    {
        var zone = LocalTime.Zone("Asia/Shanghai");
        var launchAt = LocalTime.At(planStart, new TimeOnly(9, 0), zone);
        var realNow = clock.GetUtcNow();
        if (launchAt > realNow)
        {
            await launcher.LaunchAsync(campaignId, new Actor("lgo", "leadingGroup", "lgo"), realNow, notify: true, ct);
            return;
        }
        await launcher.LaunchAsync(campaignId, new Actor("lgo", "leadingGroup", "lgo"), launchAt, notify: false, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        var items = (await connection.QueryAsync<DemoItem>(new CommandDefinition(
            "select number, id, lead_unit as LeadUnit, units, deadline, ongoing from items where campaign_id = @campaignId", new { campaignId }, cancellationToken: ct)))
            .ToDictionary(i => i.Number!);
        var year = planStart.Year;
        await SubmitDeliverablesAsync(connection, campaignId, zone, ct);
        var plan = new List<Planned>();
        foreach (var step in Script)
        {
            if (!items.TryGetValue(step.Number, out var item)) continue;
            var actor = step.Actor switch
            {
                "lgo" => new Actor("lgo", "leadingGroup", "lgo"),
                "dcs" => new Actor("dcs", "supervisor", "dcs"),
                _ => new Actor(item.LeadUnit == "fpb" ? "fpb" : $"{item.LeadUnit}（演示）", "unit", item.LeadUnit),
            };
            var deadline = step.NewDeadline is null ? (DateOnly?)null : DateOnly.ParseExact(step.NewDeadline, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddYears(year - 2026);
            plan.Add(new Planned(LocalTime.At(new DateOnly(year, step.Month, step.Day), new TimeOnly(step.Hour, 0), zone), item.Id, step.Type, step.Note, deadline, actor, step.Number));
        }
        plan.AddRange(items.Values.SelectMany(item => UnitSteps(item, plan.Where(p => p.Item == item.Id).ToList(), launchAt, zone)));
        foreach (var step in plan.OrderBy(p => p.At))
        {
            if (step.At > realNow) continue;
            await sweeper.DrainAsync(step.At, ct, quiet: true);
            var attachments = step.Type == "requestClosure" ? [await EvidenceAsync(connection, step.Item, step.Number, step.At, ct)] : Array.Empty<Guid>();
            var outcome = await events.ApplyAsync(step.Item, step.Actor, new EventRequest(step.Type, step.Note, step.NewDeadline, attachments, null), step.At, notify: false, ct);
            if (outcome is not EventApplied) logger.LogWarning("Demo history step {Number} {Type} by {Actor} not applied: {Outcome}", step.Number, step.Type, step.Actor.Name, outcome);
        }
        logger.LogInformation("Demo campaign launched at {LaunchAt} with its history replayed", launchAt);
    }

    private sealed record DemoItem(string? Number, Guid Id, string LeadUnit, string[] Units, DateOnly? Deadline, bool Ongoing);

    // Units whose record differs (分解交办, issue 12), so the unit grades of the demo differ for reasons one can read:
    // two sign late and leave their part of the open items undone, two finish their part a few days late.
    private static readonly IReadOnlySet<string> Laggards = new HashSet<string>(StringComparer.Ordinal) { "myx", "zjj" };
    private static readonly IReadOnlyDictionary<string, int> LateByDays = new Dictionary<string, int>(StringComparer.Ordinal) { ["jhz"] = 2, ["czj"] = 6 };

    /// <summary>
    /// Each responsible unit's own part of an item: it signs the day after its lead unit (a laggard four days later),
    /// reports on an ongoing item each month, and completes its part the day before the deadline — before the lead
    /// unit's closure request when there is one, a late unit some days after the deadline, a laggard only when the lead
    /// unit asks for closure (on an open item, never).
    /// </summary>
    private static IEnumerable<Planned> UnitSteps(DemoItem item, IReadOnlyList<Planned> scripted, DateTimeOffset launchAt, TimeZoneInfo zone)
    {
        var leadAck = scripted.FirstOrDefault(p => p.Type == "acknowledge")?.At ?? launchAt.AddDays(2);
        var closure = scripted.Where(p => p.Type == "requestClosure").Select(p => (DateTimeOffset?)p.At).FirstOrDefault();
        var deadline = scripted.Where(p => p.Type == "approveExtension").Select(_ => scripted.First(p => p.Type == "requestExtension").NewDeadline).FirstOrDefault() ?? item.Deadline;
        foreach (var (unit, index) in item.Units.Where(u => u != item.LeadUnit).Select((u, i) => (u, i)))
        {
            var actor = new Actor($"{unit}（演示）", "unit", unit);
            var laggard = Laggards.Contains(unit);
            yield return new Planned(leadAck.AddDays(laggard ? 5 : 1).AddMinutes(index), item.Id, "acknowledge", null, null, actor, item.Number!);
            if (item.Ongoing)
            {
                if (laggard) continue;
                // From the launch month on: a unit that reports every month has missed none (its grade says so).
                for (var month = launchAt.Month; month <= 12; month++)
                {
                    var reportAt = LocalTime.At(new DateOnly(launchAt.Year, month, 20), new TimeOnly(10, index % 50), zone);
                    if (reportAt > leadAck.AddDays(1).AddMinutes(index)) yield return new Planned(reportAt, item.Id, "progress", "本单位本月整改进展已报送", null, actor, item.Number!);
                }
                continue;
            }
            if (deadline is not { } due) continue;
            var onTime = LocalTime.At(due.AddDays(-1), new TimeOnly(16, index % 50), zone);
            DateTimeOffset? done = laggard ? closure?.AddHours(-2)
                : LateByDays.TryGetValue(unit, out var late) ? LocalTime.At(due.AddDays(late), new TimeOnly(16, 0), zone)
                : onTime;
            if (closure is { } asked && done >= asked) done = asked.AddHours(-1).AddMinutes(-index);
            if (done is { } at) yield return new Planned(at, item.Id, "complete", "本单位整改任务已完成", null, actor, item.Number!);
        }
    }

    /// <summary>Most units handed in their plan and report on time; three did not (they show up escalated).</summary>
    private static async Task SubmitDeliverablesAsync(NpgsqlConnection connection, Guid campaignId, TimeZoneInfo zone, CancellationToken ct)
    {
        const string sql = """
            with late as (select unit_code from deliverables where campaign_id = @campaignId group by unit_code order by unit_code desc limit 3),
            done as (
                update deliverables d set state = 'accepted', submitted_at = (d.due_date - 1)::timestamp at time zone @zone + interval '16 hours',
                       accepted_at = d.due_date::timestamp at time zone @zone + interval '10 hours', version = version + 1
                where d.campaign_id = @campaignId and d.unit_code not in (select unit_code from late)
                returning d.id, d.campaign_id, d.unit_code, d.submitted_at
            ), gone as (delete from timers t using done where t.subject_id = done.id)
            insert into journal(campaign_id, deliverable_id, at, actor, type, from_state, to_state, note, data)
            select campaign_id, id, submitted_at, unit_code || '（演示）', 'submit', 'pending', 'accepted', '演示数据：按时报送并已采纳', '{}'::jsonb from done
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { campaignId, zone = zone.Id }, cancellationToken: ct));
    }

    private static async Task<Guid> EvidenceAsync(NpgsqlConnection connection, Guid itemId, string number, DateTimeOffset at, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(at);
        var bytes = System.Text.Encoding.UTF8.GetBytes($"%PDF-1.4\n% 演示佐证材料：问题 {number} 整改台账\n%%EOF\n");
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into attachments(id, item_id, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at)
            values (@id, @itemId, @name, 'application/pdf', @size, encode(sha256(@bytes), 'hex'), @bytes, 'demo', @at)
            """, new { id, itemId, name = $"问题{number}整改台账.pdf", size = bytes.Length, bytes, at }, cancellationToken: ct));
        return id;
    }
}
