using Dapper;
using Npgsql;
using Rectify.Notifications.Content;
using Rectify.Notifications.Dispatch;

namespace Rectify.Notifications.Digests;

/// <summary>
/// The lines of one person's daily digest: the messages folded into it (their subjects, rendered when they were held)
/// and the items the person answers for that are overdue, escalated or due within a week.
/// </summary>
public sealed class DigestContent(NpgsqlDataSource db, PublicLinks links)
{
    public const int DueWithinDays = 7;
    private const int MaxPerSection = 50;

    private sealed record Folded(string? Subject, Guid? ItemId);

    private sealed record ItemLine(
        Guid Id, string? Number, string Title, string CampaignTitle, DateOnly? EffectiveDeadline, string EscalationLevel);

    public async Task<IReadOnlyList<DigestLine>> LinesAsync(ClaimedRow row, Recipient recipient, DateOnly today, DateTimeOffset now, CancellationToken ct)
    {
        const string foldedSql = """
            select subject, item_id as ItemId from outbox where digested_in = @id order by created_at, id limit @max
            """;
        const string itemsSql = """
            select i.id, i.number, i.title, c.title as CampaignTitle, i.effective_deadline as EffectiveDeadline, i.escalation_level as EscalationLevel
            from items i
            join campaigns c on c.id = i.campaign_id
            join people p on p.id = @person
            where i.state not in ('draft','closed','withdrawn')
              and (i.responsible_leader_id = p.id or (p.is_unit_contact and (i.lead_unit = p.unit_code or p.unit_code = any(i.units))))
              and (i.escalation_level <> 'none' or i.effective_deadline <= @horizon)
            order by i.effective_deadline nulls last, c.title, i.seq
            limit 200
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var folded = (await connection.QueryAsync<Folded>(new CommandDefinition(foldedSql, new { id = row.Id, max = MaxPerSection }, cancellationToken: ct))).AsList();
        var items = (await connection.QueryAsync<ItemLine>(new CommandDefinition(itemsSql,
            new { person = recipient.Id, horizon = today.AddDays(DueWithinDays) }, cancellationToken: ct))).AsList();

        var lines = new List<DigestLine>();
        lines.AddRange(folded.Where(f => f.Subject is not null)
            .Select(f => new DigestLine("messages", f.Subject!, f.Subject!, f.ItemId is { } id ? links.Item(id) : null)));
        foreach (var i in items)
        {
            var label = i.Number is { Length: > 0 } n ? $"第{n}项“{Words.Clip(i.Title, 40)}”" : $"“{Words.Clip(i.Title, 40)}”";
            var labelEn = i.Number is { Length: > 0 } m ? $"Item {m} \"{Words.Clip(i.Title, 40)}\"" : $"\"{Words.Clip(i.Title, 40)}\"";
            var link = links.Item(i.Id);
            if (i.EscalationLevel != "none")
                lines.Add(new("escalated", $"{label}（{i.CampaignTitle}）：{Words.LevelZh(i.EscalationLevel)}中 {link}",
                    $"{labelEn}: under {Words.LevelEn(i.EscalationLevel)} {link}", link));
            else if (i.EffectiveDeadline is { } d && d < today)
                lines.Add(new("overdue", $"{label}（{i.CampaignTitle}）：整改时限{Words.Zh(d)}，已逾期{today.DayNumber - d.DayNumber}天 {link}",
                    $"{labelEn}: due {Words.En(d)}, {today.DayNumber - d.DayNumber} days overdue {link}", link));
            else if (i.EffectiveDeadline is { } due)
                lines.Add(new("due", $"{label}（{i.CampaignTitle}）：{(due == today ? "今日到期" : $"{Words.Zh(due)}到期")} {link}",
                    $"{labelEn}: due {Words.En(due)} {link}", link));
        }
        // Sections in the order a reader acts on them; each capped so a digest stays readable.
        string[] order = ["messages", "escalated", "overdue", "due"];
        return lines.GroupBy(l => l.Section).OrderBy(g => Array.IndexOf(order, g.Key)).SelectMany(g => g.Take(MaxPerSection)).ToList();
    }
}
