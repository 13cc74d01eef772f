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

    /// <summary>The milestones of the items whose milestone timers fire in this batch (issue 15.4).</summary>
    public IReadOnlyDictionary<(Guid Item, int Seq), MilestoneFact> Milestones { get; init; } = new Dictionary<(Guid, int), MilestoneFact>();

    /// <summary>Before one timer fires: what to go back to if firing it throws.</summary>
    public (EffectBatch.Checkpoint Batch, string? Level) Mark(Guid subject) => (batch.Mark(subject), levels.GetValueOrDefault(subject));

    public void Rollback((EffectBatch.Checkpoint Batch, string? Level) mark)
    {
        batch.Rollback(mark.Batch);
        if (mark.Level is null) levels.Remove(mark.Batch.Subject);
        else levels[mark.Batch.Subject] = mark.Level;
    }

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
        // A milestone's reminder belongs to the milestone, not to a deadline cycle: an extension does not make it stale.
        var milestone = timer.Step.StartsWith(MilestonePrefix, StringComparison.Ordinal);
        if ((timer.Cycle != item.Cycle && !milestone) || d.IsClosed(item.State) || item.State == d.Item.InitialState)
        {
            Journal(Target.Of(item), "timerSkipped", timer, key, "stale", $"当前状态 {item.State}，第 {item.Cycle} 轮");
            return;
        }
        if (milestone)
        {
            Milestone(timer, item, d, key, parts);
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
            if (outcome is not null) { Journal(Target.Of(item), "timerSkipped", timer, key, outcome, null); return; }
            ToItem(item, parts, a => a.IsUnacknowledged)(key,
                s => new UnacknowledgedMessage(s, item.EffectiveDeadline) { DueAt = timer.Due }, null, d.Unacknowledged.Recipients, false);
            Journal(Target.Of(item), "unacknowledgedReminder", timer, key, "fired", null, ("units", unsigned));
            return;
        }
        if (timer.Step.StartsWith("periodic:", StringComparison.Ordinal))
        {
            Periodic(timer, item, d, level, key, parts);
            return;
        }
        if (item.EffectiveDeadline is not { } deadline)
        {
            Journal(Target.Of(item), "timerSkipped", timer, key, "noDeadline", null);
            return;
        }
        var steps = DeadlineSteps(d, zone, deadline, d.Item.LaunchEscalationLevel ?? EscalationLevels.None);
        var next = Schedule.After(steps, timer.Step);
        // Reminders and escalations press the units that have not completed their part, never one that has.
        var behind = parts.Where(a => a.IsBehind).ToList();
        var step = new StepContext(timer, d, level, key, deadline,
            ToItem(item, parts, a => a.IsBehind),
            newLevel =>
            {
                levels[item.Id] = newLevel;
                batch.ItemLevels[item.Id] = newLevel;
                foreach (var a in behind.Where(a => EscalationLevels.Rank(newLevel) > EscalationLevels.Rank(a.EscalationLevel)))
                    batch.AssignmentLevels.Add(new AssignmentLevel(item.Id, a.UnitCode, newLevel));
            });
        Deadline(step, Target.Of(item), steps, next);
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
    }

    public const string MilestonePrefix = "milestone:";

    /// <summary>
    /// A milestone's reminder: to the units still working on the item (each its own share), unless the step was marked
    /// done, or the reminder is later than the catch-up policy allows. It fires once; the next step has its own timer.
    /// </summary>
    private void Milestone(TimerRow timer, ItemSubject item, WorkflowDefinition d, string key, IReadOnlyList<Assignment> parts)
    {
        var seq = int.Parse(timer.Step.AsSpan(MilestonePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
        if (!Milestones.TryGetValue((item.Id, seq), out var milestone))
        {
            Journal(Target.Of(item), "timerSkipped", timer, key, "noMilestone", null);
            return;
        }
        // A timer of an earlier revision (the milestone's date changed after it was scheduled) reminds of nothing.
        if (timer.Cycle != milestone.Revision)
        {
            Journal(Target.Of(item), "timerSkipped", timer, key, "stale", milestone.Text);
            return;
        }
        var outcome = milestone.Done ? "done" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
        if (outcome is not null) { Journal(Target.Of(item), "timerSkipped", timer, key, outcome, milestone.Text); return; }
        ToItem(item, parts, a => a.IsBehind)(key,
            s => new MilestoneReminderMessage(s, seq, milestone.Date, milestone.Text) { DueAt = timer.Due }, null, d.Reminders.Recipients, false);
        Journal(Target.Of(item), "milestoneReminder", timer, key, "fired", milestone.Text,
            ("seq", seq), ("date", milestone.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    public void Deliverable(TimerRow timer, DeliverableSubject deliverable, WorkflowDefinition d)
    {
        var key = deliverable.SubjectKey(timer.Step, timer.Cycle);
        var deliverableTarget = new Target(deliverable.CampaignId, null, deliverable.Id, deliverable.IssuedByUnit, deliverable.SupervisionUnit);
        if (timer.Cycle != deliverable.Cycle || !deliverable.IsOpen)
        {
            Journal(deliverableTarget, "timerSkipped", timer, key, "stale", $"当前状态 {deliverable.State}");
            return;
        }
        var level = levels.GetValueOrDefault(deliverable.Id, deliverable.EscalationLevel);
        var steps = DeadlineSteps(d, deliverable.Zone, deliverable.DueDate, EscalationLevels.None);
        var next = Schedule.After(steps, timer.Step);
        var subject = deliverable.Ref(d);
        IReadOnlyList<Guid> People(IEnumerable<string> audiences) => contacts.People(
            Audiences.Units(audiences.Select(a => a == Audiences.ResponsibleUnits ? Audiences.LeadUnit : a), deliverable.UnitCode, [], deliverable.IssuedByUnit, deliverable.SupervisionUnit),
            headsOf: audiences.Contains(Audiences.LeadUnitHead) ? [deliverable.UnitCode] : null);
        var step = new StepContext(timer, d, level, key, deliverable.DueDate,
            (k, message, escalationId, audiences, urgent) => Send(k, message(subject), escalationId, People(audiences), urgent),
            newLevel => { levels[deliverable.Id] = newLevel; batch.DeliverableLevels[deliverable.Id] = newLevel; });
        Deadline(step, deliverableTarget, steps, next);
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "deliverable", deliverable.Id, deliverable.CampaignId, timer.Cycle, next.Name));
    }

    public void Phase(TimerRow timer, CampaignSubject campaign, WorkflowDefinition d, IReadOnlyList<string> units)
    {
        var key = $"campaign:{campaign.Id}:{timer.Step}";
        var phaseKey = timer.Step.Split(':')[1];
        if (campaign.State != "active" || Late(timer) > d.ReminderMaxLateness)
        {
            Journal(new Target(campaign.Id, null, null, campaign.IssuedByUnit, null), "timerSkipped", timer, key, campaign.State != "active" ? "campaignNotActive" : "late", null);
            return;
        }
        var phase = d.Phases.FirstOrDefault(p => p.Key == phaseKey);
        var dates = campaign.PhaseList().FirstOrDefault(p => p.Key == phaseKey);
        var message = new PhaseMessage(new CampaignRef(campaign.Id), phaseKey, phase?.Name ?? phaseKey, phase?.NameEn, dates?.Start, dates?.End,
            timer.Step.EndsWith(":end", StringComparison.Ordinal) ? "end" : "start")
        { DueAt = timer.Due };
        var people = contacts.People(units.Append(campaign.IssuedByUnit));
        Send(key, message, null, people, false);
        Journal(new Target(campaign.Id, null, null, campaign.IssuedByUnit, null), "phaseStarted", timer, key, "fired", phase?.Name);
    }

    /// <summary>Sends one step's message, built for a subject (the item, or one unit's share of it), to an audience list.</summary>
    private delegate void Sender(string key, Func<MessageSubject, OutboxMessage> message, Guid? escalationId, IReadOnlyList<string> audiences, bool urgent);

    /// <summary>What one firing step works with: the timer, its definition, the level reached, its key and date, and how it
    /// sends and raises the level of its subject.</summary>
    private sealed record StepContext(
        TimerRow Timer, WorkflowDefinition Definition, string Level, string Key, DateOnly Deadline, Sender Send, Action<string> SetLevel);

    /// <summary>What a firing is about (for its journal row and escalation) and the offices that issued and supervise it.</summary>
    private sealed record Target(Guid CampaignId, Guid? ItemId, Guid? DeliverableId, string IssuedBy, string? Supervision)
    {
        public static Target Of(ItemSubject item) => new(item.CampaignId, item.Id, null, item.IssuedByUnit, item.SupervisionUnit);
    }

    private void Deadline(StepContext c, Target target, IReadOnlyList<Step> steps, Step? next)
    {
        var (timer, d, key) = (c.Timer, c.Definition, c.Key);
        var step = steps.FirstOrDefault(s => s.Name == timer.Step);
        var superseded = next is not null && next.DueAt <= now;
        if (step is null)
        {
            // The step no longer exists in this definition version's schedule (definition or calendar changed).
            Journal(target, "timerSkipped", timer, key, "unknownStep", null);
            return;
        }
        if (step.Kind == StepKinds.Reminder)
        {
            var outcome = superseded ? "superseded" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
            if (outcome is not null) { Journal(target, "timerSkipped", timer, key, outcome, null); return; }
            c.Send(key, s => new ReminderMessage(s, c.Deadline, step.DaysBefore ?? 0) { DueAt = timer.Due }, null, d.Reminders.Recipients, step.DaysBefore <= 1);
            Journal(target, "reminder", timer, key, "fired", $"T-{step.DaysBefore}");
            return;
        }
        Escalate(c, target, step.Level!, superseded, null);
    }

    private void Periodic(TimerRow timer, ItemSubject item, WorkflowDefinition d, string level, string key, IReadOnlyList<Assignment> parts)
    {
        var p = d.PeriodicReports;
        if (p is null || !item.Ongoing)
        {
            Journal(Target.Of(item), "timerSkipped", timer, key, "notPeriodic", null);
            return;
        }
        var zone = item.Zone;
        var due = Schedule.PeriodicDate(timer.Step);
        var steps = Schedule.PeriodicSteps(d, calendar, zone, due);
        var index = steps.ToList().FindIndex(s => s.Name == timer.Step);
        var next = index >= 0 && index + 1 < steps.Count ? steps[index + 1] : null;
        var assignedOn = LocalTime.Date(item.AssignedAt!.Value, zone);
        void ScheduleNextPeriod()
        {
            var nextDue = Schedule.NextReportDate(d, item.ReportEvery, assignedOn, due);
            var first = Schedule.PeriodicSteps(d, calendar, zone, nextDue)[0];
            batch.Timers.Add(new NewTimer(first.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, first.Name));
        }
        var subject = new PeriodicReportRef(item.CampaignId, item.Id, due);
        // The period a report covers is worked out only once the report is late (a reminder ahead of it does not need it).
        DateOnly PreviousDue() => Iso.TryPeriod(item.ReportEvery ?? p.Every, out var months, out var days) && months > 0 ? due.AddMonths(-months) : due.AddDays(-Math.Max(1, days));
        bool Reported(DateTimeOffset? at, DateOnly previousDue) => at is { } last && LocalTime.Date(last, zone) > previousDue;
        // A periodic report is about the report, whoever gets it; each unit's message is keyed by its unit all the same.
        void SendPeriodic(Func<Assignment, bool> owes, string k, Func<MessageSubject, OutboxMessage> message, Guid? escalationId, IReadOnlyList<string> audiences, bool urgent) =>
            ToItem(item, parts, owes)(k, _ => message(subject), escalationId, audiences, urgent);
        if (index == 0)
        {
            var outcome = next is not null && next.DueAt <= now ? "superseded" : Late(timer) > d.ReminderMaxLateness ? "late" : null;
            if (outcome is null)
            {
                // Every unit still working is reminded that its report is due; one that completed its part is not.
                SendPeriodic(a => a.IsBehind, key, s => new PeriodicReportMessage(s, due) { DueAt = timer.Due }, null, p.Recipients, false);
                Journal(Target.Of(item), "periodicReminder", timer, key, "fired", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else Journal(Target.Of(item), "timerSkipped", timer, key, outcome, null);
            if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
            else ScheduleNextPeriod();
            return;
        }
        if (index == 1) ScheduleNextPeriod();
        var previousDue = PreviousDue();
        // Each unit reports for itself: the units still working that have not reported for this period are behind.
        bool Owes(Assignment a) => a.IsBehind && !Reported(a.LastReportAt, previousDue);
        var missing = parts.Count > 0 ? parts.Where(Owes).ToList() : [];
        var received = parts.Count > 0 ? missing.Count == 0 : Reported(item.LastProgressAt, previousDue);
        if (received)
        {
            Journal(Target.Of(item), "periodicReportReceived", timer, key, "fired", null);
            return;
        }
        // A unit's missed report counts once per period, at the first escalation step after the due date.
        if (index == 1) batch.MissedReports.AddRange(missing.Select(a => (item.Id, a.UnitCode)));
        var stepLevel = steps[index].Level!;
        var context = new StepContext(timer, d, level, key, due, (k, m, e, a, u) => SendPeriodic(Owes, k, m, e, a, u),
            newLevel =>
            {
                levels[item.Id] = newLevel;
                batch.ItemLevels[item.Id] = newLevel;
                foreach (var a in missing.Where(a => EscalationLevels.Rank(newLevel) > EscalationLevels.Rank(a.EscalationLevel)))
                    batch.AssignmentLevels.Add(new AssignmentLevel(item.Id, a.UnitCode, newLevel));
            });
        Escalate(context, Target.Of(item), stepLevel, next is not null && next.DueAt <= now,
            $"未按期报送 {due:yyyy-MM-dd} 的整改进展 / periodic report of {due:yyyy-MM-dd} missing: {string.Join(", ", missing.Select(a => a.UnitCode))}");
        if (next is not null) batch.Timers.Add(new NewTimer(next.DueAt, "item", item.Id, item.CampaignId, timer.Cycle, next.Name));
    }

    private void Escalate(StepContext c, Target target, string stepLevel, bool superseded, string? note)
    {
        var (timer, key) = (c.Timer, c.Key);
        if (EscalationLevels.Rank(stepLevel) <= EscalationLevels.Rank(c.Level))
        {
            Journal(target, "timerSkipped", timer, key, "alreadyAtLevel", c.Level);
            return;
        }
        var ladder = c.Definition.Escalation.Ladder.First(s => s.Level == stepLevel);
        var office = ladder.Office == Audiences.SupervisionOffice ? target.Supervision ?? target.IssuedBy : target.IssuedBy;
        var escalationId = Guid.CreateVersion7(now);
        batch.Escalations.Add(new NewEscalation(escalationId, target.CampaignId, target.ItemId, target.DeliverableId, stepLevel, office, now, note));
        c.SetLevel(stepLevel);
        if (!superseded)
            c.Send(key, s => new EscalationMessage(s, stepLevel, office, c.Deadline) { DueAt = timer.Due }, escalationId, ladder.Recipients, true);
        Journal(target, "escalation", timer, key, superseded ? "superseded" : "fired", note, ("level", stepLevel), ("escalationId", escalationId));
    }

    private TimeSpan Late(TimerRow timer) => now - timer.Due;

    /// <summary>
    /// An item's message (issue 12): each unit the audiences name that the shares' <c>Owes</c> picks gets its own message about
    /// its own share (subject <see cref="AssignmentRef"/>, the unit in the key, so it is sent exactly once per unit and
    /// person); the other audiences (offices, the responsible leader) get the item's message. An item without
    /// assignments (none is left after migration 0600) falls back to every unit.
    /// </summary>
    private Sender ToItem(ItemSubject item, IReadOnlyList<Assignment> parts, Func<Assignment, bool> owes) =>
        (key, message, escalationId, audiences, urgent) => SendToItem(new ItemShares(item, parts, owes), key, message, escalationId, audiences, urgent);

    /// <summary>An item, its assignments, and which of them a message is owed to.</summary>
    private sealed record ItemShares(ItemSubject Item, IReadOnlyList<Assignment> Parts, Func<Assignment, bool> Owes);

    private void SendToItem(
        ItemShares shares, string key, Func<MessageSubject, OutboxMessage> message, Guid? escalationId, IReadOnlyList<string> audiences, bool urgent)
    {
        var (item, parts, owes) = shares;
        var whole = new ItemRef(item.CampaignId, item.Id);
        if (parts.Count == 0)
        {
            Send(key, message(whole), escalationId, ItemPeople(item, audiences), urgent);
            return;
        }
        var sent = new HashSet<Guid>();
        foreach (var unit in Behind.Units(audiences, parts, owes).Distinct())
        {
            var people = contacts.Contacts(unit).Where(sent.Add).ToList();
            Send($"{key}:{unit}", message(new AssignmentRef(item.CampaignId, item.Id, unit)), escalationId, people, urgent);
        }
        var others = ItemPeople(item, Behind.Others(audiences)).Where(sent.Add).ToList();
        Send(key, message(whole), escalationId, others, urgent);
    }

    private IReadOnlyList<Guid> ItemPeople(ItemSubject item, IEnumerable<string> audiences)
    {
        var list = audiences.ToList();
        return contacts.People(Audiences.Units(list, item.LeadUnit, item.Units, item.IssuedByUnit, item.SupervisionUnit),
            item.ResponsibleLeaderId, list.Contains(Audiences.ResponsibleLeader), list.Contains(Audiences.LeadUnitHead) ? [item.LeadUnit] : null);
    }

    private void Send(string key, OutboxMessage message, Guid? escalationId, IReadOnlyList<Guid> people, bool urgent)
    {
        if (people.Count == 0 || quiet) return;
        foreach (var person in people)
            batch.Notifications.Add(new NotificationRequest(key, message, person, message.DueAt ?? now, urgent, escalationId));
    }

    private void Journal(Target target, string type, TimerRow timer, string key, string outcome, string? note, params (string, object?)[] extra)
    {
        var data = new Dictionary<string, object?>
        {
            ["step"] = timer.Step, ["cycle"] = timer.Cycle, ["dueAt"] = timer.Due, ["firedAt"] = now,
            ["lateSeconds"] = Math.Max(0, (long)Late(timer).TotalSeconds), ["outcome"] = outcome,
        };
        foreach (var (k, v) in extra) data[k] = v;
        if (quiet) data["history"] = "演示数据：历史时刻，未发送通知 / demo history, no message sent";
        batch.Journal.Add(new JournalEntry(target.CampaignId, target.ItemId, target.DeliverableId, now, "system", type, null, null, note,
            outcome is "fired" && !quiet ? key : null, data));
    }
}
