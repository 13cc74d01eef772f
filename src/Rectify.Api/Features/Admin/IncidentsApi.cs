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

    public static async Task<Ok<Page<IncidentDto>>> List(NpgsqlDataSource db, bool? open, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await IncidentQueries.ListAsync(connection, open, Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await IncidentQueries.FindAsync(connection, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("故障记录");
    }

    /// <summary>
    /// Retries an open incident after its cause was fixed. 200 with the incident (resolved when the retry went
    /// through); 409 when it failed again (the incident counts another attempt and keeps the new error).
    /// </summary>
    public static Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Retry(long id, HttpContext http, IncidentRetry retry, CancellationToken ct) =>
        retry.RunAsync(http, id, ct);

    internal static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string FirstLine(string error) => error.Split('\n', 2)[0].Trim();
}
