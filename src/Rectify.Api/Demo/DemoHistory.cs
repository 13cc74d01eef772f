using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Demo;

/// <summary>
/// Brings the demo campaign to life: launched some five weeks before the first start, then that history replayed in
/// time order through the real runtime — each timer fires quietly as of its own due time (journal rows, escalation
/// records and levels, no messages about the past), each scripted event is applied at its moment. What falls due on the
/// first start's own day is left to the ordinary sweep, which sends it as it would have that morning. The mix, on any
/// day (working days from day 0, <see cref="DemoDays"/>): closed on time and late, extended, a closure waiting for its
/// decision, returned, reopened, due this week, and late at each level of the ladder (催办, 督办函, 挂牌督办, 约谈).
/// </summary>
public sealed class DemoHistory(NpgsqlDataSource db, TimeProvider clock, CampaignLauncher launcher, ItemEventService events, TimerSweeper sweeper, ILogger<DemoHistory> logger)
{
    /// <param name="Day">Working days from day 0 (always before it: the history has happened by the first start).</param>
    /// <param name="NewDeadline">requestExtension, reopen: the new deadline, in working days from day 0.</param>
    private sealed record Scripted(string Number, int Day, int Hour, string Type, string? Note = null, int? NewDeadline = null, string? Actor = null);

    // Deadlines (demo-campaign.json, working days from day 0) and what each item's story makes of them by day 0:
    // 1 ongoing (monthly reports) · 2 due −10, closed on time · 3 due −12, closed late (催办, 督办函 on the way) ·
    // 4 due +2, in progress · 5 due −3, extended to +3 · 6 due −6, closure returned (督办函) · 7.1 due −5, closed on time ·
    // 7.2 due +20, in progress · 8 due −17, never signed (约谈) · 9 due +1, closure waiting for the office ·
    // 10 due −18, closed, reopened to +15 · 11 due −12, extension refused (挂牌督办) · 12 due −2 (催办), an extension asked.
    private static readonly Scripted[] Script =
    [
        new("1", -24, 10, "acknowledge"), new("1", -20, 15, "progress", "已召开专题会议，层层压实责任"),
        new("2", -24, 9, "acknowledge"), new("2", -20, 16, "progress", "已完成贫困户精准识别复核"),
        new("2", -13, 10, "requestClosure", "复核整改完成，佐证材料见附件"), new("2", -12, 15, "approveClosure", "核实无误，同意销号", Actor: "lgo"),
        new("3", -23, 9, "acknowledge"), new("3", -18, 11, "progress", "搬迁安置点建设进度 70%"),
        new("3", -6, 10, "requestClosure", "安置点已竣工验收"), new("3", -5, 16, "approveClosure", "逾期完成，同意销号", Actor: "lgo"),
        new("4", -24, 11, "acknowledge"), new("4", -8, 17, "progress", "已改造危房 126 户，剩余 41 户"),
        new("5", -22, 15, "acknowledge"), new("5", -8, 9, "requestExtension", "医保参保数据需与省平台核对", 3),
        new("5", -7, 10, "approveExtension", "同意延期", Actor: "lgo"),
        new("6", -24, 14, "acknowledge"), new("6", -9, 10, "requestClosure", "控辍保学已落实"),
        new("6", -8, 10, "returnClosure", "佐证材料不足，请补充劝返学生名单及到校证明", Actor: "lgo"),
        new("7.1", -24, 9, "acknowledge"), new("7.1", -19, 10, "progress", "产业扶持资金已下达"),
        new("7.1", -7, 16, "requestClosure", "产业扶持项目全部落地"), new("7.1", -6, 17, "approveClosure", "同意销号", Actor: "lgo"),
        new("7.2", -23, 10, "acknowledge"), new("7.2", -10, 10, "progress", "已培训 1 200 人次，转移就业 860 人"),
        new("9", -21, 9, "acknowledge"), new("9", -1, 10, "requestClosure", "道路硬化工程完工"),
        new("10", -24, 10, "acknowledge"), new("10", -19, 10, "requestClosure", "驻村工作队考勤制度已建立"),
        new("10", -18, 15, "approveClosure", "同意销号", Actor: "lgo"),
        new("10", -4, 10, "reopen", "回头看发现部分工作队员长期不在岗，问题反弹", 15, Actor: "dcs"),
        new("11", -24, 9, "acknowledge"), new("11", -20, 10, "progress", "资金台账已建立"),
        new("11", -15, 10, "requestExtension", "审计整改尚未完成", 5),
        new("11", -14, 10, "rejectExtension", "资金监管问题不予延期，请按期整改", Actor: "lgo"),
        new("12", -23, 16, "acknowledge"), new("12", -1, 15, "requestExtension", "基础数据需逐户核实", 10),
    ];

    /// <summary>One event of the replayed history, at its moment.</summary>
    private sealed record Planned(DateTimeOffset At, Guid Item, string Type, string? Note, DateOnly? NewDeadline, Actor Actor, string Number);

