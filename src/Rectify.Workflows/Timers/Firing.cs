using System.Globalization;
using System.Text.Json;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Timers;

/// <summary>
/// What firing one timer does, collected into an <see cref="EffectBatch"/>. Catch-up policy (docs/adr/0001-timers.md):
/// a reminder more than the definition's <c>catchUp.reminderMaxLateness</c> late, or whose next step is already due,
/// is recorded as skipped and sends nothing; an escalation step always applies (level, record, journal) but notifies
/// only when it is still the current step, so after an outage each item notifies once, at the level it has reached.
/// </summary>
internal sealed class Firing(EffectBatch batch, CalendarSnapshot calendar, ContactDirectory contacts, DateTimeOffset now, bool quiet)
{
    private readonly Dictionary<Guid, string> levels = [];

    // A batch's subjects mostly share a few deadlines: their schedules are computed once per sweep, not once per timer.
    private readonly Dictionary<WorkflowDefinition, Dictionary<(string Zone, DateOnly Deadline, string Floor), IReadOnlyList<Step>>> schedules =
        new(ReferenceEqualityComparer.Instance);

    private IReadOnlyList<Step> DeadlineSteps(WorkflowDefinition d, TimeZoneInfo zone, DateOnly deadline, string floor)
    {
        if (!schedules.TryGetValue(d, out var byDeadline)) schedules[d] = byDeadline = [];
        if (!byDeadline.TryGetValue((zone.Id, deadline, floor), out var steps))
            byDeadline[(zone.Id, deadline, floor)] = steps = Schedule.DeadlineSteps(d, calendar, zone, deadline, floor);
        return steps;
    }

    /// <param name="parts">The item's assignments: pressure goes to the units whose own part is behind (issue 12).</param>
    public void Item(TimerRow timer, ItemSubject item, WorkflowDefinition d, IReadOnlyList<Assignment> parts)
    {
        var level = levels.GetValueOrDefault(item.Id, item.EscalationLevel);
        var key = item.SubjectKey(timer.Step, timer.Cycle);
        var facts = ItemPayload(item);
        if (timer.Cycle != item.Cycle || d.IsClosed(item.State) || item.State == d.Item.InitialState)
        {
            Journal(item.CampaignId, item.Id, null, "timerSkipped", timer, key, "stale", $"当前状态 {item.State}，第 {item.Cycle} 轮");
            return;
        }
        var zone = item.Zone;
        if (timer.Step == "reminder:unacknowledged")
        {
            // Each unit signs for itself: the reminder goes to the units that have not, as long as one has not.
            var unsigned = parts.Count > 0
                ? parts.Where(a => a.IsUnacknowledged).Select(a => a.UnitCode).ToList()
                : item.State == d.Item.LaunchState && item.AcknowledgedAt is null ? [item.LeadUnit] : [];
            var outcome = unsigned.Count == 0 ? "acknowledged" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
            if (outcome is not null) { Journal(item.CampaignId, item.Id, null, "timerSkipped", timer, key, outcome, null); return; }
            SendToItem(item, parts, a => a.IsUnacknowledged, d.Unacknowledged.Recipients, key, "reminder", null, null, timer.Due, false, facts, ("reason", "unacknowledged"));
            Journal(item.CampaignId, item.Id, null, "unacknowledgedReminder", timer, key, "fired", null, ("units", unsigned));
            return;
        }
        if (timer.Step.StartsWith("periodic:", StringComparison.Ordinal))
        {
            Periodic(timer, item, d, level, key, facts, parts);
            return;
        }
        if (item.EffectiveDeadline is not { } deadline)
        {
            Journal(item.CampaignId, item.Id, null, "timerSkipped", timer, key, "noDeadline", null);
            return;
        }
        var steps = DeadlineSteps(d, zone, deadline, d.Item.LaunchEscalationLevel ?? EscalationLevels.None);
        var next = Schedule.After(steps, timer.Step);
        facts["deadline"] = deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // Reminders and escalations before closure press the units that have not completed their part, never one that has.
        var behind = parts.Where(a => a.IsBehind).ToList();
        Deadline(timer, d, steps, next, level, key, facts,
            (k, kind, stepLevel, escalationId, audiences, notBefore, urgent) =>
                SendToItem(item, parts, a => a.IsBehind, audiences, k, kind, stepLevel, escalationId, notBefore, urgent, facts),
            item.CampaignId, item.Id, null, item.IssuedByUnit, item.SupervisionUnit,
            newLevel =>
            {
                levels[item.Id] = newLevel;
                batch.ItemLevels[item.Id] = newLevel;
                foreach (var a in behind.Where(a => EscalationLevels.Rank(newLevel) > EscalationLevels.Rank(a.EscalationLevel)))
                    batch.AssignmentLevels.Add(new AssignmentLevel(item.Id, a.UnitCode, newLevel));
            });
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
    }

