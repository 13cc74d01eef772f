using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Items;

/// <summary>
/// The edits of the list of item sources that the API (<c>PUT</c>/<c>DELETE /api/item-sources/{name}</c>) and the
/// sources screen share (issue 18: pages call commands, not endpoint handlers), each with its journal row.
/// </summary>
public static class SourceCommands
{
    /// <summary>Adds a source or changes its sort number (1000 when none is given); 400 on a bad name or number.</summary>
    public static async Task<Outcome<ItemSourceDto>> PutAsync(
        NpgsqlDataSource db, AdminJournal journal, string name, ItemSourceRequest? request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var source = v.Required("name", name, 50);
        var sort = request?.Sort ?? 1000;
        if (sort is < 0 or > 100_000) v.Add("sort", "排序号应在 0 至 100000 之间 / sort must be 0..100000");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        const string sql = """
            insert into item_sources(name, sort) values (@source, @sort) on conflict (name) do update set sort = excluded.sort;
            select s.name, s.sort, (select count(*) from items i where i.source = s.name) as items
            from item_sources s where s.name = @source;
            """;
        var dto = await connection.QuerySingleAsync<ItemSourceDto>(new CommandDefinition(sql, new { source, sort }, cancellationToken: ct));
        var change = new AdminChange("itemSource.saved", "itemSource", source, new { source, sort });
        await journal.RecordAsync(connection, actor.UserName, change, ct);
        return dto;
    }

    /// <summary>Deletes a source no item uses; 409 while items use it, 404 when there is none.</summary>
    public static async Task<Refusal?> DeleteAsync(
        NpgsqlDataSource db, AdminJournal journal, string name, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        const string count = "select count(*) from items where source = @name";
        var used = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, new { name }, cancellationToken: ct));
        if (used > 0)
            return Refusal.Conflict($"有 {used} 项问题的来源是“{name}”，不能删除 / {used} items have this source", "问题来源仍在使用 / Source in use");
        const string delete = "delete from item_sources where name = @name";
        var deleted = await connection.ExecuteAsync(new CommandDefinition(delete, new { name }, cancellationToken: ct));
        if (deleted == 0) return Refusal.NotFound("问题来源");
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("itemSource.deleted", "itemSource", name, new { name }), ct);
        return null;
    }
}
