using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Items;

/// <summary>
/// The "done" mark of a milestone that the API (<c>POST /api/items/{id}/milestones/{seq}/done</c>) and the item's
/// screen share (issue 18: pages call commands, not endpoint handlers), refused with the same problem details.
/// </summary>
public static class MilestoneCommands
{
    /// <summary>
    /// A unit of the item (or the issuing office, naming the unit) marks step <paramref name="seq"/> done, journaled;
    /// answers the item. 400 on a bad note, 404 for an item the caller may not see or an unknown step, 403 for anyone
    /// else, 422 before launch, after closure or withdrawal, for a unit not of the item, or when it is already done.
    /// </summary>
    public static async Task<Outcome<ItemDto>> DoneAsync(
        NpgsqlDataSource db, TimeProvider clock, Guid id, int seq, MilestoneDoneRequest? request, CurrentUser actor,
        CancellationToken ct)
    {
        var v = new Validator();
        var note = v.OptionalMultiline("note", request?.Note, 2_000);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, actor, ct);
        if (row is null) return Refusal.NotFound("问题");
        string unit;
        if (actor.Role == "unit" && actor.UnitCode is { } own && (row.LeadUnit == own || row.Units.Contains(own)))
        {
            unit = own;
        }
        else if (Access.CanManageCampaign(actor, row.IssuedByUnit))
        {
            unit = request?.Unit ?? row.LeadUnit;
            if (unit != row.LeadUnit && !row.Units.Contains(unit))
                return Refusal.Unprocessable($"单位 {unit} 不是该问题的牵头或责任单位 / not a unit of the item", "unit");
        }
        else
        {
            return Refusal.Forbidden("只有该问题的牵头单位、责任单位或发起单位可以标记阶段性节点完成 / only the item's units may mark a milestone done");
        }
        if (row.State is ItemStates.Draft or "closed" or "withdrawn")
        {
            return Refusal.Unprocessable(row.State == ItemStates.Draft
                ? "问题尚未交办，不能标记阶段性节点完成 / the item is not assigned yet"
                : "问题已销号或撤销，不能再标记阶段性节点 / the item is closed or withdrawn");
        }

        var now = clock.GetUtcNow();
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string mark = """
            update item_milestones set done_at = @now, done_by = @actor, done_unit = @unit
            where item_id = @id and seq = @seq and done_at is null
            returning date, text
            """;
        var done = await connection.QuerySingleOrDefaultAsync<(DateOnly Date, string Text)?>(
            new CommandDefinition(mark, new { id, seq, now, actor = actor.UserName, unit }, tx, cancellationToken: ct));
        if (done is null)
        {
            const string existing = "select coalesce(done_at, 'epoch') from item_milestones where item_id = @id and seq = @seq";
            var exists = await connection.ExecuteScalarAsync<DateTime?>(
                new CommandDefinition(existing, new { id, seq }, tx, cancellationToken: ct));
            return exists is null
                ? Refusal.NotFound("阶段性节点")
                : Refusal.Unprocessable("该阶段性节点已标记完成 / the milestone is already done");
        }
        const string journal = """
            insert into journal(campaign_id, item_id, at, actor, type, note, data)
            values (@campaignId, @id, @now, @actor, 'milestoneDone', @note,
                    jsonb_build_object('seq', @seq, 'date', @date::text, 'text', @text, 'unit', @unit))
            """;
        await connection.ExecuteAsync(new CommandDefinition(journal, new
        {
            campaignId = row.CampaignId, id, now, actor = actor.UserName, note, seq,
            date = done.Value.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), text = done.Value.Text, unit,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (await ItemQueries.FindVisibleAsync(connection, id, actor, now, ct))!;
    }
}