    public void Deliverable(TimerRow timer, DeliverableSubject deliverable, WorkflowDefinition d)
    {
        var key = deliverable.SubjectKey(timer.Step, timer.Cycle);
        if (timer.Cycle != deliverable.Cycle || !deliverable.IsOpen)
        {
            Journal(deliverable.CampaignId, null, deliverable.Id, "timerSkipped", timer, key, "stale", $"当前状态 {deliverable.State}");
            return;
        }
        var level = levels.GetValueOrDefault(deliverable.Id, deliverable.EscalationLevel);
        var steps = DeadlineSteps(d, deliverable.Zone, deliverable.DueDate, EscalationLevels.None);
        var next = Schedule.After(steps, timer.Step);
        var definition = d.DeliverableList.FirstOrDefault(x => x.Key == deliverable.Kind);
        var facts = new Dictionary<string, object?>
        {
            ["campaignId"] = deliverable.CampaignId, ["campaignTitle"] = deliverable.CampaignTitle, ["deliverableId"] = deliverable.Id,
            ["deliverableKind"] = deliverable.Kind, ["deliverableName"] = definition?.Name ?? deliverable.Kind, ["unit"] = deliverable.UnitCode,
            ["deadline"] = deliverable.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        IReadOnlyList<Guid> People(IEnumerable<string> audiences) => contacts.People(
            Audiences.Units(audiences.Select(a => a == Audiences.ResponsibleUnits ? Audiences.LeadUnit : a), deliverable.UnitCode, [], deliverable.IssuedByUnit, deliverable.SupervisionUnit));
        Deadline(timer, d, steps, next, level, key, facts,
            (k, kind, stepLevel, escalationId, audiences, notBefore, urgent) =>
                Send(k, kind, stepLevel, deliverable.CampaignId, null, deliverable.Id, escalationId, People(audiences), notBefore, urgent, facts),
            deliverable.CampaignId, null, deliverable.Id, deliverable.IssuedByUnit, deliverable.SupervisionUnit,
            newLevel => { levels[deliverable.Id] = newLevel; batch.DeliverableLevels[deliverable.Id] = newLevel; });
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "deliverable", deliverable.Id, deliverable.CampaignId, timer.Cycle, next.Name));
    }

    public void Phase(TimerRow timer, CampaignSubject campaign, WorkflowDefinition d, IReadOnlyList<string> units)
    {
        var key = $"campaign:{campaign.Id}:{timer.Step}";
        var phaseKey = timer.Step.Split(':')[1];
        if (campaign.State != "active" || Late(timer) > d.ReminderMaxLateness)
        {
            Journal(campaign.Id, null, null, "timerSkipped", timer, key, campaign.State != "active" ? "campaignNotActive" : "late", null);
            return;
        }
        var phase = d.Phases.FirstOrDefault(p => p.Key == phaseKey);
        var facts = new Dictionary<string, object?>
        {
            ["campaignId"] = campaign.Id, ["campaignTitle"] = campaign.Title, ["phase"] = phaseKey, ["phaseName"] = phase?.Name ?? phaseKey,
        };
        var people = contacts.People(units.Append(campaign.IssuedByUnit));
        Send(key, "phase", null, campaign.Id, null, null, null, people, timer.Due, false, facts);
        Journal(campaign.Id, null, null, "phaseStarted", timer, key, "fired", phase?.Name);
    }

    /// <summary>Sends one step's message: (key, kind, level, escalation id, audiences, not before, urgent).</summary>
    private delegate void Sender(string key, string kind, string? level, Guid? escalationId, IReadOnlyList<string> audiences, DateTimeOffset notBefore, bool urgent);

    private void Deadline(
        TimerRow timer, WorkflowDefinition d, IReadOnlyList<Step> steps, Step? next, string level, string key, Dictionary<string, object?> facts,
        Sender send, Guid campaignId, Guid? itemId, Guid? deliverableId, string issuedBy, string? supervision,
        Action<string> setLevel)
    {
        var step = steps.FirstOrDefault(s => s.Name == timer.Step);
        var superseded = next is not null && next.DueAt <= now;
        if (step is null)
        {
            // The step no longer exists in this definition version's schedule (definition or calendar changed).
            Journal(campaignId, itemId, deliverableId, "timerSkipped", timer, key, "unknownStep", null);
            return;
        }
        if (step.Kind == StepKinds.Reminder)
        {
            var outcome = superseded ? "superseded" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
            if (outcome is not null) { Journal(campaignId, itemId, deliverableId, "timerSkipped", timer, key, outcome, null); return; }
            facts["daysBefore"] = step.DaysBefore;
            send(key, "reminder", null, null, d.Reminders.Recipients, timer.Due, step.DaysBefore <= 1);
            Journal(campaignId, itemId, deliverableId, "reminder", timer, key, "fired", $"T-{step.DaysBefore}");
            return;
        }
        Escalate(timer, d, step.Level!, level, key, facts, send, campaignId, itemId, deliverableId, issuedBy, supervision, superseded, setLevel, null);
    }

    private void Periodic(TimerRow timer, ItemSubject item, WorkflowDefinition d, string level, string key, Dictionary<string, object?> facts, IReadOnlyList<Assignment> parts)
    {
        var p = d.PeriodicReports;
        if (p is null || !item.Ongoing)
        {
            Journal(item.CampaignId, item.Id, null, "timerSkipped", timer, key, "notPeriodic", null);
            return;
        }
        var zone = item.Zone;
        var due = Schedule.PeriodicDate(timer.Step);
        var steps = Schedule.PeriodicSteps(d, calendar, zone, due);
        var index = steps.ToList().FindIndex(s => s.Name == timer.Step);
        var next = index >= 0 && index + 1 < steps.Count ? steps[index + 1] : null;
        var assignedOn = LocalTime.Date(new DateTimeOffset(DateTime.SpecifyKind(item.AssignedAt!.Value, DateTimeKind.Utc)), zone);
        void ScheduleNextPeriod()
        {
            var nextDue = Schedule.NextReportDate(d, item.ReportEvery, assignedOn, due);
            var first = Schedule.PeriodicSteps(d, calendar, zone, nextDue)[0];
            batch.Timers.Add(new NewTimer(first.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, first.Name));
        }
        facts["reportDate"] = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var previousDue = Iso.TryPeriod(item.ReportEvery ?? p.Every, out var months, out var days) && months > 0 ? due.AddMonths(-months) : due.AddDays(-Math.Max(1, days));
        bool Reported(DateTime? at) => at is { } last && LocalTime.Date(new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc)), zone) > previousDue;
        // Each unit reports for itself: the units still working that have not reported for this period are the ones behind.
        bool Owes(Assignment a) => a.IsBehind && !Reported(a.LastReportAt);
        if (index == 0)
        {
            var outcome = next is not null && next.DueAt <= now ? "superseded" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
            if (outcome is null)
            {
                SendToItem(item, parts, Owes, p.Recipients, key, "periodicReport", null, null, timer.Due, false, facts);
                Journal(item.CampaignId, item.Id, null, "periodicReminder", timer, key, "fired", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else Journal(item.CampaignId, item.Id, null, "timerSkipped", timer, key, outcome, null);
            if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
            else ScheduleNextPeriod();
            return;
        }
        if (index == 1) ScheduleNextPeriod();
        var missing = parts.Count > 0 ? parts.Where(Owes).ToList() : [];
        var received = parts.Count > 0 ? missing.Count == 0 : Reported(item.LastProgressAt);
        if (received)
        {
            Journal(item.CampaignId, item.Id, null, "periodicReportReceived", timer, key, "fired", null);
            return;
        }
        // A unit's missed report counts once per period, at the first escalation step after the due date.
        if (index == 1) batch.MissedReports.AddRange(missing.Select(a => (item.Id, a.UnitCode)));
        var stepLevel = steps[index].Level!;
        var missingUnits = missing.Select(a => a.UnitCode).ToList();
        Escalate(timer, d, stepLevel, level, key, facts,
            (k, kind, lvl, escalationId, audiences, notBefore, urgent) =>
                SendToItem(item, parts, Owes, audiences, k, kind, lvl, escalationId, notBefore, urgent, facts),
            item.CampaignId, item.Id, null, item.IssuedByUnit, item.SupervisionUnit,
            next is not null && next.DueAt <= now,
            newLevel =>
            {
                levels[item.Id] = newLevel;
                batch.ItemLevels[item.Id] = newLevel;
                foreach (var a in missing.Where(a => EscalationLevels.Rank(newLevel) > EscalationLevels.Rank(a.EscalationLevel)))
                    batch.AssignmentLevels.Add(new AssignmentLevel(item.Id, a.UnitCode, newLevel));
            },
            $"未按期报送 {due:yyyy-MM-dd} 的整改进展 / periodic report of {due:yyyy-MM-dd} missing: {string.Join(", ", missingUnits)}");
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
    }

    private void Escalate(
        TimerRow timer, WorkflowDefinition d, string stepLevel, string level, string key, Dictionary<string, object?> facts,
        Sender send, Guid campaignId, Guid? itemId, Guid? deliverableId, string issuedBy, string? supervision,
        bool superseded, Action<string> setLevel, string? note)
    {
        if (EscalationLevels.Rank(stepLevel) <= EscalationLevels.Rank(level))
        {
            Journal(campaignId, itemId, deliverableId, "timerSkipped", timer, key, "alreadyAtLevel", level);
            return;
        }
        var ladder = d.Escalation.Ladder.First(s => s.Level == stepLevel);
        var office = ladder.Office == Audiences.SupervisionOffice ? supervision ?? issuedBy : issuedBy;
        var escalationId = Guid.CreateVersion7(now);
        batch.Escalations.Add(new NewEscalation(escalationId, campaignId, itemId, deliverableId, stepLevel, office, now, note));
        setLevel(stepLevel);
        facts["level"] = stepLevel;
        facts["office"] = office;
        if (!superseded)
            send(key, "escalation", stepLevel, escalationId, ladder.Recipients, timer.Due, true);
        Journal(campaignId, itemId, deliverableId, "escalation", timer, key, superseded ? "superseded" : "fired", note, ("level", stepLevel), ("escalationId", escalationId));
    }

    private TimeSpan Late(TimerRow timer) => now - timer.Due;

    /// <summary>
    /// An item's message (issue 12): each unit the audiences name that <paramref name="owes"/> gets its own message about
    /// its own part (the unit in the key and in the payload, so it is sent exactly once per unit and person); the other
    /// audiences (offices, the responsible leader) get the item's message. An item without assignments (none is left
    /// after migration 0600) falls back to every unit.
    /// </summary>
    private void SendToItem(
        ItemSubject item, IReadOnlyList<Assignment> parts, Func<Assignment, bool> owes, IReadOnlyList<string> audiences, string key, string kind,
        string? level, Guid? escalationId, DateTimeOffset notBefore, bool urgent, Dictionary<string, object?> facts, params (string, object?)[] extra)
    {
        if (parts.Count == 0)
        {
            Send(key, kind, level, item.CampaignId, item.Id, null, escalationId, ItemPeople(item, audiences), notBefore, urgent, facts, extra);
            return;
        }
        var sent = new HashSet<Guid>();
        foreach (var unit in Behind.Units(audiences, parts, owes).Distinct())
        {
            var people = contacts.Contacts(unit).Where(sent.Add).ToList();
            Send($"{key}:{unit}", kind, level, item.CampaignId, item.Id, null, escalationId, people, notBefore, urgent, facts, [.. extra, ("unit", unit)]);
        }
        var others = ItemPeople(item, Behind.Others(audiences)).Where(sent.Add).ToList();
        Send(key, kind, level, item.CampaignId, item.Id, null, escalationId, others, notBefore, urgent, facts, extra);
    }

    private IReadOnlyList<Guid> ItemPeople(ItemSubject item, IEnumerable<string> audiences)
    {
        var list = audiences.ToList();
        return contacts.People(Audiences.Units(list, item.LeadUnit, item.Units, item.IssuedByUnit, item.SupervisionUnit),
            item.ResponsibleLeaderId, list.Contains(Audiences.ResponsibleLeader));
    }

    private static Dictionary<string, object?> ItemPayload(ItemSubject item) => new()
    {
        ["campaignId"] = item.CampaignId, ["campaignTitle"] = item.CampaignTitle, ["itemId"] = item.Id, ["itemNumber"] = item.Number,
        ["itemTitle"] = item.Title, ["leadUnit"] = item.LeadUnit, ["units"] = item.Units,
    };

    private void Send(string key, string kind, string? level, Guid campaignId, Guid? itemId, Guid? deliverableId, Guid? escalationId,
        IReadOnlyList<Guid> people, DateTimeOffset notBefore, bool urgent, Dictionary<string, object?> facts, params (string, object?)[] extra)
    {
        if (people.Count == 0 || quiet) return;
        var payload = new Dictionary<string, object?>(facts);
        foreach (var (k, v) in extra) payload[k] = v;
        payload["dueAt"] = notBefore;
        var json = JsonSerializer.Serialize(payload, EffectBatch.Json);
        foreach (var person in people)
            batch.Notifications.Add(new NotificationRequest(key, kind, level, campaignId, itemId, deliverableId, escalationId, person, notBefore, urgent, json));
    }

    private void Journal(Guid campaignId, Guid? itemId, Guid? deliverableId, string type, TimerRow timer, string key, string outcome, string? note,
        params (string, object?)[] extra)
    {
        var data = new Dictionary<string, object?>
        {
            ["step"] = timer.Step, ["cycle"] = timer.Cycle, ["dueAt"] = timer.Due, ["firedAt"] = now,
            ["lateSeconds"] = Math.Max(0, (long)Late(timer).TotalSeconds), ["outcome"] = outcome,
        };
        foreach (var (k, v) in extra) data[k] = v;
        if (quiet) data["history"] = "演示数据：历史时刻，未发送通知 / demo history, no message sent";
        batch.Journal.Add(new JournalEntry(campaignId, itemId, deliverableId, now, "system", type, null, null, note,
            outcome is "fired" && !quiet ? key : null, data));
    }
}
