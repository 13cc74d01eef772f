using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Features.Admin;

public sealed record IncidentDto(
    long Id, string Source, string SubjectKind, Guid? SubjectId, Guid? CampaignId, string? CampaignTitle, string? ItemNumber, string? ItemTitle,
    long? TimerId, long? OutboxId, string? Job, string? Step, string Error, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Attempts,
    DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution, bool TimerQuarantined);

/// <summary>
/// Incidents (docs/reliability.md "Hostile input"): what the engine set aside instead of stopping — a timer whose
/// step threw, an outbox row that crashed, a background job that failed. Administrators only (errors may quote data
/// of any office). An operator fixes the cause and retries: a timer fires in a sweep of its own, an outbox row is sent
/// again; a job retries by itself and closes its incident when it next runs through.
/// </summary>
public static class IncidentsApi
{
    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/incidents").WithTags("Admin").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
        group.MapPost("/{id:long}/retry", Retry);
        return app;
    }

    private const string Select = """
        select n.id, n.source, n.subject_kind as SubjectKind, n.subject_id as SubjectId, n.campaign_id as CampaignId, c.title as CampaignTitle,
               i.number as ItemNumber, i.title as ItemTitle, n.timer_id as TimerId, n.outbox_id as OutboxId, n.job, n.step, n.error,
               n.first_seen as FirstSeen, n.last_seen as LastSeen, n.attempts, n.resolved_at as ResolvedAt, n.resolved_by as ResolvedBy, n.resolution,
               coalesce(t.quarantined, false) as TimerQuarantined
        from incidents n
        left join campaigns c on c.id = n.campaign_id
        left join items i on i.id = n.subject_id and n.subject_kind in ('item', 'outbox')
        left join timers t on t.id = n.timer_id
        """;

    private sealed record Row(
        long Id, string Source, string SubjectKind, Guid? SubjectId, Guid? CampaignId, string? CampaignTitle, string? ItemNumber, string? ItemTitle,
        long? TimerId, long? OutboxId, string? Job, string? Step, string Error, DateTime FirstSeen, DateTime LastSeen, int Attempts,
        DateTime? ResolvedAt, string? ResolvedBy, string? Resolution, bool TimerQuarantined)
    {
        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

        public IncidentDto ToDto() => new(Id, Source, SubjectKind, SubjectId, CampaignId, CampaignTitle, ItemNumber, ItemTitle, TimerId, OutboxId, Job, Step,
            Error, Utc(FirstSeen), Utc(LastSeen), Attempts, ResolvedAt is { } r ? Utc(r) : null, ResolvedBy, Resolution, TimerQuarantined);
    }

    public static async Task<Ok<Page<IncidentDto>>> List(NpgsqlDataSource db, bool? open, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = Paging.From(page, pageSize);
        const string where = "where (@open::boolean is null or (n.resolved_at is null) = @open)";
        const string sql = $"""
            select count(*) from incidents n {where};
            {Select} {where} order by n.resolved_at is null desc, n.last_seen desc, n.id desc limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { open, limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return TypedResults.Ok(new Page<IncidentDto>(rows.Select(r => r.ToDto()).ToList(), total));
    }

    public static async Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await FindAsync(connection, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("故障记录");
    }

    /// <summary>
    /// Retries an open incident after its cause was fixed. 200 with the incident (resolved when the retry went
    /// through); 409 when it failed again (the incident counts another attempt and keeps the new error).
    /// </summary>
    public static async Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Retry(
        long id, HttpContext http, NpgsqlDataSource db, TimerSweeper sweeper, TimeProvider clock, AdminJournal journal, OutboxSignal signal,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var incident = await FindAsync(connection, id, ct);
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
                    var again = (await FindAsync(connection, id, ct))!;
                    await journal.RecordAsync(connection, http, "incident.retryFailed", "incident", Key(id), new { again.Attempts }, ct);
                    return Problems.Conflict($"重试仍然失败（第 {again.Attempts} 次），请先修正数据后再试 / the retry failed again: {FirstLine(again.Error)}");
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
        await journal.RecordAsync(connection, http, "incident.retried", "incident", Key(id), new { incident.Source, incident.TimerId, incident.OutboxId, resolution }, ct);
        return TypedResults.Ok((await FindAsync(connection, id, ct))!);
    }

    public static async Task<long> OpenCountAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from incidents where resolved_at is null", cancellationToken: ct));
    }

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FirstLine(string error) => error.Split('\n', 2)[0].Trim();

    private static async Task<IncidentDto?> FindAsync(NpgsqlConnection connection, long id, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"{Select} where n.id = @id", new { id }, cancellationToken: ct)))?.ToDto();
}
