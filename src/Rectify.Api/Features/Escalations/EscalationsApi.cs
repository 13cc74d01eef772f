using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Escalations;

public sealed record EscalationDto(
    Guid Id, Guid? ItemId, Guid? DeliverableId, Guid CampaignId, string Level, string? Office, string? OfficeName,
    DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? LetterNumber, string? Note,
    string? ItemNumber, string? ItemTitle, string? LeadUnit, string? DeliverableKind, string? DeliverableUnit,
    TalkAppointmentDto? Talk = null);

/// <summary>The appointment of an admonitory talk (约谈): local time with the campaign's offset, place, attendees; revision 1 for the first setting.</summary>
public sealed record TalkAppointmentDto(DateTimeOffset At, string Place, string Attendees, int Revision);

/// <summary>
/// Escalation records (督办记录), visible like items: a unit sees those of its items and deliverables, an office those
/// of its campaigns (a supervision office also those it handles), the administrator all.
/// </summary>
public static class EscalationsApi
{
    private static readonly IReadOnlySet<string> Levels = EscalationLevels.Ordered.Skip(1).ToHashSet(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapEscalationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/escalations", List).WithTags("Escalations").RequireAuthorization();
        app.MapGet("/api/escalations/subjects", SupervisionInbox.List).WithTags("Escalations").RequireAuthorization();
        app.MapPost("/api/escalations/{id:guid}/talk", SetTalk).WithTags("Escalations").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<Page<EscalationDto>>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, [AsParameters] EscalationFilter filter, CancellationToken ct)
    {
        var v = new Validator();
        if (filter.Level is not null) v.OneOf("level", filter.Level, Levels);
        if (filter.Unit is not null) v.Code("unit", filter.Unit);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await EscalationQueries.ListAsync(connection, CurrentUser.From(http.User), filter, ct));
    }

    /// <summary>
    /// POST /api/escalations/{id}/talk: the office sets (or moves) the time, place and attendees of an admonitory talk
    /// (<see cref="EscalationCommands.SetTalkAsync"/>).
    /// </summary>
    public static async Task<Results<Ok<EscalationDto>, ValidationProblem, ProblemHttpResult>> SetTalk(
        Guid id, TalkAppointmentRequest request, HttpContext http, NpgsqlDataSource db, TalkAppointments talks, TimeProvider clock,
        CancellationToken ct) =>
        (await EscalationCommands.SetTalkAsync(db, talks, clock, id, request, CurrentUser.From(http.User), ct))
            .ToResult(dto => TypedResults.Ok(dto));

    internal static TalkAppointmentDto? TalkOf(DateTimeOffset? at, string? place, string? attendees, int revision, string timeZone) =>
        at is { } t && place is not null
            ? new TalkAppointmentDto(LocalTime.InZone(t, LocalTime.Zone(timeZone)), place, attendees ?? "", revision)
            : null;
}
