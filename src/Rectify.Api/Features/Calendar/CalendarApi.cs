using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Features.Calendar;

public sealed record CalendarDayDto(DateOnly Date, string Kind, string Name, bool Provisional);

public sealed record CalendarYearDto(int Year, IReadOnlyList<CalendarDayDto> Days);

public sealed record CalendarDayRequest(string? Kind, string? Name);

/// <summary>
/// The working-day calendar (holidays on weekdays, working weekend days 调休). Everyone signed in reads it; the
/// administrator and the leading-group office edit it. Every edit bumps calendar_state.version in the same transaction,
/// so every node's cached calendar notices, and is recorded in the admin journal.
/// </summary>
public static class CalendarApi
{
    public static IEndpointRouteBuilder MapCalendarApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calendar").WithTags("Calendar").RequireAuthorization();
        group.MapGet("/{year:int}", GetYear);
        group.MapPut("/days/{date}", PutDay).RequireAuthorization(Policies.ManageOrganisation);
        group.MapDelete("/days/{date}", DeleteDay).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Results<Ok<CalendarYearDto>, ProblemHttpResult>> GetYear(int year, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await CalendarQueries.GetYearAsync(connection, year, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("日历年份");
    }

    public static async Task<Results<Ok<CalendarDayDto>, ValidationProblem, ProblemHttpResult>> PutDay(
        string date, CalendarDayRequest request, HttpContext http, NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal,
        CancellationToken ct) =>
        (await CalendarCommands.PutDayAsync(db, calendar, journal, date, request, CurrentUser.From(http.User), ct)).ToResult(TypedResults.Ok);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteDay(
        string date, HttpContext http, NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, CancellationToken ct) =>
        await CalendarCommands.DeleteDayAsync(db, calendar, journal, date, CurrentUser.From(http.User), ct) is { } refusal
            ? refusal.ToResult<NoContent>()
            : TypedResults.NoContent();
}
