using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Workflows.Notifications;

namespace Rectify.Workflows.Runtime;

public sealed record JournalEntry(
    Guid CampaignId, Guid? ItemId, Guid? DeliverableId, DateTimeOffset At, string Actor, string Type,
    string? FromState, string? ToState, string? Note, string? SubjectKey, object Data);

public sealed record NewEscalation(Guid Id, Guid CampaignId, Guid? ItemId, Guid? DeliverableId, string Level, string? OfficeUnit, DateTimeOffset OpenedAt, string? Note);

/// <summary>A unit's part of an item reached an escalation level (its record, issue 12).</summary>
public sealed record AssignmentLevel(Guid ItemId, string Unit, string Level);

public sealed record NewTimer(DateTimeOffset DueAt, string SubjectKind, Guid SubjectId, Guid CampaignId, int Cycle, string Step);

/// <summary>
/// Everything one transaction of the runtime writes, collected in memory and written with one set-based statement
/// per table. A sweep of a thousand timers is a dozen statements, not thousands.
/// </summary>
public sealed class EffectBatch
{
    public List<JournalEntry> Journal { get; } = [];
    public List<NotificationRequest> Notifications { get; } = [];
    public List<NewEscalation> Escalations { get; } = [];
    public List<NewTimer> Timers { get; } = [];
    public Dictionary<Guid, string> ItemLevels { get; } = [];
    public Dictionary<Guid, string> DeliverableLevels { get; } = [];
    public List<long> FiredTimers { get; } = [];
    public List<AssignmentLevel> AssignmentLevels { get; } = [];
    public List<(Guid ItemId, string Unit)> MissedReports { get; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    public int TimersInserted { get; private set; }

    /// <summary>What the batch holds now, for <paramref name="subject"/>: taken before one subject's effects are added.</summary>
    public readonly record struct Checkpoint(
        int Journal, int Notifications, int Escalations, int Timers, Guid Subject, string? ItemLevel, string? DeliverableLevel,
        int AssignmentLevels = 0, int MissedReports = 0);

    public Checkpoint Mark(Guid subject) => new(Journal.Count, Notifications.Count, Escalations.Count, Timers.Count, subject,
        ItemLevels.GetValueOrDefault(subject), DeliverableLevels.GetValueOrDefault(subject), AssignmentLevels.Count, MissedReports.Count);

    /// <summary>Takes back everything added since <paramref name="mark"/> (one subject's effects, when computing them threw).</summary>
    public void Rollback(Checkpoint mark)
    {
        Journal.RemoveRange(mark.Journal, Journal.Count - mark.Journal);
        Notifications.RemoveRange(mark.Notifications, Notifications.Count - mark.Notifications);
        Escalations.RemoveRange(mark.Escalations, Escalations.Count - mark.Escalations);
        Timers.RemoveRange(mark.Timers, Timers.Count - mark.Timers);
        AssignmentLevels.RemoveRange(mark.AssignmentLevels, AssignmentLevels.Count - mark.AssignmentLevels);
        MissedReports.RemoveRange(mark.MissedReports, MissedReports.Count - mark.MissedReports);
        Restore(ItemLevels, mark.Subject, mark.ItemLevel);
        Restore(DeliverableLevels, mark.Subject, mark.DeliverableLevel);

        static void Restore(Dictionary<Guid, string> levels, Guid subject, string? level)
        {
            if (level is null) levels.Remove(subject);
            else levels[subject] = level;
        }
    }

    public async Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction tx, INotificationOutbox outbox, DateTimeOffset now, CancellationToken ct)
    {
        if (Escalations.Count > 0)
        {
            const string sql = """
                insert into escalations(id, campaign_id, item_id, deliverable_id, level, office_unit, opened_at, note, lead_unit)
                select e.*, i.lead_unit
                from unnest(@ids, @campaigns, @items, @deliverables, @levels, @offices, @opened, @notes)
                     as e(id, campaign_id, item_id, deliverable_id, level, office_unit, opened_at, note)
                left join items i on i.id = e.item_id
                on conflict do nothing
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                ids = Escalations.Select(e => e.Id).ToArray(),
                campaigns = Escalations.Select(e => e.CampaignId).ToArray(),
                items = Escalations.Select(e => e.ItemId).ToArray(),
                deliverables = Escalations.Select(e => e.DeliverableId).ToArray(),
                levels = Escalations.Select(e => e.Level).ToArray(),
                offices = Escalations.Select(e => e.OfficeUnit).ToArray(),
                opened = Escalations.Select(e => e.OpenedAt).ToArray(),
                notes = Escalations.Select(e => e.Note).ToArray(),
            }, tx, cancellationToken: ct));
        }
        if (ItemLevels.Count > 0)
        {
            const string sql = """
                update items i set escalation_level = u.level, version = i.version + 1, updated_at = @now
                from unnest(@ids, @levels) as u(id, level) where i.id = u.id
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { ids = ItemLevels.Keys.ToArray(), levels = ItemLevels.Values.ToArray(), now }, tx, cancellationToken: ct));
        }
        if (AssignmentLevels.Count > 0)
        {
            const string sql = """
                update assignments a set escalation_level = u.level, levels_reached = a.levels_reached || u.level
                from unnest(@items, @units, @levels) as u(item, unit, level) where a.item_id = u.item and a.unit_code = u.unit
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                items = AssignmentLevels.Select(l => l.ItemId).ToArray(), units = AssignmentLevels.Select(l => l.Unit).ToArray(),
                levels = AssignmentLevels.Select(l => l.Level).ToArray(),
            }, tx, cancellationToken: ct));
        }
        if (MissedReports.Count > 0)
        {
            const string sql = """
                update assignments a set missed_reports = a.missed_reports + 1
                from unnest(@items, @units) as u(item, unit) where a.item_id = u.item and a.unit_code = u.unit
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                items = MissedReports.Select(m => m.ItemId).ToArray(), units = MissedReports.Select(m => m.Unit).ToArray(),
            }, tx, cancellationToken: ct));
        }
        if (DeliverableLevels.Count > 0)
        {
            const string sql = """
                update deliverables d set escalation_level = u.level, version = d.version + 1, updated_at = @now
                from unnest(@ids, @levels) as u(id, level) where d.id = u.id
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { ids = DeliverableLevels.Keys.ToArray(), levels = DeliverableLevels.Values.ToArray(), now }, tx, cancellationToken: ct));
        }
        await JournalWriter.AppendAsync(connection, tx, Journal, ct);
        if (Notifications.Count > 0) await outbox.EnqueueAsync(connection, tx, Notifications, now, ct);
        if (FiredTimers.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("delete from timers where id = any(@ids)",
                new { ids = FiredTimers.ToArray() }, tx, cancellationToken: ct));
        }
        if (Timers.Count > 0)
        {
            const string sql = """
                insert into timers(due_at, subject_kind, subject_id, campaign_id, cycle, step, created_at)
                select d, k, s, c, y, p, @now from unnest(@due, @kinds, @subjects, @campaigns, @cycles, @steps) as t(d, k, s, c, y, p)
                on conflict (subject_id, cycle, step) do nothing
                """;
            TimersInserted = await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                due = Timers.Select(t => t.DueAt).ToArray(),
                kinds = Timers.Select(t => t.SubjectKind).ToArray(),
                subjects = Timers.Select(t => t.SubjectId).ToArray(),
                campaigns = Timers.Select(t => t.CampaignId).ToArray(),
                cycles = Timers.Select(t => t.Cycle).ToArray(),
                steps = Timers.Select(t => t.Step).ToArray(),
                now,
            }, tx, cancellationToken: ct));
        }
    }

}

/// <summary>The contacts (联系人) of units, who receive a unit's messages, and their heads (主要负责人, audience leadUnitHead).</summary>
public sealed class ContactDirectory
{
    private readonly Dictionary<string, List<Guid>> byUnit = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Guid>> headsByUnit = new(StringComparer.Ordinal);

    public static async Task<ContactDirectory> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IEnumerable<string> units, CancellationToken ct)
    {
        var directory = new ContactDirectory();
        var codes = units.Distinct().ToArray();
        if (codes.Length == 0) return directory;
        const string sql = """
            select unit_code, id, is_unit_contact, is_unit_head from people
            where (is_unit_contact or is_unit_head) and unit_code = any(@codes) order by unit_code, name, id
            """;
        foreach (var (unit, id, contact, head) in await connection.QueryAsync<(string, Guid, bool, bool)>(new CommandDefinition(sql, new { codes }, tx, cancellationToken: ct)))
        {
            if (contact) Add(directory.byUnit, unit, id);
            if (head) Add(directory.headsByUnit, unit, id);
        }
        return directory;

        static void Add(Dictionary<string, List<Guid>> map, string unit, Guid id)
        {
            if (!map.TryGetValue(unit, out var list)) map[unit] = list = [];
            list.Add(id);
        }
    }

    public IEnumerable<Guid> Contacts(string unit) => byUnit.TryGetValue(unit, out var list) ? list : [];

    public IEnumerable<Guid> Heads(string unit) => headsByUnit.TryGetValue(unit, out var list) ? list : [];

    /// <param name="headsOf">Units whose heads are added (the lead unit, when the audiences name <see cref="Audiences.LeadUnitHead"/>).</param>
    public IReadOnlyList<Guid> People(IEnumerable<string> units, Guid? leader = null, bool includeLeader = false, IEnumerable<string>? headsOf = null)
    {
        var people = units.Distinct().SelectMany(Contacts).ToList();
        if (headsOf is not null) people.AddRange(headsOf.Distinct().SelectMany(Heads));
        if (includeLeader && leader is { } l) people.Add(l);
        return people.Distinct().ToList();
    }
}
