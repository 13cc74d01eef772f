using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Features.Admin;

/// <summary>
/// Retries an open incident after its cause was fixed: the timer fires (or is released to fire at its time), the
/// message is sent again, the job runs again. Used by <c>POST /api/admin/incidents/{id}/retry</c> and the incidents page.
/// </summary>
public sealed class IncidentRetry(NpgsqlDataSource db, TimerSweeper sweeper, TimeProvider clock, AdminJournal journal, OutboxSignal signal)
{
    public async Task<Results<Ok<IncidentDto>, ProblemHttpResult>> RunAsync(HttpContext http, long id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var incident = await IncidentQueries.FindAsync(connection, id, ct);
        if (incident is null) return Problems.NotFound("故障记录");
        if (incident.ResolvedAt is not null) return Problems.Conflict($"该故障已于 {incident.ResolvedAt:yyyy-MM-dd HH:mm} 处理完毕 / the incident is already resolved");
        var now = clock.GetUtcNow();
        var user = http.User.Identity?.Name ?? "admin";
        string resolution;
        switch (incident.Source)
        {
            case "timer":
            {
                var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "select exists(select 1 from timers where id = @timerId)", new { timerId = incident.TimerId }, cancellationToken: ct));
                if (!exists)
                {
                    resolution = "superseded";
                    break;
                }
                var result = await sweeper.RetryAsync(incident.TimerId!.Value, now, ct);
                if (result.Quarantined > 0)
                {
                    var again = (await IncidentQueries.FindAsync(connection, id, ct))!;
                    await journal.RecordAsync(connection, http, new AdminChange("incident.retryFailed", "incident", IncidentsApi.Key(id), new { again.Attempts }), ct);
                    return Problems.Conflict($"重试仍然失败（第 {again.Attempts} 次），请先修正数据后再试 / the retry failed again: {IncidentsApi.FirstLine(again.Error)}");
                }
                if (result.Deferred > 0) return Problems.Conflict("该事项正被其他操作占用，请稍后重试 / the subject is busy, try again shortly");
                // Fired (its sweep resolved the incident), or not yet due and released to fire at its time.
                resolution = result.Fired > 0 ? "fired" : "released";
                await connection.ExecuteAsync(new CommandDefinition(
                    $"select pg_notify('{CampaignLauncher.TimerChannel}', '')", cancellationToken: ct));
                break;
            }
            case "outbox":
            {
                var requeued = await connection.ExecuteAsync(new CommandDefinition("""
                    update outbox set status = 'pending', attempts = 0, not_before = @now, claim_token = null where id = @outboxId and status = 'dead';
                    select pg_notify('rectify_outbox', '');
                    """, new { outboxId = incident.OutboxId, now }, cancellationToken: ct));
                resolution = requeued > 0 ? "requeued" : "superseded";
                signal.Poke();
                break;
            }
            default:
                return Problems.Unprocessable("后台任务会按周期自动重试，成功后此记录自动关闭 / a job retries by itself and closes its incident when it succeeds", "source");
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            update incidents set resolved_at = coalesce(resolved_at, @now), resolved_by = @user, resolution = coalesce(resolution, @resolution)
            where id = @id
            """, new { id, now, user, resolution }, cancellationToken: ct));
        await journal.RecordAsync(connection, http, new AdminChange("incident.retried", "incident", IncidentsApi.Key(id), new { incident.Source, incident.TimerId, incident.OutboxId, resolution }), ct);
        return TypedResults.Ok((await IncidentQueries.FindAsync(connection, id, ct))!);
    }
}
