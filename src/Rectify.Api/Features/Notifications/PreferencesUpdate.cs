using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications;
using Rectify.Notifications.Channels;

namespace Rectify.Api.Features.Notifications;

/// <summary>A person's notification preferences set (channels, digest, language, quiet hours); by the API and the people page.</summary>
public sealed class PreferencesUpdate(NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, IOptions<WebhookOptions> webhook)
{
    public async Task<Results<Ok<PreferencesDto>, ValidationProblem, ProblemHttpResult>> RunAsync(
        HttpContext http, Guid id, PreferencesRequest request, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        var channels = new List<string>();
        if (request.Channels is null || request.Channels.Count == 0) v.Add("channels", "至少选择一个通道 / choose at least one channel");
        else
            foreach (var c in request.Channels)
            {
                if (v.OneOf("channels", c, PreferencesApi.Channels) is not { } ok) continue;
                if (channels.Contains(ok)) v.Add("channels", $"通道 {ok} 重复 / duplicate channel {ok}");
                else channels.Add(ok);
            }
        var language = request.Language is null ? "zh" : v.OneOf("language", request.Language, PreferencesApi.Languages);
        var quietStart = PreferencesApi.Time(v, "quietStart", request.QuietStart);
        var quietEnd = PreferencesApi.Time(v, "quietEnd", request.QuietEnd);
        if ((quietStart is null) != (quietEnd is null) && v.IsValid)
            v.Add(quietStart is null ? "quietStart" : "quietEnd", "免打扰开始和结束时间需同时填写 / give both quietStart and quietEnd, or neither");
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await PreferenceQueries.AddressesAsync(connection, id, ct);
        if (person is null) return Problems.NotFound("人员");
        if (!PreferenceQueries.MayEdit(user, id)) return Problems.Forbidden("只能修改本人的通知设置 / you may change only your own preferences");
        var missing = channels.Where(c => !PreferencesApi.HasAddress(person, c, webhook.Value)).ToList();
        if (missing.Count > 0)
            return Problems.Unprocessable($"该人员未登记以下通道的地址：{string.Join("、", missing)} / no address for: {string.Join(", ", missing)}", "channels");

        await using var tx = await connection.BeginTransactionAsync(ct);
        const string sql = """
            insert into notification_preferences(person_id, channels, digest, language, quiet_start, quiet_end, updated_at)
            values (@id, @channels, @digest, @language, @quietStart::time, @quietEnd::time, now())
            on conflict (person_id) do update set channels = excluded.channels, digest = excluded.digest, language = excluded.language,
                quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, updated_at = now();
            """;
        var digest = request.Digest ?? false;
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { id, channels = channels.ToArray(), digest, language, quietStart, quietEnd }, tx, cancellationToken: ct));
        if (!digest)
        {
            // Back to immediate delivery: what was held for tomorrow's digest goes out now.
            const string release = """
                update outbox set digest_hold = false, not_before = @now
                where recipient_person_id = @id and digest_hold and digested_in is null and status = 'pending';
                select pg_notify('rectify_outbox', '');
                """;
            await connection.ExecuteAsync(new CommandDefinition(release, new { id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        }
        await journal.RecordAsync(connection, http, new AdminChange("person.preferences", "person", id.ToString(), new { channels, digest, language, quietStart, quietEnd }), ct, tx);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(await PreferenceQueries.ReadAsync(connection, person, ct));
    }
}
