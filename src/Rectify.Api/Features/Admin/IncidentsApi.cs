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
        long? TimerId, long? OutboxId, string? Job, string? Step, string Error, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
        int Attempts,
        DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution, bool TimerQuarantined)
    {
        public IncidentDto ToDto() => new(Id, Source, SubjectKind, SubjectId, CampaignId, CampaignTitle, ItemNumber, ItemTitle, TimerId, OutboxId, Job, Step,
            Error, FirstSeen, LastSeen, Attempts, ResolvedAt, ResolvedBy, Resolution, TimerQuarantined);
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
    public static Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Retry(long id, HttpContext http, IncidentRetry retry, CancellationToken ct) =>
        retry.RunAsync(http, id, ct);

    internal static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string FirstLine(string error) => error.Split('\n', 2)[0].Trim();

    internal static async Task<IncidentDto?> FindAsync(NpgsqlConnection connection, long id, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"{Select} where n.id = @id", new { id }, cancellationToken: ct)))?.ToDto();
}
