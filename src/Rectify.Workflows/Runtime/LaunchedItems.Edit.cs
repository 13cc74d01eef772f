using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

public sealed partial class LaunchedItems
{
    private sealed record Texts(string? Number, string? Category, string? Description, string? Measures, string? Target, string? Source);

    /// <summary>
    /// Edits a launched item (改派 included): journaled as <c>changed</c> with the fields, before and after, who and
    /// why. Units added get their assignment (the trigger of migration 0600) and a 交办 message; units removed have
    /// their assignment withdrawn — the item's timers no longer reach them — and are told; the other units hear what
    /// changed. The item follows its lead unit's signing, as everywhere (API.md). The source and the milestones change
    /// too (journaled like the rest); the milestones' reminders follow (<see cref="ApplyMilestonesAsync"/>).
    /// </summary>
    public async Task<EditOutcome> ChangeAsync(Guid itemId, Actor actor, ItemEdit edit, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var item = await connection.QuerySingleOrDefaultAsync<ItemSubject>(new CommandDefinition(
            $"{ItemSubject.Select} where i.id = @itemId {ItemSubject.LockForChange}", new { itemId }, tx, cancellationToken: ct));
        if (item is null) return new EditNotFound();
        var d = (await definitions.GetAsync(connection, item.WorkflowId, item.WorkflowVersion, ct))!.Definition;
        if (item.CampaignState == Domain.CampaignStates.Closed)
            return new EditRefused($"整改工作“{item.CampaignTitle}”已结束归档，不能再修改其中的问题 / the campaign is closed and read-only", null);
        if (d.IsClosed(item.State) || item.State == d.Item.InitialState)
        {
            var name = StateMachine.StateName(d, item.State);
            return new EditRefused($"问题当前状态为“{name}”({item.State})，不能修改或改派 / a {item.State} item cannot be changed", "state");
        }
        if (string.IsNullOrWhiteSpace(edit.Note))
            return new EditRefused("问题已交办，修改或改派须写明原因（note）/ a change after launch needs a reason (note)", "note");
        var before = await connection.QuerySingleAsync<Texts>(new CommandDefinition(
            "select number, category, description, measures, target, source from items where id = @itemId", new { itemId }, tx, cancellationToken: ct));

        var fields = new List<string>();
        var was = new Dictionary<string, object?>();
        var after = new Dictionary<string, object?>();
        void Compare(string field, object? old, object? value, bool same)
        {
            if (same) return;
            fields.Add(field);
            was[field] = old;
            after[field] = value;
        }
        Compare("number", before.Number, edit.Number, edit.Number is null || edit.Number == before.Number);
        Compare("category", before.Category, edit.Category, edit.Category == before.Category);
        Compare("title", item.Title, edit.Title, edit.Title == item.Title);
        Compare("description", before.Description, edit.Description, edit.Description == before.Description);
        Compare("measures", before.Measures, edit.Measures, edit.Measures == before.Measures);
        Compare("target", before.Target, edit.Target, edit.Target == before.Target);
        Compare("responsibleLeader", item.ResponsibleLeaderId, edit.ResponsibleLeaderId, edit.ResponsibleLeaderId == item.ResponsibleLeaderId);
        Compare("leadUnit", item.LeadUnit, edit.LeadUnit, edit.LeadUnit == item.LeadUnit);
        Compare("units", item.Units, edit.Units, edit.Units.ToHashSet().SetEquals(item.Units));
        Compare("source", before.Source, edit.Source, edit.Source is null || edit.Source == before.Source);
        MilestonePlan? milestones = null;
        if (edit.Milestones is { } wanted)
        {
            var (plan, refusal) = await PlanMilestonesAsync(connection, tx, item, wanted, now, ct);
            if (refusal is not null) return refusal;
            milestones = plan!;
            Compare("milestones", milestones.Before, milestones.After, !milestones.Any);
        }
        if (fields.Count == 0) return new ItemEdited([], [], []);
        if (fields.Contains("leadUnit") && item.State != d.Item.LaunchState && item.State != Domain.ItemStates.InProgress)
            return new EditRefused($"问题当前状态为“{StateMachine.StateName(d, item.State)}”，不能改派牵头单位；请先审核销号申请 / the lead unit cannot change in state {item.State}", "leadUnit");

        var beforeParts = (await Assignment.LoadAsync(connection, tx, [itemId], ct)).GetValueOrDefault(itemId, []);
        const string update = """
            update items set number = coalesce(@Number, number), category = @Category, title = @Title, description = @Description,
                measures = @Measures, target = @Target, responsible_leader_id = @ResponsibleLeaderId, lead_unit = @LeadUnit, units = @Units,
                source = coalesce(@Source, source), version = version + 1, updated_at = @now
            where id = @itemId
            """;
        await connection.ExecuteAsync(new CommandDefinition(update, new
        {
            itemId, edit.Number, edit.Category, edit.Title, edit.Description, edit.Measures, edit.Target, edit.ResponsibleLeaderId, edit.LeadUnit,
            Units = edit.Units.ToArray(), edit.Source, now,
        }, tx, cancellationToken: ct));
        var active = beforeParts.Where(a => a.State != AssignmentStates.Withdrawn).Select(a => a.UnitCode).ToHashSet(StringComparer.Ordinal);
        var afterParts = (await Assignment.LoadAsync(connection, tx, [itemId], ct)).GetValueOrDefault(itemId, []);
        var added = afterParts.Where(a => a.State != AssignmentStates.Withdrawn && !active.Contains(a.UnitCode)).Select(a => a.UnitCode).ToList();
        var removed = afterParts.Where(a => a.State == AssignmentStates.Withdrawn && active.Contains(a.UnitCode)).Select(a => a.UnitCode).ToList();
        var floor = d.Item.LaunchEscalationLevel ?? EscalationLevels.None;
        if (added.Count > 0)
        {
            // A unit put back on the item starts over: its old signing and reports were for an assignment that ended.
            await connection.ExecuteAsync(new CommandDefinition("""
                update assignments set state = 'assigned', acknowledged_at = null, last_report_at = null, completed_at = null, escalation_level = @floor
                where item_id = @itemId and unit_code = any(@added)
                """, new { itemId, added = added.ToArray(), floor }, tx, cancellationToken: ct));
        }
        var state = item.State;
        if (fields.Contains("leadUnit"))
        {
            var lead = afterParts.Single(a => a.IsLead);
            var signed = !added.Contains(lead.UnitCode) && lead.State != AssignmentStates.Assigned;
            state = signed ? Domain.ItemStates.InProgress : d.Item.LaunchState;
            await connection.ExecuteAsync(new CommandDefinition(
                "update items set state = @state, acknowledged_at = @acknowledged where id = @itemId",
                new { itemId, state, acknowledged = signed ? lead.AcknowledgedAt ?? now : (DateTimeOffset?)null }, tx, cancellationToken: ct));
        }
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("select version from items where id = @itemId", new { itemId }, tx, cancellationToken: ct));

