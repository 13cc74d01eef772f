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
    /// the step done (<see cref="MilestoneCommands.DoneAsync"/>). 422 before launch, after closure or withdrawal, or when
    /// it is already done; its reminder then sends nothing.
    /// </summary>
    public static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> Done(
        Guid id, int seq, MilestoneDoneRequest? request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        (await MilestoneCommands.DoneAsync(db, clock, id, seq, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);
}
