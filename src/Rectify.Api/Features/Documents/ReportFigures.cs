using Dapper;
using Npgsql;

namespace Rectify.Api.Features.Documents;

/// <summary>The counts of a report for one lead unit, or (with a null code) for the whole campaign.</summary>
public sealed record Figures(string? UnitCode, string UnitName, int Total, int ClosedOnTime, int ClosedLate, int Overdue, int Escalated)
{
    public int Closed => ClosedOnTime + ClosedLate;
    public int Open => Total - Closed;
}

/// <summary>
/// Reconstructs the campaign as it stood at the end of a local date: closed means closed on or before that date
/// (closed_at), overdue means assigned, not closed by then and past the effective deadline, escalated means an
/// escalation was opened by then. On today's date these are exactly the rules of <c>GET /api/campaigns/{id}</c>
/// stats. Limitation: an extension granted after the date is already in the effective deadline (the journal of
/// extensions is the runtime's; the item row keeps only the latest deadline).
/// </summary>
public static class ReportFigures
{
    private static readonly string[] Ladder = ["urge", "supervisionLetter", "listedSupervision", "admonitoryTalk"];

    public sealed record Escalation(Guid ItemId, string Level);

    /// <summary>The highest escalation level each item had reached by the end of <paramref name="asOf"/>.</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> EscalationsAsync(
        NpgsqlConnection connection, Guid campaignId, Guid[] itemIds, DateOnly asOf, string timeZone, CancellationToken ct)
    {
        const string sql = """
            select item_id as ItemId, level from escalations
            where campaign_id = @campaignId and item_id = any(@itemIds) and (opened_at at time zone @timeZone)::date <= @asOf
            """;
        var rows = await connection.QueryAsync<Escalation>(new CommandDefinition(sql, new { campaignId, itemIds, asOf, timeZone }, cancellationToken: ct));
        return rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.MaxBy(r => Array.IndexOf(Ladder, r.Level))!.Level);
    }

    public static bool IsOverdue(DocumentItem item, DateOnly asOf) =>
        item.State != "draft" && (item.AssignedOn is null || item.AssignedOn <= asOf) && !item.ClosedBy(asOf)
        && item.EffectiveDeadline is { } deadline && deadline < asOf;

    public static bool ClosedOnTime(DocumentItem item, DateOnly asOf) =>
        item.ClosedBy(asOf) && (item.EffectiveDeadline is null || item.ClosedOn <= item.EffectiveDeadline);

    public static Figures Count(string? unitCode, string unitName, IEnumerable<DocumentItem> items, DateOnly asOf, IReadOnlyDictionary<Guid, string> escalations)
    {
        var list = items.ToList();
        return new Figures(unitCode, unitName, list.Count,
            list.Count(i => ClosedOnTime(i, asOf)),
            list.Count(i => i.ClosedBy(asOf) && !ClosedOnTime(i, asOf)),
            list.Count(i => IsOverdue(i, asOf)),
            list.Count(i => escalations.ContainsKey(i.Id)));
    }

    /// <summary>清零 per source as it stood at the end of <paramref name="asOf"/>; empty when no item names a source.</summary>
    public static IReadOnlyList<Items.SourceFigure> BySource(IReadOnlyList<DocumentItem> items, DateOnly asOf) =>
        Items.SourceFigure.Of(items, i => i.Source, i => i.ClosedBy(asOf), i => !i.ClosedBy(asOf) && i.State != "withdrawn");

    /// <summary>One line per lead unit, in the order the units first appear in the problem list.</summary>
    public static IReadOnlyList<Figures> ByLeadUnit(IReadOnlyList<DocumentItem> items, DateOnly asOf, IReadOnlyDictionary<Guid, string> escalations) =>
        items.GroupBy(i => (i.LeadUnit, i.LeadUnitName)).Select(g => Count(g.Key.LeadUnit, g.Key.LeadUnitName, g, asOf, escalations)).ToList();
}
