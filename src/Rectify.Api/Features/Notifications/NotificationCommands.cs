using System.Globalization;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;

namespace Rectify.Api.Features.Notifications;

/// <summary>
/// Re-queueing a dead message, shared by the API (<c>POST /api/notifications/{id}/retry</c>) and the outbox screen
/// (issue 18: pages call commands, not endpoint handlers).
/// </summary>
public static class NotificationCommands
{
    /// <summary>
    /// A dead message pending again, attempt count reset, due now (rows folded into a dead digest come back with it),
    /// journaled and the dispatcher woken; 404 when the actor may not see it, 422 when it is not dead.
    /// </summary>
    public static async Task<Outcome<NotificationDto>> RetryAsync(
        NpgsqlDataSource db, TimeProvider clock, AdminJournal journal, OutboxSignal signal, long id, CurrentUser actor,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await NotificationQueries.FindVisibleAsync(connection, id, actor, ct);
        if (row is null) return Refusal.NotFound("通知");
        if (row.Status != "dead")
            return Refusal.Unprocessable($"只有失败终止（dead）的通知可以重新发送，当前状态为 {row.Status} / only a dead notification can be retried", "status");
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string sql = """
            update outbox set status = 'pending', attempts = 0, not_before = @now, claim_token = null
            where id = @id and status = 'dead';
            update outbox set status = 'pending' where digested_in = @id and status = 'dead';
            select pg_notify('rectify_outbox', '');
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        var change = new AdminChange("notification.retried", "notification", id.ToString(CultureInfo.InvariantCulture),
            new { previousAttempts = row.Attempts, row.LastError });
        await journal.RecordAsync(connection, actor.UserName, change, ct, tx);
        await tx.CommitAsync(ct);
        signal.Poke();
        return (await NotificationQueries.FindVisibleAsync(connection, id, actor, ct))!;
    }
}
