using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

/// <summary>When and where an admonitory talk (约谈) takes place, and who attends, as the office sets it.</summary>
public sealed record TalkSetting(DateTimeOffset At, string Place, string Attendees);

public abstract record TalkOutcome;
public sealed record TalkScheduled(Guid EscalationId, int Revision, long JournalId) : TalkOutcome;
public sealed record TalkNotFound : TalkOutcome;
public sealed record TalkRefused(string Message, string? Field) : TalkOutcome;
public sealed record TalkForbidden(string Message) : TalkOutcome;

/// <summary>
/// 约谈 as an appointment (issue 13 §5, issue 14 §4): when the ladder reaches admonitoryTalk, the office sets time,
/// place and attendees on that escalation. In one transaction the escalation keeps them (a new revision each time),
/// the item's (or deliverable's) journal records it, and the notice goes to the lead unit (contacts and head), the
/// responsible leader and both offices, whatever the ladder step of the definition version named: an appointment is
/// addressed to those who must come and those who hold it.
/// </summary>
public sealed class TalkAppointments(NpgsqlDataSource db, DefinitionStore definitions, INotificationOutbox outbox)
{
    private static readonly IReadOnlyList<string> Audience =
        [Audiences.LeadUnit, Audiences.LeadUnitHead, Audiences.ResponsibleLeader, Audiences.LeadingGroup, Audiences.SupervisionOffice];

    private sealed record EscalationRow(
        Guid Id, Guid CampaignId, Guid? ItemId, Guid? DeliverableId, string Level, string? OfficeUnit, DateTime? ResolvedAt,
        string? SupervisionUnit, string IssuedByUnit, string? Step);

