using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Content;
using Rectify.Workflows.Domain;

namespace Rectify.Notifications.Letters;

/// <summary>
/// Generates a supervision letter (督办函) for an escalation once and keeps it: the first caller (the e-mail at the
/// supervisionLetter step, or a download) allocates the letter number from the office's yearly sequence, builds the
/// .docx and stores it; later callers get the same document. Numbers are given in a short transaction on the office's
/// sequence row, a batch at a time (see <see cref="NumberAsync"/>); the document is built after it and stored once.
/// </summary>
public sealed class SupervisionLetters(NpgsqlDataSource db, IWorkingDays workingDays, PublicLinks links, IOptions<LetterOptions> options)
{
    private sealed record Facts(
        Guid Id, Guid CampaignId, Guid? ItemId, string Level, string OfficeUnit, string OfficeName, DateTimeOffset OpenedAt, string? Note,
        string CampaignTitle, string? DocumentNumber, string TimeZone, string? ItemNumber, string? ItemTitle, string? Description,
        string? Measures, DateOnly? Deadline, string? AddresseeUnit, string? LeaderName, string? Step, string? DeliverableName, DateOnly? DueDate, DateOnly? ReplyBy);

    private sealed record Stored(Guid EscalationId, string LetterNumber, string FileName, DateOnly ResponseDue, byte[]? Content, string OfficeName);

    private const string StoredSql = """
        select l.escalation_id as EscalationId, l.letter_number as LetterNumber, l.file_name as FileName, l.response_due as ResponseDue,
               l.content, coalesce(u.name, '督查室') as OfficeName
        from supervision_letters l
        join escalations e on e.id = l.escalation_id
        join campaigns c on c.id = e.campaign_id
        left join units u on u.code = coalesce(e.office_unit, c.supervision_unit, c.issued_by_unit)
        where l.escalation_id = @id
        """;

    private const string FactsSql = """
        select e.id, e.campaign_id as CampaignId, e.item_id as ItemId, e.level, coalesce(e.office_unit, c.supervision_unit, c.issued_by_unit) as OfficeUnit,
               ou.name as OfficeName, e.opened_at as OpenedAt, e.note, c.title as CampaignTitle, c.document_number as DocumentNumber,
               c.time_zone as TimeZone, i.number as ItemNumber, i.title as ItemTitle, i.description, i.measures,
               coalesce(i.effective_deadline, i.deadline, d.due_date) as Deadline, coalesce(lu.name, du.name) as AddresseeUnit, p.name as LeaderName,
               (select j.data->>'step' from journal j
                where e.item_id is not null and j.item_id = e.item_id and j.type = 'escalation' and j.data->>'escalationId' = e.id::text
                limit 1) as Step,
               (select x->>'name' from workflow_definitions wd, jsonb_array_elements(coalesce(wd.definition->'deliverables', '[]'::jsonb)) x
                where wd.id = c.workflow_id and wd.version = c.workflow_version and x->>'key' = d.kind limit 1) as DeliverableName,
               d.due_date as DueDate,
               e.reply_by as ReplyBy
        from escalations e
        join campaigns c on c.id = e.campaign_id
        join units ou on ou.code = coalesce(e.office_unit, c.supervision_unit, c.issued_by_unit)
        left join items i on i.id = e.item_id
        left join units lu on lu.code = i.lead_unit
        left join people p on p.id = i.responsible_leader_id
        left join deliverables d on d.id = e.deliverable_id
        left join units du on du.code = d.unit_code
        where e.id = @id
        """;

