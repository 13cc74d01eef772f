using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

/// <param name="Unit">The unit an office acts for (acknowledge, progress, complete); a unit user acts for its own unit.</param>
/// <param name="ReturnUnits">returnClosure: the units whose part is sent back with the lead unit's.</param>
public sealed record EventRequest(
    string Type, string? Note, DateOnly? NewDeadline, IReadOnlyList<Guid> AttachmentIds, int? ExpectedVersion,
    string? Unit = null, IReadOnlyList<string>? ReturnUnits = null);

public abstract record EventOutcome;
public sealed record EventApplied(int Version, long JournalId) : EventOutcome;
public sealed record EventNotFound : EventOutcome;
public sealed record EventConflict(int CurrentVersion) : EventOutcome;
public sealed record EventRefused(string Message, string? Field) : EventOutcome;
public sealed record EventForbidden(string Message) : EventOutcome;

/// <summary>
/// Applies one event to one item in one transaction: the state change, its journal row, its timer changes and its
/// outbox rows commit together or not at all. The item row is locked first, then its timers, in that order everywhere,
/// and the sweep never waits for a lock, so an event and a sweep cannot deadlock.
/// </summary>
public sealed partial class ItemEventService(NpgsqlDataSource db, DefinitionStore definitions, WorkingCalendar calendar, INotificationOutbox outbox)
{
    public async Task<EventOutcome> ApplyAsync(Guid itemId, Actor actor, EventRequest request, DateTimeOffset now, bool notify, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var item = await connection.QuerySingleOrDefaultAsync<ItemSubject>(new CommandDefinition(
            $"{ItemSubject.Select} where i.id = @itemId {ItemSubject.LockForChange}", new { itemId }, tx, cancellationToken: ct));
        if (item is null) return new EventNotFound();
        if (request.ExpectedVersion is { } expected && expected != item.Version) return new EventConflict(item.Version);
        // A closed campaign is an archive (issue 13): nothing happens to its items any more.
        if (item.CampaignState == Domain.CampaignStates.Closed)
            return new EventRefused($"整改工作“{item.CampaignTitle}”已结束归档，不能再办理其中的问题 / the campaign is closed and read-only", "type");
        if (actor.Role == Domain.Roles.Unit && request.Type is OfficeEvents.Withdraw or OfficeEvents.Urge)
            return new EventForbidden(request.Type == OfficeEvents.Withdraw
                ? "只有交办单位（领导小组办公室）可以撤销问题 / only the issuing office may withdraw an item"
                : "只有交办单位或督查室可以催办 / only the issuing or supervision office may urge");
        var d = (await definitions.GetAsync(connection, item.WorkflowId, item.WorkflowVersion, ct))!.Definition;
        var zone = item.Zone;
        var today = LocalTime.Date(now, zone);

        var attachments = request.AttachmentIds.Distinct().ToArray();
        if (attachments.Length > 0)
        {
            var known = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "select count(*) from attachments where id = any(@attachments) and item_id = @itemId", new { attachments, itemId }, tx, cancellationToken: ct));
            if (known != attachments.Length)
                return new EventRefused("附件不存在或不属于该问题 / an attachment does not exist or belongs to another item", "attachmentIds");
        }
        var assignments = (await Assignment.LoadAsync(connection, tx, [item.Id], ct)).GetValueOrDefault(item.Id, []);
        var names = await UnitNamesAsync(connection, tx, assignments.Select(a => a.UnitCode).Concat(request.ReturnUnits ?? []).Concat(request.Unit is { } u ? [u] : []), ct);
        var acting = ActingUnit(actor, item, assignments, request, names);
        if (acting.Outcome is { } early) return early;
        var decision = StateMachine.Decide(d, item.Facts, ActorRoles.Of(actor, item.Facts), request.Type,
            new EventInput(request.Note, request.NewDeadline, attachments.Length), today, acting.Assignment is { } a && UnitEvents.InPlace(request.Type, a));
        if (decision is Refused refused) return new EventRefused(refused.Message, refused.Field);
        var allowed = (Allowed)decision;
        var units = UnitChanges(d, item, assignments, acting.Assignment, request, names);
        if (units.Refusal is { } unitRefusal) return unitRefusal;

        var snapshot = await calendar.GetAsync(connection, ct, tx);
        var batch = new EffectBatch();
        var change = Plan(item, d, snapshot, request, allowed, now);
        change = AdjustForUnits(change, d, item, assignments, acting.Assignment, request, cycle => UnacknowledgedTimer(item, d, snapshot, cycle, now));

        const string update = """
            update items set state = @ToState,
                acknowledged_at = case when @Acknowledge and @LeadActs then coalesce(acknowledged_at, @now) else acknowledged_at end,
                last_progress_at = case when @Progress then @now else last_progress_at end,
                closed_at = case when @Close then @now when @Reopen then null else closed_at end,
                effective_deadline = @Deadline, escalation_level = @Level, cycle = @Cycle,
                pending_extension = @PendingExtension, pending_extension_note = @PendingNote,
                extension_count = extension_count + case when @Extend then 1 else 0 end,
                reopen_count = reopen_count + case when @Reopen then 1 else 0 end,
                version = version + 1, updated_at = @now
            where id = @Id
            returning version
            """;
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition(update, new
        {
            item.Id, allowed.ToState, change.Acknowledge, change.Progress, change.Close, change.Reopen, change.Extend,
            change.Deadline, change.Level, change.Cycle, change.PendingExtension, change.PendingNote, now,
            LeadActs = acting.Assignment?.IsLead ?? true,
        }, tx, cancellationToken: ct));
        await ApplyUnitChangesAsync(connection, tx, item.Id, units, now, ct);

        // A new cycle (extension, reopening) replaces the deadline's timers; a milestone's reminder is the milestone's
        // own and stays until the item closes (issue 15.4).
        if (change.DeleteAllTimers)
            await connection.ExecuteAsync(new CommandDefinition("delete from timers where subject_id = @itemId and (@close or step not like 'milestone:%')",
                new { itemId, close = change.Close }, tx, cancellationToken: ct));
        else if (change.DeleteSteps.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition("delete from timers where subject_id = @itemId and step = any(@steps)",
                new { itemId, steps = change.DeleteSteps.ToArray() }, tx, cancellationToken: ct));
        if (change.ResolveAbove is { } floor)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                update escalations set resolved_at = @now
                where item_id = @itemId and resolved_at is null and array_position(@ordered, level) > array_position(@ordered, @floor)
                """, new { now, itemId, floor, ordered = EscalationLevels.Ordered.ToArray() }, tx, cancellationToken: ct));
        }
        batch.Timers.AddRange(change.Timers);

        var data = new Dictionary<string, object?>
        {
            ["version"] = version, ["attachmentIds"] = attachments, ["newDeadline"] = request.NewDeadline,
            ["effectiveDeadline"] = change.Deadline, ["cycle"] = change.Cycle, ["escalationLevel"] = change.Level,
        };
        if (acting.Assignment is { } unit) data["unit"] = unit.UnitCode;
        if (units.Returned.Count > 0) data["returnedUnits"] = units.Returned;
        if (units.Overridden.Count > 0) data["incompleteUnits"] = units.Overridden;
        ContactDirectory? urgedContacts = null;
        if (units.Urged.Count > 0)
        {
            // 催办 is recorded with whom it reached (issue 13): the units that have not completed and their contacts.
            urgedContacts = await ContactDirectory.LoadAsync(connection, tx, units.Urged, ct);
            data["urgedUnits"] = units.Urged;
            data["recipients"] = urgedContacts.People(units.Urged);
        }
        // The journal is append-only (migration 0502): its id is drawn first so the subject key of the messages this
        // entry causes is written with the row, never added afterwards.
        var notifying = notify && allowed.Event.NotifyList.Count > 0;
        var journalId = await JournalIds.NextAsync(connection, tx, ct);
        var key = $"item:{item.Id}:event:{journalId}";
        await JournalWriter.AppendAsync(connection, tx, journalId, new JournalEntry(item.CampaignId, item.Id, null, now, actor.Name, request.Type,
            allowed.FromState, allowed.ToState, request.Note, notifying ? key : null, data), ct);
        if (attachments.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("update attachments set journal_id = @journalId where id = any(@attachments) and journal_id is null",
                new { journalId, attachments }, tx, cancellationToken: ct));
        }
        if (notifying)
        {
            var message = new DecisionMessage(new ItemRef(item.CampaignId, item.Id), request.Type, allowed.Event.Name, allowed.Event.NameEn,
                allowed.FromState, allowed.ToState, request.Note, urgedContacts is null ? request.NewDeadline : null, change.Deadline, actor.Name);
            if (urgedContacts is not null)
            {
                foreach (var urged in units.Urged)
                {
                    var share = message with { Subject = new AssignmentRef(item.CampaignId, item.Id, urged) };
                    foreach (var person in urgedContacts.Contacts(urged))
                        batch.Notifications.Add(new NotificationRequest($"{key}:{urged}", share, person, now, true));
                }
            }
            else
            {
                foreach (var person in await DecisionAudienceAsync(connection, tx, item, allowed.Event.NotifyList, ct))
                    batch.Notifications.Add(new NotificationRequest(key, message, person, now, false));
            }
        }
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        if (batch.TimersInserted > 0)
            await connection.ExecuteAsync(new CommandDefinition($"select pg_notify('{CampaignLauncher.TimerChannel}', '')", transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new EventApplied(version, journalId);
    }

    /// <summary>The people an event's notify list names for this item (units, the responsible leader, the lead unit's head).</summary>
    private static async Task<IReadOnlyList<Guid>> DecisionAudienceAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, ItemSubject item, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        var units = Audiences.Units(audiences, item.LeadUnit, item.Units, item.IssuedByUnit, item.SupervisionUnit).ToList();
        var contacts = await ContactDirectory.LoadAsync(connection, tx, units.Append(item.LeadUnit), ct);
        return contacts.People(units, item.ResponsibleLeaderId, audiences.Contains(Audiences.ResponsibleLeader),
            audiences.Contains(Audiences.LeadUnitHead) ? [item.LeadUnit] : null);
    }
}