    public async Task<TalkOutcome> ScheduleAsync(Guid escalationId, Actor actor, TalkSetting request, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The journal entry of the step that opened the escalation says which periodic report a talk is about.
        const string find = """
            select e.id, e.campaign_id as CampaignId, e.item_id as ItemId, e.deliverable_id as DeliverableId, e.level,
                   e.office_unit as OfficeUnit, e.resolved_at as ResolvedAt, c.supervision_unit as SupervisionUnit, c.issued_by_unit as IssuedByUnit,
                   (select j.data->>'step' from journal j
                    where e.item_id is not null and j.item_id = e.item_id and j.type = 'escalation' and j.data->>'escalationId' = e.id::text
                    limit 1) as Step
            from escalations e join campaigns c on c.id = e.campaign_id
            where e.id = @escalationId for update of e
            """;
        var e = await connection.QuerySingleOrDefaultAsync<EscalationRow>(new CommandDefinition(find, new { escalationId }, tx, cancellationToken: ct));
        if (e is null) return new TalkNotFound();
        var office = e.OfficeUnit ?? e.SupervisionUnit ?? e.IssuedByUnit;
        var allowed = actor.Role == Roles.Admin
            || (actor.Role == Roles.Supervisor && (actor.UnitCode == office || actor.UnitCode == e.SupervisionUnit))
            || (actor.Role == Roles.LeadingGroup && actor.UnitCode == office);
        if (!allowed) return new TalkForbidden("只有约谈单位（督查室）或管理员可以安排约谈 / only the office holding the talk may set it");
        if (request.At <= now) return new TalkRefused("约谈时间已过，请选择今后的时间 / the time of the talk has passed", "at");
        if (request.At > now.AddYears(2)) return new TalkRefused("约谈时间不能晚于两年以后 / the talk is more than two years ahead", "at");
        if (e.Level != "admonitoryTalk")
            return new TalkRefused("该督办尚未升级到约谈，不能安排约谈 / this escalation is not an admonitory talk", null);
        if (e.ResolvedAt is not null)
            return new TalkRefused("该约谈督办已解除（问题已销号或材料已报送），不能再安排 / the escalation is resolved", null);

        var revision = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            update escalations set talk_at = @at, talk_place = @place, talk_attendees = @attendees, talk_revision = talk_revision + 1,
                   talk_set_by = @by, talk_set_at = @now
            where id = @escalationId returning talk_revision
            """, new { escalationId, at = request.At.ToUniversalTime(), place = request.Place, attendees = request.Attendees, by = actor.Name, now }, tx, cancellationToken: ct));
        var talk = new TalkAppointment(request.At, request.Place, request.Attendees, revision);

        var built = await MessageAsync(connection, tx, e, office, talk, ct);
        if (built is null) return new TalkNotFound();
        var (subject, deadline, people) = built.Value;
        var journalId = await JournalIds.NextAsync(connection, tx, ct);
        var key = $"escalation:{escalationId}:talk:r{revision}";
        var data = new Dictionary<string, object?>
        {
            ["escalationId"] = escalationId, ["level"] = "admonitoryTalk", ["talkAt"] = request.At, ["place"] = request.Place,
            ["attendees"] = request.Attendees, ["revision"] = revision,
        };
        await JournalWriter.AppendAsync(connection, tx, journalId, new JournalEntry(e.CampaignId, e.ItemId, e.DeliverableId, now, actor.Name, "talkScheduled",
            null, null, null, people.Count > 0 ? key : null, data), ct);
        var message = new EscalationMessage(subject, "admonitoryTalk", office, deadline, Talk: talk);
        var batch = new EffectBatch();
        foreach (var person in people)
            batch.Notifications.Add(new NotificationRequest(key, message, person, now, true, escalationId));
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        await tx.CommitAsync(ct);
        return new TalkScheduled(escalationId, revision, journalId);
    }

    /// <summary>What the notice is about (the item, its missed periodic report, or the deliverable), the date missed, and who is told.</summary>
    private async Task<(MessageSubject Subject, DateOnly? Deadline, IReadOnlyList<Guid> People)?> MessageAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, EscalationRow e, string office, TalkAppointment talk, CancellationToken ct)
    {
        if (e.ItemId is { } itemId)
        {
            var item = await connection.QuerySingleOrDefaultAsync<ItemSubject>(new CommandDefinition(
                $"{ItemSubject.Select} where i.id = @itemId", new { itemId }, tx, cancellationToken: ct));
            if (item is null) return null;
            var contacts = await ContactDirectory.LoadAsync(connection, tx, [item.LeadUnit, item.IssuedByUnit, item.SupervisionUnit ?? item.IssuedByUnit, office], ct);
            var people = contacts.People(Audiences.Units(Audience, item.LeadUnit, [], item.IssuedByUnit, item.SupervisionUnit).Append(office),
                item.ResponsibleLeaderId, includeLeader: true, headsOf: [item.LeadUnit]);
            if (e.Step is { } step && step.StartsWith("periodic:", StringComparison.Ordinal))
            {
                var due = Schedule.PeriodicDate(step);
                return (new PeriodicReportRef(item.CampaignId, item.Id, due), due, people);
            }
            return (new ItemRef(item.CampaignId, item.Id), item.EffectiveDeadline ?? item.Deadline, people);
        }
        if (e.DeliverableId is not { } deliverableId) return null;
        var d = await connection.QuerySingleOrDefaultAsync<DeliverableSubject>(new CommandDefinition(
            $"{DeliverableSubject.Select} where d.id = @deliverableId", new { deliverableId }, tx, cancellationToken: ct));
        if (d is null) return null;
        var definition = (await definitions.GetAsync(connection, d.WorkflowId, d.WorkflowVersion, ct))!.Definition;
        var unitContacts = await ContactDirectory.LoadAsync(connection, tx, [d.UnitCode, d.IssuedByUnit, d.SupervisionUnit ?? d.IssuedByUnit, office], ct);
        var recipients = unitContacts.People(Audiences.Units(Audience, d.UnitCode, [], d.IssuedByUnit, d.SupervisionUnit).Append(office), headsOf: [d.UnitCode]);
        return (d.Ref(definition), d.DueDate, recipients);
    }
}
