using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Items;

/// <summary>A dated step of an item in its JSON (API.md <c>milestones</c>); <c>seq</c> addresses it, <c>doneUnit</c> says who marked it done.</summary>
public sealed record MilestoneDto(int Seq, DateOnly Date, string Text, DateTimeOffset? DoneAt, string? DoneUnit);

/// <summary>The "done" mark of a milestone: an optional note.</summary>
public sealed record MilestoneDoneRequest(string? Note, string? Unit);

/// <summary>
/// Milestones (issue 15.4): dated steps inside an item, found in its measures by the importer or sent by a client. Each
/// has its own reminder (an item timer <c>milestone:{seq}</c>, scheduled at launch) and a "done" mark by one of the
/// item's units, journaled. The item's deadline stays the item's: milestones neither move it nor close the item.
/// </summary>
public static class Milestones
{
    private sealed record Row(Guid ItemId, int Seq, DateOnly Date, string Text, DateTimeOffset? DoneAt, string? DoneUnit);

    public static async Task<Dictionary<Guid, List<MilestoneDto>>> LoadAsync(NpgsqlConnection connection, IReadOnlyCollection<Guid> itemIds, CancellationToken ct)
    {
        if (itemIds.Count == 0) return [];
        const string sql = """
            select item_id as ItemId, seq, date, text, done_at as DoneAt, done_unit as DoneUnit
            from item_milestones where item_id = any(@ids) order by item_id, date, seq
            """;
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { ids = itemIds.ToArray() }, cancellationToken: ct));
        return rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.Select(r => new MilestoneDto(r.Seq, r.Date, r.Text,
            r.DoneAt, r.DoneUnit)).ToList());
    }

    /// <summary>Replaces a draft item's milestones (numbered 1… in date order).</summary>
    public static async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid itemId, IReadOnlyList<ItemMilestone> milestones, CancellationToken ct)
    {
        milestones = [.. milestones.OrderBy(m => m.Date)];
        await connection.ExecuteAsync(new CommandDefinition("delete from item_milestones where item_id = @itemId", new { itemId }, tx, cancellationToken: ct));
        if (milestones.Count == 0) return;
        const string sql = "insert into item_milestones(item_id, seq, date, text) select @itemId, * from unnest(@seqs, @dates, @texts)";
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            itemId, seqs = milestones.Select((_, n) => n + 1).ToArray(), dates = milestones.Select(m => m.Date).ToArray(), texts = milestones.Select(m => m.Text).ToArray(),
        }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// <c>POST /api/items/{id}/milestones/{seq}/done</c>: a unit of the item (or the issuing office, naming the unit) marks
    /// the step done. 422 before launch, after closure or withdrawal, or when it is already done; its reminder then
    /// sends nothing.
    /// </summary>
    public static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> Done(
        Guid id, int seq, MilestoneDoneRequest? request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var note = v.OptionalMultiline("note", request?.Note, 2_000);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("问题");
        string unit;
        if (user.Role == "unit" && user.UnitCode is { } own && (row.LeadUnit == own || row.Units.Contains(own))) unit = own;
        else if (Access.CanManageCampaign(user, row.IssuedByUnit))
        {
            unit = request?.Unit ?? row.LeadUnit;
            if (unit != row.LeadUnit && !row.Units.Contains(unit)) return Problems.Unprocessable($"单位 {unit} 不是该问题的牵头或责任单位 / not a unit of the item", "unit");
        }
        else return Problems.Forbidden("只有该问题的牵头单位、责任单位或发起单位可以标记阶段性节点完成 / only the item's units may mark a milestone done");
        if (row.State is ItemStates.Draft or "closed" or "withdrawn")
            return Problems.Unprocessable(row.State == ItemStates.Draft ? "问题尚未交办，不能标记阶段性节点完成 / the item is not assigned yet"
                : "问题已销号或撤销，不能再标记阶段性节点 / the item is closed or withdrawn");

        var now = clock.GetUtcNow();
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string mark = """
            update item_milestones set done_at = @now, done_by = @actor, done_unit = @unit
            where item_id = @id and seq = @seq and done_at is null
            returning date, text
            """;
        var done = await connection.QuerySingleOrDefaultAsync<(DateOnly Date, string Text)?>(new CommandDefinition(mark, new { id, seq, now, actor = user.UserName, unit }, tx, cancellationToken: ct));
        if (done is null)
        {
            var exists = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
                "select coalesce(done_at, 'epoch') from item_milestones where item_id = @id and seq = @seq", new { id, seq }, tx, cancellationToken: ct));
            return exists is null ? Problems.NotFound("阶段性节点") : Problems.Unprocessable("该阶段性节点已标记完成 / the milestone is already done");
        }
        const string journal = """
            insert into journal(campaign_id, item_id, at, actor, type, note, data)
            values (@campaignId, @id, @now, @actor, 'milestoneDone', @note, jsonb_build_object('seq', @seq, 'date', @date::text, 'text', @text, 'unit', @unit))
            """;
        await connection.ExecuteAsync(new CommandDefinition(journal, new
        {
            campaignId = row.CampaignId, id, now, actor = user.UserName, note, seq, date = done.Value.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            text = done.Value.Text, unit,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await ItemQueries.FindVisibleAsync(connection, id, user, now, ct))!);
    }
}
