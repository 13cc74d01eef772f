using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Features.Calendar;

/// <summary>
/// The edits of the working-day calendar that the API (<c>PUT</c>/<c>DELETE /api/calendar/days/{date}</c>) and the
/// calendar screen share (issue 18: pages call commands, not endpoint handlers). Every edit bumps
/// calendar_state.version in the same transaction as its journal row, then drops this node's cached calendar.
/// </summary>
public static class CalendarCommands
{
    private static readonly IReadOnlySet<string> Kinds =
        new HashSet<string>(StringComparer.Ordinal) { CalendarDayKinds.Holiday, CalendarDayKinds.Workday };

    /// <summary>A holiday on a weekday or a working weekend day (调休); 400 on a bad field, 422 when the kind is what the
    /// day is anyway.</summary>
    public static async Task<Outcome<CalendarDayDto>> PutDayAsync(
        NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, string date, CalendarDayRequest request, CurrentUser actor,
        CancellationToken ct)
    {
        var v = new Validator();
        if (!Validator.TryParseDate(date, out var day)) v.Add("date", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        var kind = v.OneOf("kind", request.Kind, Kinds);
        var name = v.Required("name", request.Name, 100);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        if (kind == CalendarDayKinds.Holiday && weekend)
            return Refusal.Unprocessable($"{day:yyyy-MM-dd} 是{Weekday(day)}，本就休息，无需设为假日 / a weekend day is already a rest day", "kind");
        if (kind == CalendarDayKinds.Workday && !weekend)
            return Refusal.Unprocessable($"{day:yyyy-MM-dd} 是{Weekday(day)}，本就是工作日 / a weekday is already a working day", "kind");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string sql = """
            insert into calendar_days(day, kind, name, provisional, updated_at) values (@day, @kind, @name, false, now())
            on conflict (day) do update set kind = excluded.kind, name = excluded.name, provisional = false, updated_at = now();
            update calendar_state set version = version + 1 where id = 1;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { day, kind, name }, tx, cancellationToken: ct));
        var change = new AdminChange("put", "calendarDay", day.ToString("yyyy-MM-dd"), new { kind, name });
        await journal.RecordAsync(connection, actor.UserName, change, ct, tx);
        await tx.CommitAsync(ct);
        calendar.Invalidate();
        return new CalendarDayDto(day, kind!, name, false);
    }

    /// <summary>Removes a day's exception (the day is what its weekday makes it again); 400 on a bad date, 404 when the day
    /// has none.</summary>
    public static async Task<Refusal?> DeleteDayAsync(
        NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, string date, CurrentUser actor, CancellationToken ct)
    {
        if (!Validator.TryParseDate(date, out var day))
            return Refusal.Invalid(new Dictionary<string, string[]> { ["date"] = ["日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD"] });
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string delete = "delete from calendar_days where day = @day";
        var deleted = await connection.ExecuteAsync(new CommandDefinition(delete, new { day }, tx, cancellationToken: ct));
        if (deleted == 0) return Refusal.NotFound($"{day:yyyy-MM-dd} 的日历例外");
        const string bump = "update calendar_state set version = version + 1 where id = 1";
        await connection.ExecuteAsync(new CommandDefinition(bump, transaction: tx, cancellationToken: ct));
        var change = new AdminChange("delete", "calendarDay", day.ToString("yyyy-MM-dd"), null);
        await journal.RecordAsync(connection, actor.UserName, change, ct, tx);
        await tx.CommitAsync(ct);
        calendar.Invalidate();
        return null;
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
