using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;

namespace Rectify.Api.Features.Talks;

/// <summary>
/// The reads of admonitory talks (约谈) that the API (<c>GET /api/items/{id}/talks</c>) and the item page share (issue 18:
/// pages call queries, not endpoint handlers), and who may record one.
/// </summary>
public static class TalkQueries
{
    /// <summary>The supervision office of the item's campaign, its leading-group office, or the administrator.</summary>
    public static bool MayRecord(CurrentUser user, ItemRow item) =>
        user.IsAdmin
        || (user.IsSupervisor && user.UnitCode == item.SupervisionUnit)
        || (user.IsLeadingGroup && user.UnitCode == item.IssuedByUnit);

    /// <summary>The talks recorded on an item, in the order held (the caller has checked that the item is visible).</summary>
    public static async Task<IReadOnlyList<TalkDto>> ListAsync(NpgsqlConnection connection, Guid itemId, CancellationToken ct)
    {
        const string sql = """
            select id, item_id as ItemId, escalation_id as EscalationId, held_on as HeldOn, people, note, recorded_by as RecordedBy,
                   recorded_at as RecordedAt
            from admonitory_talks where item_id = @itemId order by held_on, recorded_at
            """;
        var rows = await connection.QueryAsync<(Guid Id, Guid ItemId, Guid? EscalationId, DateTime HeldOn, string People, string? Note,
            string RecordedBy, DateTimeOffset RecordedAt)>(
            new CommandDefinition(sql, new { itemId }, cancellationToken: ct));
        return rows.Select(r =>
            new TalkDto(r.Id, r.ItemId, r.EscalationId, DateOnly.FromDateTime(r.HeldOn), r.People, r.Note, r.RecordedBy, r.RecordedAt))
            .ToList();
    }
}
