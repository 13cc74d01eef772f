using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

public static class DeliverableEvents
{
    public const string Submit = "submit";
    public const string Accept = "accept";
    public const string Return = "return";
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Submit, Accept, Return };

    public static string Name(string type) => type switch { Submit => "提交材料", Accept => "采纳", Return => "退回", _ => "处理" };

    public static string NameEn(string type) => type switch { Submit => "Submitted", Accept => "Accepted", Return => "Returned", _ => "Handled" };
}

/// <summary>
/// A unit's deliverables (its plan, its report): the owning unit submits (with at least one file), the leading group
/// accepts or returns. Submitting stops the reminders and resolves open escalations; a return starts a new cycle.
/// </summary>
public sealed class DeliverableService(NpgsqlDataSource db, DefinitionStore definitions, WorkingCalendar calendar, INotificationOutbox outbox)
{
    public static IReadOnlyList<string> AllowedEvents(Actor actor, DeliverableSubject d) =>
        DeliverableEvents.All.Where(e => Allows(actor, d, e) is null).Order().ToList();

    public async Task<EventOutcome> ApplyAsync(Guid id, Actor actor, EventRequest request, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var d = await connection.QuerySingleOrDefaultAsync<DeliverableSubject>(new CommandDefinition(
            $"{DeliverableSubject.Select} where d.id = @id for update of d", new { id }, tx, cancellationToken: ct));
        if (d is null) return new EventNotFound();
        if (request.ExpectedVersion is { } expected && expected != d.Version) return new EventConflict(d.Version);
        // A closed campaign is an archive (issue 13.6); FOR SHARE, so a close in flight finishes first.
        var campaignState = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "select state from campaigns where id = @CampaignId for share", new { d.CampaignId }, tx, cancellationToken: ct));
        if (campaignState == Domain.CampaignStates.Closed)
            return new EventRefused($"整改工作“{d.CampaignTitle}”已结束归档，不能再办理其中的材料 / the campaign is closed and read-only", "type");
        if (Allows(actor, d, request.Type) is { } refusal) return new EventRefused(refusal, "type");
        var attachments = request.AttachmentIds.Distinct().ToArray();
        var known = attachments.Length == 0 ? 0 : await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*) from attachments where id = any(@attachments) and deliverable_id = @id", new { attachments, id }, tx, cancellationToken: ct));
        if (known != attachments.Length) return new EventRefused("附件不存在或不属于该材料 / unknown attachment", "attachmentIds");
        if (request.Type == DeliverableEvents.Submit && attachments.Length == 0)
            return new EventRefused("提交材料须至少上传一个文件 / submit at least one file", "attachmentIds");
        if (request.Type == DeliverableEvents.Return && string.IsNullOrWhiteSpace(request.Note))
            return new EventRefused("退回须填写原因 / a note is required", "note");

        var definition = (await definitions.GetAsync(connection, d.WorkflowId, d.WorkflowVersion, ct))!.Definition;
        var (to, cycle) = request.Type switch
        {
            DeliverableEvents.Submit => ("submitted", d.Cycle),
            DeliverableEvents.Accept => ("accepted", d.Cycle),
            _ => ("returned", d.Cycle + 1),
        };
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            update deliverables set state = @to, cycle = @cycle, escalation_level = case when @to = 'submitted' then 'none' else escalation_level end,
                submitted_at = case when @to = 'submitted' then @now else submitted_at end,
                accepted_at = case when @to = 'accepted' then @now else accepted_at end,
                version = version + 1, updated_at = @now
            where id = @id returning version
            """, new { id, to, cycle, now }, tx, cancellationToken: ct));
        var batch = new EffectBatch();
        if (to == "submitted")
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                delete from timers where subject_id = @id;
                update escalations set resolved_at = @now where deliverable_id = @id and resolved_at is null;
                """, new { id, now }, tx, cancellationToken: ct));
        }
        else if (to == "returned")
        {
            var snapshot = await calendar.GetAsync(connection, ct, tx);
            var first = Schedule.FirstStep(Schedule.DeadlineSteps(definition, snapshot, d.Zone, d.DueDate, EscalationLevels.None), EscalationLevels.None, now);
            if (first is not null) batch.Timers.Add(new NewTimer(first.DueAt, "deliverable", d.Id, d.CampaignId, cycle, first.Name));
        }
        var audience = to == "submitted" ? d.IssuedByUnit : d.UnitCode;
        var contacts = await ContactDirectory.LoadAsync(connection, tx, [audience], ct);
        var recipients = contacts.People([audience]).ToList();
        // The journal is append-only (migration 0502): the subject key is written with the row, never added afterwards.
        var journalId = await JournalIds.NextAsync(connection, tx, ct);
        var key = $"deliverable:{d.Id}:event:{journalId}";
        await JournalWriter.AppendAsync(connection, tx, journalId, new JournalEntry(d.CampaignId, null, d.Id, now, actor.Name, request.Type,
            d.State, to, request.Note, recipients.Count > 0 ? key : null, new { attachmentIds = attachments, version, cycle }), ct);
        await connection.ExecuteAsync(new CommandDefinition("update attachments set journal_id = @journalId where id = any(@attachments) and journal_id is null",
            new { journalId, attachments }, tx, cancellationToken: ct));
        var message = new DecisionMessage(d.Ref(definition), request.Type, DeliverableEvents.Name(request.Type), DeliverableEvents.NameEn(request.Type),
            d.State, to, request.Note, null, d.DueDate, actor.Name);
        foreach (var person in recipients)
            batch.Notifications.Add(new NotificationRequest(key, message, person, now, false));
        await batch.FlushAsync(connection, tx, outbox, now, ct);
        await tx.CommitAsync(ct);
        return new EventApplied(version, journalId);
    }

    /// <summary>A deliverable's state as a refusal names it: 待报送 (not submitted yet), 已采纳, 已退回, 已报送待审核.</summary>
    public static string StateName(string state) => state switch
    {
        "pending" => "尚未报送",
        "submitted" => "已报送，正在审核",
        "accepted" => "已采纳",
        "returned" => "已退回，尚未重新报送",
        _ => state,
    };

    private static string? Allows(Actor actor, DeliverableSubject d, string type)
    {
        var owner = actor.Role == Roles.Admin || (actor.Role is Roles.Unit or Roles.Supervisor or Roles.LeadingGroup && actor.UnitCode == d.UnitCode);
        var office = actor.Role == Roles.Admin || (actor.Role == Roles.LeadingGroup && actor.UnitCode == d.IssuedByUnit);
        return type switch
        {
            DeliverableEvents.Submit when d.State is not ("pending" or "returned") =>
                $"材料{StateName(d.State)}，不能再提交 / cannot submit in state {d.State}",
            DeliverableEvents.Submit when !owner => "只有报送单位可以提交 / only the owning unit may submit",
            // Deciding what is already decided (issue 13): the refusal says what was decided.
            DeliverableEvents.Accept or DeliverableEvents.Return when d.State != "submitted" =>
                $"材料{StateName(d.State)}，不能再{(type == DeliverableEvents.Accept ? "采纳" : "退回")} / cannot {type} in state {d.State}",
            DeliverableEvents.Accept or DeliverableEvents.Return when !office => "只有领导小组办公室可以审核 / only the leading-group office may review",
            DeliverableEvents.Submit or DeliverableEvents.Accept or DeliverableEvents.Return => null,
            _ => $"未知事件 {type} / unknown event",
        };
    }
}
