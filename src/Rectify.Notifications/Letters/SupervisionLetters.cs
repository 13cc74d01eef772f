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
/// .docx and stores it; later callers get the same document. The number is given in a short transaction (concurrent callers serialise on the escalation row, and on the
/// office's sequence row only for that moment); the document is built after it and stored once.
/// </summary>
public sealed class SupervisionLetters(NpgsqlDataSource db, IWorkingDays workingDays, PublicLinks links, IOptions<LetterOptions> options)
{
    private sealed record Facts(
        Guid Id, Guid CampaignId, Guid? ItemId, string Level, string OfficeUnit, string OfficeName, DateTime OpenedAt, string? Note,
        string CampaignTitle, string? DocumentNumber, string TimeZone, string? ItemNumber, string? ItemTitle, string? Description,
        string? Measures, DateOnly? Deadline, string? AddresseeUnit, string? LeaderName);

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
               coalesce(i.effective_deadline, i.deadline) as Deadline, lu.name as AddresseeUnit, p.name as LeaderName
        from escalations e
        join campaigns c on c.id = e.campaign_id
        join units ou on ou.code = coalesce(e.office_unit, c.supervision_unit, c.issued_by_unit)
        left join items i on i.id = e.item_id
        left join units lu on lu.code = i.lead_unit
        left join people p on p.id = i.responsible_leader_id
        where e.id = @id
        """;

    /// <summary>The letter of an escalation (generated now if needed); null when there is no supervisionLetter escalation.</summary>
    public async Task<LetterInfo?> EnsureAsync(Guid? escalationId, Guid? itemId, Payload payload, DateTimeOffset now, CancellationToken ct)
    {
        // A caller holds at most one connection at a time (the working-day calendar opens its own), so any number of
        // callers at once cannot exhaust the pool waiting on each other.
        Guid? id;
        Facts? f;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            id = escalationId ?? (itemId is null ? null : await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                select id from escalations where item_id = @itemId and level = 'supervisionLetter' order by opened_at desc limit 1
                """, new { itemId }, cancellationToken: ct)));
            if (id is null) return null;
            var stored = await connection.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
            if (stored is { Content: not null }) return ToInfo(stored);
            f = await connection.QuerySingleOrDefaultAsync<Facts>(new CommandDefinition(FactsSql, new { id }, cancellationToken: ct));
            if (f is null) return null;
        }
        var letterDate = ItemStatus.LocalToday(new DateTimeOffset(DateTime.SpecifyKind(f.OpenedAt, DateTimeKind.Utc)), f.TimeZone);
        var deadline = payload.Date("deadline") ?? f.Deadline;
        var overdue = payload.Int("overdueDays") ?? (deadline is { } d && letterDate > d ? letterDate.DayNumber - d.DayNumber : 0);
        var workingOverdue = payload.Int("workingDaysOverdue") ?? (deadline is { } d2 ? await workingDays.CountAsync(d2, letterDate, ct) : 0);
        var responseDue = payload.Date("responseDue") ?? await workingDays.AddAsync(letterDate, options.Value.ResponseWorkingDays, ct);

        await using var letterConnection = await db.OpenConnectionAsync(ct);
        // Step 1, short: the number, from the office's yearly sequence, stored with the escalation. The sequence row
        // is locked only for this transaction, never while a document is rendered.
        await NumberAsync(letterConnection, id.Value, f, letterDate, responseDue, now, ct);
        var numbered = await letterConnection.QuerySingleAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
        if (numbered.Content is not null) return ToInfo(numbered);

        // Step 2: the document. Two callers may both build it; the first stored wins and both return that one.
        var content = new LetterContent(
            f.OfficeName, numbered.LetterNumber, f.AddresseeUnit ?? "有关单位", f.CampaignTitle, f.DocumentNumber, f.ItemNumber, f.ItemTitle ?? f.CampaignTitle,
            f.Description, f.Measures, deadline, overdue, workingOverdue, numbered.ResponseDue, f.LeaderName, letterDate,
            f.ItemId is { } iid ? links.Item(iid) : links.Campaign(f.CampaignId), payload.String("note") ?? f.Note);
        var bytes = LetterDocument.Build(content);
        await letterConnection.ExecuteAsync(new CommandDefinition(
            "update supervision_letters set content = @bytes where escalation_id = @id and content is null", new { id, bytes }, cancellationToken: ct));
        return ToInfo(await letterConnection.QuerySingleAsync<Stored>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct)));
    }

    /// <summary>Gives the escalation its letter number unless it has one (callers serialise on the escalation row).</summary>
    private async Task NumberAsync(NpgsqlConnection connection, Guid id, Facts f, DateOnly letterDate, DateOnly responseDue, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select 1 from escalations where id = @id for update", new { id }, tx, cancellationToken: ct));
        var numbered = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from supervision_letters where escalation_id = @id)", new { id }, tx, cancellationToken: ct));
        if (!numbered)
        {
            var seq = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                insert into letter_sequences(office_unit, year, last_seq) values (@office, @year, 1)
                on conflict (office_unit, year) do update set last_seq = letter_sequences.last_seq + 1
                returning last_seq
                """, new { office = f.OfficeUnit, year = letterDate.Year }, tx, cancellationToken: ct));
            var prefix = options.Value.Prefixes.TryGetValue(f.OfficeUnit, out var p) && p.Length > 0 ? p : f.OfficeName;
            var number = $"{prefix}〔{letterDate.Year}〕{seq}号";
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into supervision_letters(escalation_id, letter_number, file_name, response_due, content, created_at)
                values (@id, @number, @fileName, @responseDue, null, @now);
                update escalations set letter_number = @number where id = @id;
                """, new { id, number, fileName = $"督办函{number}.docx", responseDue, now = now.ToUniversalTime() }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }

    private static LetterInfo ToInfo(Stored s) => new(s.EscalationId, s.LetterNumber, s.FileName, s.ResponseDue, s.Content!, s.OfficeName);
}