    /// <summary>
    /// The letter of an escalation, numbered now if needed; null when there is no supervisionLetter escalation. With
    /// <paramref name="withDocument"/> the .docx is built now if needed and returned in <see cref="LetterInfo.Content"/>;
    /// without it (an inbox or robot message only quotes the number and the response date) Content is whatever is
    /// stored, possibly null, and no document is built.
    /// </summary>
    public async Task<LetterInfo?> EnsureAsync(Guid? escalationId, Guid? itemId, DateOnly? missedDeadline, DateTimeOffset now, bool withDocument, CancellationToken ct)
    {
        // A caller holds at most one connection at a time and none while a document is rendered, so any number of
        // callers at once cannot exhaust the pool waiting on each other.
        Guid? id;
        Facts? f;
        bool numbered;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            id = escalationId ?? (itemId is null ? null : await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                select id from escalations where item_id = @itemId and level = 'supervisionLetter' order by opened_at desc limit 1
                """, new { itemId }, cancellationToken: ct)));
            if (id is null) return null;
            var stored = await connection.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
            if (stored is { Content: not null } || stored is not null && !withDocument) return ToInfo(stored);
            numbered = stored is not null;
            f = await connection.QuerySingleOrDefaultAsync<Facts>(new CommandDefinition(FactsSql, new { id }, cancellationToken: ct));
            if (f is null) return null;
        }
        var letterDate = ItemStatus.LocalToday(f.OpenedAt, f.TimeZone);
        // A letter issued by hand carries the reply date its office set (issue 13); the ladder's get the configured working days.
        var responseDue = f.ReplyBy ?? await workingDays.AddAsync(letterDate, options.Value.ResponseWorkingDays, ct);

        // Step 1, short: the number, from the office's yearly sequence, stored with the escalation. The sequence row
        // is locked only for this transaction, never while a document is rendered.
        Stored letter;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            if (!numbered) await NumberAsync(connection, id.Value, f, letterDate, responseDue, now, ct);
            letter = await connection.QuerySingleAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
        }
        if (letter.Content is not null || !withDocument) return ToInfo(letter);

        // Step 2: the document, built with no connection held; callers on this node share one build per escalation.
        // Callers on two nodes may both build it; the first stored wins and both return that one.
        // What is late (issue 14 §4): an item's deadline, a missed periodic report of an ongoing item (its date, from the
        // step that opened the escalation), or a deliverable not submitted — never "逾期0天" against a deadline there is none of.
        var reportDate = f.Step is { } step && step.StartsWith("periodic:", StringComparison.Ordinal) ? Rectify.Workflows.Runtime.Schedule.PeriodicDate(step) : (DateOnly?)null;
        var matter = f.ItemId is null ? LetterMatter.Deliverable : reportDate is not null ? LetterMatter.PeriodicReport : LetterMatter.Item;
        var deadline = matter switch
        {
            LetterMatter.PeriodicReport => reportDate,
            LetterMatter.Deliverable => f.DueDate ?? missedDeadline,
            _ => missedDeadline ?? f.Deadline,
        };
        var overdue = deadline is { } d && letterDate > d ? letterDate.DayNumber - d.DayNumber : 0;
        var workingOverdue = deadline is { } d2 ? await workingDays.CountAsync(d2, letterDate, ct) : 0;
        var content = new LetterContent(
            f.OfficeName, letter.LetterNumber, f.AddresseeUnit ?? "有关单位", f.CampaignTitle, f.DocumentNumber, f.ItemNumber, f.ItemTitle ?? f.CampaignTitle,
            f.Description, f.Measures, deadline, overdue, workingOverdue, letter.ResponseDue, f.LeaderName, letterDate,
            f.ItemId is { } iid ? links.Item(iid) : links.Deliverables, f.Note, matter, f.DeliverableName);
        var build = building.GetOrAdd(id.Value, _ => new Lazy<Task<byte[]>>(() => Task.Run(() => LetterDocument.Build(content), CancellationToken.None)));
        byte[] bytes;
        try
        {
            bytes = await build.Value.WaitAsync(ct);
        }
        finally
        {
            building.TryRemove(new KeyValuePair<Guid, Lazy<Task<byte[]>>>(id.Value, build));
        }
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update supervision_letters set content = @bytes where escalation_id = @id and content is null", new { id, bytes }, cancellationToken: ct));
            return ToInfo(await connection.QuerySingleAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct)));
        }
    }

    /// <summary>Documents being built on this node, by escalation, so simultaneous callers build one.</summary>
    private readonly ConcurrentDictionary<Guid, Lazy<Task<byte[]>>> building = new();

    /// <summary>
    /// Gives the escalation its letter number unless it has one, and in the same transaction numbers the office's other
    /// open supervision-letter escalations of that year that are still waiting (up to <see cref="BatchSize"/>, in the order
    /// they opened): a storm of letters costs one commit on the office's sequence row per batch, not one per letter.
    /// Numbering is serialised on the sequence row, so numbers stay gapless and unique per office and year.
    /// </summary>
    private async Task NumberAsync(NpgsqlConnection connection, Guid id, Facts f, DateOnly letterDate, DateOnly responseDue, DateTimeOffset now, CancellationToken ct)
    {
        var office = f.OfficeUnit;
        var year = letterDate.Year;
        // The response dates of the letters about to be numbered, worked out before the transaction: the calendar may
        // need a connection of its own, and none is taken while the sequence row is locked.
        var dues = new Dictionary<DateOnly, DateOnly> { [letterDate] = responseDue };
        var candidates = (await connection.QueryAsync<Waiting>(new CommandDefinition(
            WaitingSql, new { id, office, year, batch = BatchSize }, cancellationToken: ct))).ToList();
        if (!candidates.Any(c => c.Id == id)) return; // another caller's batch numbered it meanwhile
        foreach (var date in candidates.Select(c => c.LetterDate).Distinct())
            if (!dues.ContainsKey(date)) dues[date] = await workingDays.AddAsync(date, options.Value.ResponseWorkingDays, ct);

        await using var tx = await connection.BeginTransactionAsync(ct);
        var last = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            insert into letter_sequences(office_unit, year, last_seq) values (@office, @year, 0)
            on conflict (office_unit, year) do update set last_seq = letter_sequences.last_seq
            returning last_seq
            """, new { office, year }, tx, cancellationToken: ct));
        // Callers that queued on the sequence row behind a batch that numbered them leave at once.
        var numberedMeanwhile = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from supervision_letters where escalation_id = @id)", new { id }, tx, cancellationToken: ct));
        List<Waiting> waiting = numberedMeanwhile ? [] : (await connection.QueryAsync<Waiting>(new CommandDefinition(
            WaitingSql, new { id, office, year, batch = BatchSize }, tx, cancellationToken: ct))).ToList();
        if (!waiting.Any(w => w.Id == id))
        {
            await tx.CommitAsync(ct);
            return;
        }
        // Numbers follow the order the escalations opened.
        var batch = waiting.Where(w => dues.ContainsKey(w.LetterDate)).OrderBy(w => w.OpenedAt).ThenBy(w => w.Id).ToList();
        var prefix = options.Value.Prefixes.TryGetValue(office, out var p) && p.Length > 0 ? p : f.OfficeName;
        var numbers = batch.Select((_, i) => $"{prefix}〔{year}〕{last + i + 1}号").ToArray();
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into supervision_letters(escalation_id, letter_number, file_name, response_due, content, created_at)
            select b.id, b.number, '督办函' || b.number || '.docx', coalesce(e.reply_by, b.due), null, @now
            from unnest(@ids, @numbers, @dues) as b(id, number, due) join escalations e on e.id = b.id;
            update escalations e set letter_number = b.number
            from unnest(@ids, @numbers) as b(id, number)
            where e.id = b.id;
            update letter_sequences set last_seq = @last where office_unit = @office and year = @year;
            """, new
        {
            ids = batch.Select(w => w.Id).ToArray(),
            numbers,
            dues = batch.Select(w => dues[w.LetterDate]).ToArray(),
            now = now.ToUniversalTime(),
            last = last + batch.Count,
            office,
            year,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    private sealed record Waiting(Guid Id, DateOnly LetterDate, DateTime OpenedAt);

    /// <summary>Escalations numbered together in one transaction at most.</summary>
    private const int BatchSize = 500;

    /// <summary>
    /// The office's supervision-letter escalations of the year still without a number: the requested one (so the limit
    /// never leaves it out) and the open ones in the order they opened (index escalations_letter_waiting, migration 0505).
    /// </summary>
    private const string WaitingSql = """
        select e.id, (e.opened_at at time zone c.time_zone)::date as LetterDate, e.opened_at as OpenedAt
        from escalations e
        join campaigns c on c.id = e.campaign_id
        where e.id = @id and e.level = 'supervisionLetter' and e.letter_number is null
        union all
        (select e.id, (e.opened_at at time zone c.time_zone)::date, e.opened_at
         from escalations e
         join campaigns c on c.id = e.campaign_id
         where e.level = 'supervisionLetter' and e.letter_number is null and e.resolved_at is null and e.id <> @id
           and coalesce(e.office_unit, c.supervision_unit, c.issued_by_unit) = @office
           and extract(year from e.opened_at at time zone c.time_zone) = @year
         order by e.opened_at, e.id
         limit @batch - 1)
        """;

    private static LetterInfo ToInfo(Stored s) => new(s.EscalationId, s.LetterNumber, s.FileName, s.ResponseDue, s.Content, s.OfficeName);
}