    public async Task ReplayAsync(Guid campaignId, DemoDays days, DateOnly planStart, CancellationToken ct)
    {
        var zone = LocalTime.Zone("Asia/Shanghai");
        var launchAt = LocalTime.At(planStart, new TimeOnly(9, 0), zone);
        var realNow = clock.GetUtcNow();
        // The history ends where the first start's day begins: what is due that day goes out live (ordinary sweep).
        var historyEnds = LocalTime.At(LocalTime.Date(realNow, zone), TimeOnly.MinValue, zone);
        await launcher.LaunchAsync(campaignId, new Actor("lgo", "leadingGroup", "lgo"), launchAt, notify: false, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        var items = (await connection.QueryAsync<DemoItem>(new CommandDefinition(
            "select number, id, lead_unit as LeadUnit, units, deadline, ongoing from items where campaign_id = @campaignId", new { campaignId }, cancellationToken: ct)))
            .ToDictionary(i => i.Number!);
        await SubmitDeliverablesAsync(connection, campaignId, zone, LocalTime.Date(historyEnds, zone), ct);
        var plan = new List<Planned>();
        foreach (var step in Script)
        {
            if (!items.TryGetValue(step.Number, out var item)) continue;
            var actor = step.Actor switch
            {
                "lgo" => new Actor("lgo", "leadingGroup", "lgo"),
                "dcs" => new Actor("dcs", "supervisor", "dcs"),
                _ => UnitActor(item.LeadUnit),
            };
            plan.Add(new Planned(LocalTime.At(days.At(step.Day), new TimeOnly(step.Hour, 0), zone), item.Id, step.Type, step.Note,
                step.NewDeadline is { } n ? days.At(n) : null, actor, step.Number));
        }
        plan.AddRange(items.Values.SelectMany(item => UnitSteps(item, plan.Where(p => p.Item == item.Id).ToList(), launchAt, realNow, days, zone)));
        foreach (var step in plan.Where(p => p.At < historyEnds).OrderBy(p => p.At))
        {
            await FireQuietlyUntilAsync(step.At, ct);
            var attachments = step.Type == "requestClosure" ? [await EvidenceAsync(connection, step.Item, step.Number, step.At, ct)] : Array.Empty<Guid>();
            var outcome = await events.ApplyAsync(step.Item, step.Actor, new EventRequest(step.Type, step.Note, step.NewDeadline, attachments, null), step.At, notify: false, ct);
            if (outcome is not EventApplied) logger.LogWarning("Demo history step {Number} {Type} by {Actor} not applied: {Outcome}", step.Number, step.Type, step.Actor.Name, outcome);
        }
        await FireQuietlyUntilAsync(historyEnds, ct);
        logger.LogInformation("Demo campaign launched at {LaunchAt} with its history replayed up to {HistoryEnds}", launchAt, historyEnds);
    }

    private static Actor UnitActor(string unit) => new(unit == "fpb" ? "fpb" : $"{unit}（演示）", "unit", unit);

    /// <summary>
    /// Every timer due by <paramref name="until"/> fires as of its own due time, in due order (a rehearsal, as the
    /// controllable clock does), quietly: its journal row, escalation record and level are written, no message is sent.
    /// </summary>
    private async Task FireQuietlyUntilAsync(DateTimeOffset until, CancellationToken ct)
    {
        while (await sweeper.NextDueAsync(ct) is { } next && next <= until)
            await sweeper.DrainAsync(next, ct, quiet: true);
    }

    private sealed record DemoItem(string? Number, Guid Id, string LeadUnit, string[] Units, DateOnly? Deadline, bool Ongoing);

    // Units whose record differs (分解交办, issue 12), so the unit grades of the demo differ for reasons one can read:
    // two sign late and leave their part of the open items undone, two finish their part a few days late.
    private static readonly IReadOnlySet<string> Laggards = new HashSet<string>(StringComparer.Ordinal) { "myx", "zjj" };
    private static readonly IReadOnlyDictionary<string, int> LateByDays = new Dictionary<string, int>(StringComparer.Ordinal) { ["jhz"] = 2, ["czj"] = 6 };

    /// <summary>Parts not signed by day 0, so a unit's 待办 has something to sign: 扶贫办 (the demo's unit user) among them.</summary>
    private static readonly IReadOnlySet<(string Item, string Unit)> Unsigned = new HashSet<(string, string)>
    {
        ("4", "myx"), ("4", "zjj"), ("12", "myx"), ("12", "fpb"),
    };

    /// <summary>
    /// Each unit's own part of an item: a responsible unit signs the working day after its lead unit (a laggard four
    /// working days later; a few never, <see cref="Unsigned"/>), every unit reports on an ongoing item each month, and a
    /// responsible unit completes its part the working day before the deadline — before the lead unit's closure request
    /// when there is one, a late unit some working days after the deadline, a laggard only when the lead unit asks for
    /// closure (on an open item, never).
    /// </summary>
    private static IEnumerable<Planned> UnitSteps(DemoItem item, IReadOnlyList<Planned> scripted, DateTimeOffset launchAt, DateTimeOffset until, DemoDays days, TimeZoneInfo zone)
    {
        DateTimeOffset Shift(DateTimeOffset at, int workingDays) =>
            LocalTime.At(days.After(LocalTime.Date(at, zone), workingDays), TimeOnly.FromTimeSpan(LocalTime.InZone(at, zone).TimeOfDay), zone);
        var leadAck = scripted.FirstOrDefault(p => p.Type == "acknowledge")?.At ?? Shift(launchAt, 2);
        var closure = scripted.Where(p => p.Type == "requestClosure").Select(p => (DateTimeOffset?)p.At).FirstOrDefault();
        var deadline = scripted.Where(p => p.Type == "approveExtension").Select(_ => scripted.First(p => p.Type == "requestExtension").NewDeadline).FirstOrDefault() ?? item.Deadline;
        if (item.Ongoing && scripted.Any(p => p.Type == "acknowledge"))
        {
            foreach (var reportAt in MonthlyReports(leadAck, until, 0, zone))
                yield return new Planned(reportAt, item.Id, "progress", "本月整改进展已报送", null, UnitActor(item.LeadUnit), item.Number!);
        }
        foreach (var (unit, index) in item.Units.Where(u => u != item.LeadUnit).Select((u, i) => (u, i)))
        {
            if (Unsigned.Contains((item.Number!, unit))) continue;
            var actor = UnitActor(unit);
            var laggard = Laggards.Contains(unit);
            var signed = Shift(leadAck, laggard ? 4 : 1).AddMinutes(index);
            yield return new Planned(signed, item.Id, "acknowledge", null, null, actor, item.Number!);
            if (item.Ongoing)
            {
                // A unit that reports every month has missed none (its grade says so); a laggard misses them.
                if (laggard) continue;
                foreach (var reportAt in MonthlyReports(signed, until, index + 1, zone))
                    yield return new Planned(reportAt, item.Id, "progress", "本单位本月整改进展已报送", null, actor, item.Number!);
                continue;
            }
            if (deadline is not { } due) continue;
            var onTime = LocalTime.At(days.After(due, -1), new TimeOnly(16, index % 50), zone);
            DateTimeOffset? done = laggard ? closure?.AddHours(-2)
                : LateByDays.TryGetValue(unit, out var late) ? LocalTime.At(days.After(due, late), new TimeOnly(16, 0), zone)
                : onTime;
            if (closure is { } asked && done >= asked) done = asked.AddHours(-1).AddMinutes(-index);
            if (done is { } at) yield return new Planned(at, item.Id, "complete", "本单位整改任务已完成", null, actor, item.Number!);
        }
    }

    /// <summary>
    /// A monthly report before each due date of the definition's periodic reports (the 25th, every month) from signing
    /// on: three days ahead of it, or an hour after signing when that is later and still ahead of it.
    /// </summary>
    private static IEnumerable<DateTimeOffset> MonthlyReports(DateTimeOffset signed, DateTimeOffset until, int index, TimeZoneInfo zone)
    {
        var first = LocalTime.Date(signed, zone);
        for (var month = new DateOnly(first.Year, first.Month, 1); LocalTime.At(month, TimeOnly.MinValue, zone) <= until; month = month.AddMonths(1))
        {
            var due = month.AddDays(24);
            var at = LocalTime.At(due.AddDays(-3), new TimeOnly(10, index % 50), zone);
            if (at < signed.AddHours(1)) at = signed.AddHours(1);
            if (at < LocalTime.At(due, TimeOnly.MinValue, zone)) yield return at;
        }
    }

    /// <summary>
    /// Most units handed in what was due before day 0 (the unit plans) on time, the day before it was due; three did not
    /// (their plans show up escalated). What falls due later (the unit reports) is still to come.
    /// </summary>
    private static async Task SubmitDeliverablesAsync(NpgsqlConnection connection, Guid campaignId, TimeZoneInfo zone, DateOnly today, CancellationToken ct)
    {
        const string sql = """
            with late as (select unit_code from deliverables where campaign_id = @campaignId group by unit_code order by unit_code desc limit 3),
            done as (
                update deliverables d set state = 'accepted', submitted_at = (d.due_date - 1)::timestamp at time zone @zone + interval '16 hours',
                       accepted_at = d.due_date::timestamp at time zone @zone + interval '10 hours', version = version + 1
                where d.campaign_id = @campaignId and d.unit_code not in (select unit_code from late) and d.due_date < @today
                returning d.id, d.campaign_id, d.unit_code, d.submitted_at
            ), gone as (delete from timers t using done where t.subject_id = done.id)
            insert into journal(campaign_id, deliverable_id, at, actor, type, from_state, to_state, note, data)
            select campaign_id, id, submitted_at, unit_code || '（演示）', 'submit', 'pending', 'accepted', '演示数据：按时报送并已采纳', '{}'::jsonb from done
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { campaignId, zone = zone.Id, today }, cancellationToken: ct));
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
