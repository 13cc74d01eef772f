using System.Globalization;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Escalations;

/// <summary>
/// <c>at</c>: a local time in the campaign's time zone (<c>2026-11-26T09:30</c>, what a datetime-local field sends) or an
/// instant with its offset; <c>attendees</c>: who is summoned and who attends (约谈对象及参加人员).
/// </summary>
public sealed record TalkAppointmentRequest(string? At, string? Place, string? Attendees);

/// <summary>
/// The writes of escalation records that the API (<c>POST /api/escalations/{id}/talk</c>) and the supervision screen
/// share (issue 18: pages call commands, not endpoint handlers): the appointment of an admonitory talk (约谈).
/// </summary>
public static class EscalationCommands
{
    private static readonly string[] LocalForms =
        ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>
    /// The office sets (or moves) the time, place and attendees of an admonitory talk; the notice goes out with them at
    /// once (issue 13 §5). 400 for a missing or malformed field, 422 for a time that has passed or an escalation that is
    /// not an open 约谈, 403 for anyone but the office, 404 for an unknown id.
    /// </summary>
    public static async Task<Outcome<EscalationDto>> SetTalkAsync(
        NpgsqlDataSource db, TalkAppointments talks, TimeProvider clock, Guid id, TalkAppointmentRequest request, CurrentUser actor,
        CancellationToken ct)
    {
        var v = new Validator();
        string? place = null;
        if (string.IsNullOrWhiteSpace(request.Place)) v.Add("place", "请填写约谈地点 / the place is required");
        else place = v.Required("place", request.Place, 200);
        var attendees = v.OptionalMultiline("attendees", request.Attendees, 1000);
        if (attendees is null && string.IsNullOrWhiteSpace(request.Attendees)) v.Add("attendees", "请填写约谈对象及参加人员 / who attends is required");
        string? zoneId;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            const string zoneSql = "select c.time_zone from escalations e join campaigns c on c.id = e.campaign_id where e.id = @id";
            zoneId = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(zoneSql, new { id }, cancellationToken: ct));
        }
        DateTimeOffset at = default;
        if (string.IsNullOrWhiteSpace(request.At)) v.Add("at", "请填写约谈时间 / the time is required");
        else if (!TryParseTime(request.At.Trim(), zoneId ?? "Asia/Shanghai", out at))
            v.Add("at", "约谈时间格式应为 YYYY-MM-DDTHH:mm / expected YYYY-MM-DDTHH:mm");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        if (zoneId is null || await FindAsync(db, actor, id, ct) is null) return Refusal.NotFound("督办记录");
        var now = clock.GetUtcNow();

        var by = new Actor(actor.UserName, actor.Role, actor.UnitCode);
        var outcome = await talks.ScheduleAsync(id, by, new TalkSetting(at, place!, attendees!), now, ct);
        switch (outcome)
        {
            case TalkNotFound: return Refusal.NotFound("督办记录");
            case TalkForbidden f: return Refusal.Forbidden(f.Message);
            case TalkRefused r: return Refusal.Unprocessable(r.Message, r.Field);
        }
        var found = await FindAsync(db, actor, id, ct);
        return found is null ? Refusal.NotFound("督办记录") : found;
    }

    /// <summary>A local time in <paramref name="zoneId"/> (as a datetime-local field sends it), or an instant with its offset.</summary>
    public static bool TryParseTime(string value, string zoneId, out DateTimeOffset at)
    {
        at = default;
        if (DateTime.TryParseExact(value, LocalForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            var zone = LocalTime.Zone(zoneId);
            if (zone.IsInvalidTime(local)) return false;
            at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            return true;
        }
        // An instant must say its offset: a bare date or a time without one is a local time in another form, refused.
        return value.Length > 16 && (value.EndsWith('Z') || value[^6] is '+' or '-')
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    /// <summary>One escalation the caller may see, or null.</summary>
    private static async Task<EscalationDto?> FindAsync(NpgsqlDataSource db, CurrentUser user, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await EscalationQueries.FindVisibleAsync(connection, user, id, ct);
    }
}
