using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Notifications;

/// <summary>
/// Marking the signed-in person's inbox messages read, shared by the API (<c>POST /api/inbox/{id}/read</c>,
/// <c>…/read-all</c>) and the inbox screen (issue 18: pages call commands, not endpoint handlers). Read times are wall
/// clock times.
/// </summary>
public static class InboxCommands
{
    /// <summary>One message read (its first read time kept); 404 when it is not the actor's, or the actor is no
    /// person.</summary>
    public static async Task<Outcome<InboxMessageDto>> MarkReadAsync(
        NpgsqlDataSource db, TimeProvider wall, long id, CurrentUser actor, CancellationToken ct)
    {
        if (actor.PersonId is not { } person) return Refusal.NotFound("消息");
        const string sql = $"""
            update inbox_messages set read_at = coalesce(read_at, @now) where id = @id and person_id = @person
            returning {InboxQueries.Columns}
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var parameters = new { id, person, now = wall.GetUtcNow() };
        var row = await connection.QuerySingleOrDefaultAsync<InboxQueries.Row>(
            new CommandDefinition(sql, parameters, cancellationToken: ct));
        return row is null ? Refusal.NotFound("消息") : row.ToDto();
    }

    /// <summary>Every unread message of the actor read now; nothing for an actor who is no person.</summary>
    public static async Task MarkAllReadAsync(NpgsqlDataSource db, TimeProvider wall, CurrentUser actor, CancellationToken ct)
    {
        if (actor.PersonId is not { } person) return;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update inbox_messages set read_at = @now where person_id = @person and read_at is null",
            new { person, now = wall.GetUtcNow() }, cancellationToken: ct));
    }
}
