using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;

namespace Rectify.Api.Features.Notifications;

/// <summary>The addresses of a person that the channels of their preferences need.</summary>
internal sealed record PersonAddresses(
    Guid Id, string? Email, string? Mobile, string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, string? WebhookUrl);

/// <summary>
/// The reads of notification preferences that the API (<c>GET /api/people/{id}/preferences</c>), the update and the people
/// screen share (issue 18: pages call queries, not endpoint handlers). A person reads their own preferences; the
/// administrator, the leading-group office and supervisors anyone's.
/// </summary>
public static class PreferenceQueries
{
    private sealed record PreferencesRow(string Channels, bool Digest, string Language, string? QuietStart, string? QuietEnd);

    /// <summary>Whether <paramref name="user"/> may change the preferences of <paramref name="person"/>.</summary>
    internal static bool MayEdit(CurrentUser user, Guid person) => user.IsAdmin || user.IsLeadingGroup || user.PersonId == person;

    /// <summary>
    /// The preferences of a person as <paramref name="user"/> may read them; null when there is no such person or they
    /// may not.
    /// </summary>
    public static async Task<PreferencesDto?> GetAsync(NpgsqlConnection connection, CurrentUser user, Guid id, CancellationToken ct)
    {
        var person = await AddressesAsync(connection, id, ct);
        if (person is null || !(MayEdit(user, id) || user.IsSupervisor)) return null;
        return await ReadAsync(connection, person, ct);
    }

    internal static Task<PersonAddresses?> AddressesAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<PersonAddresses>(new CommandDefinition("""
            select id, email, mobile, wecom_webhook as WecomWebhook, dingtalk_webhook as DingtalkWebhook, feishu_webhook as FeishuWebhook,
                   webhook_url as WebhookUrl
            from people where id = @id
            """, new { id }, cancellationToken: ct));

    internal static async Task<PreferencesDto> ReadAsync(NpgsqlConnection connection, PersonAddresses person, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PreferencesRow>(new CommandDefinition("""
            select array_to_string(channels, ',') as Channels, digest, language, to_char(quiet_start, 'HH24:MI') as QuietStart,
                   to_char(quiet_end, 'HH24:MI') as QuietEnd
            from notification_preferences where person_id = @id
            """, new { id = person.Id }, cancellationToken: ct));
        if (row is not null)
        {
            var channels = row.Channels.Split(',', StringSplitOptions.RemoveEmptyEntries);
            return new PreferencesDto(person.Id, channels, row.Digest, row.Language, row.QuietStart, row.QuietEnd, false);
        }
        // The defaults of the notification_routes view.
        IReadOnlyList<string> defaults = string.IsNullOrWhiteSpace(person.Email) ? ["inbox"] : ["email", "inbox"];
        return new PreferencesDto(person.Id, defaults, false, "zh", null, null, true);
    }
}
