using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
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
    private static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { CalendarDayKinds.Holiday, CalendarDayKinds.Workday };

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
        string date, CalendarDayRequest request, HttpContext http, NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, CancellationToken ct)
    {
        var v = new Validator();
        if (!Validator.TryParseDate(date, out var day)) v.Add("date", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        var kind = v.OneOf("kind", request.Kind, Kinds);
        var name = v.Required("name", request.Name, 100);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        if (kind == CalendarDayKinds.Holiday && weekend)
            return Problems.Unprocessable($"{day:yyyy-MM-dd} 是{Weekday(day)}，本就休息，无需设为假日 / a weekend day is already a rest day", "kind");
        if (kind == CalendarDayKinds.Workday && !weekend)
            return Problems.Unprocessable($"{day:yyyy-MM-dd} 是{Weekday(day)}，本就是工作日 / a weekday is already a working day", "kind");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string sql = """
            insert into calendar_days(day, kind, name, provisional, updated_at) values (@day, @kind, @name, false, now())
            on conflict (day) do update set kind = excluded.kind, name = excluded.name, provisional = false, updated_at = now();
            update calendar_state set version = version + 1 where id = 1;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { day, kind, name }, tx, cancellationToken: ct));
        await journal.RecordAsync(connection, http, new AdminChange("put", "calendarDay", day.ToString("yyyy-MM-dd"), new { kind, name }), ct, tx);
        await tx.CommitAsync(ct);
        calendar.Invalidate();
        return TypedResults.Ok(new CalendarDayDto(day, kind!, name, false));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteDay(
        string date, HttpContext http, NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, CancellationToken ct)
    {
        if (!Validator.TryParseDate(date, out var day))
            return Problems.Invalid(new Dictionary<string, string[]> { ["date"] = ["日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD"] });
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition("delete from calendar_days where day = @day", new { day }, tx, cancellationToken: ct));
        if (deleted == 0) return Problems.NotFound($"{day:yyyy-MM-dd} 的日历例外");
        await connection.ExecuteAsync(new CommandDefinition("update calendar_state set version = version + 1 where id = 1", transaction: tx, cancellationToken: ct));
        await journal.RecordAsync(connection, http, new AdminChange("delete", "calendarDay", day.ToString("yyyy-MM-dd"), null), ct, tx);
        await tx.CommitAsync(ct);
        calendar.Invalidate();
        return TypedResults.NoContent();
    }

    private static string Weekday(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Monday => "星期一",
        DayOfWeek.Tuesday => "星期二",
        DayOfWeek.Wednesday => "星期三",
        DayOfWeek.Thursday => "星期四",
        DayOfWeek.Friday => "星期五",
        DayOfWeek.Saturday => "星期六",
        _ => "星期日",
    };
}
