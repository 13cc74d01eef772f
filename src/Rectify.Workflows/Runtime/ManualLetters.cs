using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

public abstract record LetterOutcome;
public sealed record LetterIssued(Guid EscalationId, IReadOnlyList<string> Units) : LetterOutcome;
public sealed record LetterRefused(int Status, string Message, string? Field = null) : LetterOutcome;

/// <summary>
/// A supervision letter (督办函) issued by hand by the supervision office, with the reply date it sets (issue 13),
/// besides the ones the ladder issues: an escalation record with its letter, to the units whose part is not completed
/// (or the one unit named), journaled on the item. Like the manual urge it does not move the item up the ladder: the
/// ladder's own steps still follow the deadline.
/// </summary>
public sealed class ManualLetters(NpgsqlDataSource db, DefinitionStore definitions, INotificationOutbox outbox)
{
    public async Task<LetterOutcome> IssueAsync(Guid itemId, Actor actor, DateOnly replyBy, string? note, string? unit, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var item = await connection.QuerySingleOrDefaultAsync<ItemSubject>(new CommandDefinition(
            $"{ItemSubject.Select} where i.id = @itemId {ItemSubject.LockForChange}", new { itemId }, tx, cancellationToken: ct));
        if (item is null) return new LetterRefused(404, "问题不存在 / item not found");
        var mayIssue = actor.Role == Domain.Roles.Admin || (actor.Role == Domain.Roles.Supervisor && actor.UnitCode is not null && actor.UnitCode == item.SupervisionUnit);
        if (!mayIssue) return new LetterRefused(403, "只有该整改工作的督查室可以签发督办函 / only the campaign's supervision office may issue a supervision letter");
        if (item.CampaignState == Domain.CampaignStates.Closed)
            return new LetterRefused(422, $"整改工作“{item.CampaignTitle}”已结束归档 / the campaign is closed and read-only");
        var d = (await definitions.GetAsync(connection, item.WorkflowId, item.WorkflowVersion, ct))!.Definition;
        if (d.IsClosed(item.State) || item.State == d.Item.InitialState)
            return new LetterRefused(422, $"问题当前状态为“{StateMachine.StateName(d, item.State)}”，不能签发督办函 / no letter for a {item.State} item", "state");
        if (replyBy < LocalTime.Date(now, item.Zone))
            return new LetterRefused(422, "回复期限不能早于今天 / replyBy cannot be in the past", "replyBy");
        var parts = (await Assignment.LoadAsync(connection, tx, [itemId], ct)).GetValueOrDefault(itemId, []);
        if (unit is not null && parts.All(a => a.UnitCode != unit || a.State == AssignmentStates.Withdrawn))
            return new LetterRefused(422, $"单位“{unit}”不是该问题的单位 / {unit} is not a unit of this item", "unit");
        var units = parts.Where(a => a.IsBehind && (unit is null || a.UnitCode == unit)).Select(a => a.UnitCode).ToList();
        if (units.Count == 0)
            return new LetterRefused(422, unit is null ? "各单位均已完成本单位整改，无需督办 / every unit has completed its part" : $"单位“{unit}”已完成本单位整改，无需督办 / {unit} has completed its part", "unit");

        var escalationId = Guid.CreateVersion7(now);
        var office = actor.UnitCode ?? item.SupervisionUnit ?? item.IssuedByUnit;
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at, note, reply_by)
            values (@escalationId, @CampaignId, @Id, 'supervisionLetter', @office, @now, @note, @replyBy)
            """, new { escalationId, item.CampaignId, item.Id, office, now, note = note ?? "人工签发 / issued by hand", replyBy }, tx, cancellationToken: ct));
        var journalId = await JournalIds.NextAsync(connection, tx, ct);
        var key = $"item:{item.Id}:letter:{escalationId}";
        var contacts = await ContactDirectory.LoadAsync(connection, tx, units, ct);
        var batch = new EffectBatch();
        foreach (var u in units)
        {
            var message = new EscalationMessage(new AssignmentRef(item.CampaignId, item.Id, u), "supervisionLetter", office, item.EffectiveDeadline);
            foreach (var person in contacts.Contacts(u))
                batch.Notifications.Add(new NotificationRequest($"{key}:{u}", message, person, now, true, escalationId));
        }
        var data = new Dictionary<string, object?>
        {
            ["escalationId"] = escalationId, ["level"] = "supervisionLetter", ["replyBy"] = replyBy, ["units"] = units, ["manual"] = true,
            ["recipients"] = contacts.People(units),
        };
        await JournalWriter.AppendAsync(connection, tx, journalId, new JournalEntry(item.CampaignId, item.Id, null, now, actor.Name, "supervisionLetter",
            item.State, item.State, note, batch.Notifications.Count > 0 ? key : null, data), ct);
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        await tx.CommitAsync(ct);
        return new LetterIssued(escalationId, units);
    }
}