        var batch = new EffectBatch();
        var campaign = await connection.QuerySingleAsync<CampaignSubject>(new CommandDefinition(
            $"{CampaignSubject.Select} where c.id = @id", new { id = item.CampaignId }, tx, cancellationToken: ct));
        var zone = item.Zone;
        if (milestones is { Any: true })
            await ApplyMilestonesAsync(new ScheduleWork(connection, tx, d, await calendar.GetAsync(connection, ct, tx), zone, now), item, milestones, version, batch, ct);
        if (added.Count > 0)
        {
            var snapshot = await calendar.GetAsync(connection, ct, tx);
            // The new units must sign too: a fresh unacknowledged reminder for this cycle (the launch's has usually fired).
            batch.Timers.Add(new NewTimer(Schedule.AcknowledgeBy(d, snapshot, zone, now), "item", item.Id, item.CampaignId, item.Cycle, "reminder:unacknowledged"));
            await EnsureDeliverablesAsync(new ScheduleWork(connection, tx, d, snapshot, zone, now), campaign,
                afterParts.Where(a => added.Contains(a.UnitCode)).ToList(), batch, ct);
        }

        var journalId = await JournalIds.NextAsync(connection, tx, ct);
        var key = $"item:{item.Id}:changed:{journalId}";
        var remaining = afterParts.Where(a => a.State != AssignmentStates.Withdrawn && !added.Contains(a.UnitCode)).Select(a => a.UnitCode).ToList();
        var contacts = await ContactDirectory.LoadAsync(connection, tx, added.Concat(removed).Concat(remaining), ct);
        foreach (var unit in added)
        {
            var role = afterParts.Single(a => a.UnitCode == unit).Role;
            var message = new AssignedMessage(new AssignmentRef(item.CampaignId, item.Id, unit), item.EffectiveDeadline, item.Ongoing, role);
            foreach (var person in contacts.Contacts(unit)) batch.Notifications.Add(new NotificationRequest($"{key}:assigned:{unit}", message, person, now, false));
        }
        foreach (var unit in removed)
        {
            var message = new ChangedMessage(new AssignmentRef(item.CampaignId, item.Id, unit), fields, true, edit.Note, actor.Name);
            foreach (var person in contacts.Contacts(unit)) batch.Notifications.Add(new NotificationRequest($"{key}:removed:{unit}", message, person, now, false));
        }
        // The source is the office's own classification: a change of it alone is not news to the units.
        IReadOnlyList<Guid> told = fields.Any(f => f != "source") ? contacts.People(remaining, edit.ResponsibleLeaderId, fields.Contains("responsibleLeader")) : [];
        var changed = new ChangedMessage(new ItemRef(item.CampaignId, item.Id), fields, false, edit.Note, actor.Name);
        foreach (var person in told) batch.Notifications.Add(new NotificationRequest(key, changed, person, now, false));

        var data = new Dictionary<string, object?>
        {
            ["version"] = version, ["fields"] = fields, ["before"] = was, ["after"] = after, ["addedUnits"] = added, ["removedUnits"] = removed,
        };
        await JournalWriter.AppendAsync(connection, tx, journalId, new JournalEntry(item.CampaignId, item.Id, null, now, actor.Name, "changed",
            item.State, state, edit.Note, batch.Notifications.Count > 0 ? key : null, data), ct);
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        if (batch.TimersInserted > 0)
            await connection.ExecuteAsync(new CommandDefinition($"select pg_notify('{CampaignLauncher.TimerChannel}', '')", transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new ItemEdited(fields, added, removed);
    }
}
