using System.Buffers.Binary;
using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Items;

/// <summary>Inserts validated items into a draft campaign, numbering them in order. Shared by the API, the import and the demo.</summary>
public static class ItemWriter
{
    /// <summary>
    /// Locks the campaign row (so concurrent inserts number in sequence) and returns the new ids, or null when the
    /// campaign is not draft (nor active, with <paramref name="supplementary"/>: 补充交办, the caller launches them).
    /// </summary>
    public static async Task<IReadOnlyList<Guid>?> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, Guid campaignId, IReadOnlyList<ValidItem> items, DateTimeOffset now, CancellationToken ct,
        bool supplementary = false)
    {
        const string lockCampaign = "select state from campaigns where id = @campaignId for update";
        var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(lockCampaign, new { campaignId }, tx, cancellationToken: ct));
        if (state != "draft" && !(supplementary && state == "active")) return null;
        var seq = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select coalesce(max(seq), 0) from items where campaign_id = @campaignId", new { campaignId }, tx, cancellationToken: ct));

        const string sql = """
            insert into items(id, campaign_id, seq, number, category, title, description, measures, target, responsible_leader_id,
                              lead_unit, units, deadline, effective_deadline, ongoing, report_every, hard_deadline, state, created_at, updated_at,
                              source, deadline_text)
            select t.id, t.cid, t.seq, t.num, t.cat, t.title, t.descr, t.meas, t.tgt, t.leader, t.lead, t.ul::text[], t.dl, t.dl,
                   t.ongoing, t.every, t.hard, 'draft', @now, @now, t.src, t.dtext
            from unnest(@ids, @campaignIds, @seqs, @numbers, @categories, @titles, @descriptions, @measures, @targets, @leaders,
                        @leadUnits, @unitLists, @deadlines, @ongoing, @reportEvery, @hard, @sources, @deadlineTexts)
                 as t(id, cid, seq, num, cat, title, descr, meas, tgt, leader, lead, ul, dl, ongoing, every, hard, src, dtext)
            """;
        var seqs = items.Select((_, n) => seq + n + 1).ToArray();
        var ids = seqs.Select(n => IdInSequence(now, n)).ToArray();
        // unnest cannot take a jagged array, so each unit list travels as one array literal text.
        var unitLists = items.Select(i => "{" + string.Join(",", i.Units.Select(u => "\"" + u.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")) + "}").ToArray();
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            ids,
            campaignIds = items.Select(_ => campaignId).ToArray(),
            seqs,
            numbers = items.Select((i, n) => i.Number ?? seqs[n].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            categories = items.Select(i => i.Category).ToArray(),
            titles = items.Select(i => i.Title).ToArray(),
            descriptions = items.Select(i => i.Description).ToArray(),
            measures = items.Select(i => i.Measures).ToArray(),
            targets = items.Select(i => i.Target).ToArray(),
            leaders = items.Select(i => i.ResponsibleLeaderId).ToArray(),
            leadUnits = items.Select(i => i.LeadUnit).ToArray(),
            unitLists,
            deadlines = items.Select(i => i.Deadline).ToArray(),
            ongoing = items.Select(i => i.Ongoing).ToArray(),
            reportEvery = items.Select(i => i.ReportEvery).ToArray(),
            hard = items.Select(i => i.HardDeadline).ToArray(),
            sources = items.Select(i => i.Source).ToArray(),
            deadlineTexts = items.Select(i => i.DeadlineText).ToArray(),
            now,
        }, tx, cancellationToken: ct));
        var steps = items.SelectMany((item, n) => (item.Milestones ?? []).OrderBy(m => m.Date).Select((m, k) => (Item: ids[n], Seq: k + 1, m.Date, m.Text))).ToList();
        if (steps.Count > 0)
        {
            const string milestones = """
                insert into item_milestones(item_id, seq, date, text)
                select * from unnest(@itemIds, @seqs, @dates, @texts)
                """;
            await connection.ExecuteAsync(new CommandDefinition(milestones, new
            {
                itemIds = steps.Select(s => s.Item).ToArray(), seqs = steps.Select(s => s.Seq).ToArray(),
                dates = steps.Select(s => s.Date).ToArray(), texts = steps.Select(s => s.Text).ToArray(),
            }, tx, cancellationToken: ct));
        }
        return ids;
    }

    /// <summary>
    /// A version 7 UUID (RFC 9562) whose 74 bits after the millisecond carry the item's sequence number in its campaign
    /// (seq, 32 bits, where the RFC allows a counter) and 42 random bits: the items of a campaign get ids in the order of their numbers,
    /// in every batch of an import (which shares one time), so the indexes keyed by item (the items', the parts', the
    /// timers', the journal's) take a launch's or an import's rows in order instead of at random places.
    /// </summary>
    public static Guid IdInSequence(DateTimeOffset now, int seq)
    {
        Span<byte> b = stackalloc byte[16];
        RandomNumberGenerator.Fill(b[10..]);
        var ms = (ulong)now.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt64BigEndian(b[..8], ms << 16);
        var n = (uint)seq;
        b[6] = (byte)(0x70 | (n >> 28));
        b[7] = (byte)(n >> 20);
        b[8] = (byte)(0x80 | ((n >> 14) & 0x3F));
        b[9] = (byte)(n >> 6);
        b[10] = (byte)(((n & 0x3F) << 2) | (b[10] & 0x03u));
        return new Guid(b, bigEndian: true);
    }
}
