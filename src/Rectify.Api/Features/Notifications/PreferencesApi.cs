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

public sealed record PreferencesRequest(IReadOnlyList<string?>? Channels, bool? Digest, string? Language, string? QuietStart, string? QuietEnd);

public sealed record PreferencesDto(Guid PersonId, IReadOnlyList<string> Channels, bool Digest, string Language, string? QuietStart, string? QuietEnd, bool IsDefault);

public sealed record ChannelSecretsRequest(string? DingtalkSecret, string? FeishuSecret, string? WebhookUrl, string? WebhookSecret);

public sealed record ChannelSecretsDto(Guid PersonId, bool HasDingtalkSecret, bool HasFeishuSecret, string? WebhookUrl, bool HasWebhookSecret);

/// <summary>
/// A person's notification preferences (channels, daily digest, language, quiet hours) and the write-only robot and
/// webhook secrets. A person may change their own preferences; the administrator and the leading-group office anyone's.
/// </summary>
public static class PreferencesApi
{
    public static readonly IReadOnlySet<string> Channels = new HashSet<string>(StringComparer.Ordinal)
        { "email", "wecom", "dingtalk", "feishu", "webhook", "sms", "inbox" };

    internal static readonly IReadOnlySet<string> Languages = new HashSet<string>(StringComparer.Ordinal) { "zh", "en" };

    public static IEndpointRouteBuilder MapPreferencesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/people/{id:guid}").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/preferences", Get);
        group.MapPut("/preferences", Put);
        group.MapGet("/channel-secrets", GetSecrets).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/channel-secrets", PutSecrets).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Results<Ok<PreferencesDto>, ProblemHttpResult>> Get(Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var dto = await PreferenceQueries.GetAsync(connection, CurrentUser.From(http.User), id, ct);
        return dto is null ? Problems.NotFound("人员") : TypedResults.Ok(dto);
    }

    public static Task<Results<Ok<PreferencesDto>, ValidationProblem, ProblemHttpResult>> Put(
        Guid id, PreferencesRequest request, HttpContext http, PreferencesUpdate update, CancellationToken ct) => update.RunAsync(http, id, request, ct);

    public static async Task<Results<Ok<ChannelSecretsDto>, ProblemHttpResult>> GetSecrets(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var dto = await SecretsAsync(connection, id, ct);
        return dto is null ? Problems.NotFound("人员") : TypedResults.Ok(dto);
    }

    /// <summary>null leaves a value unchanged, "" clears it. Secrets are never returned, only whether they are set.</summary>
    public static async Task<Results<Ok<ChannelSecretsDto>, ValidationProblem, ProblemHttpResult>> PutSecrets(
        Guid id, ChannelSecretsRequest request, HttpContext http, NpgsqlDataSource db, AdminJournal journal, OutboundPolicy outbound, CancellationToken ct)
    {
        var v = new Validator();
        if (request.WebhookUrl is { Length: > 0 }) v.HttpsUrl("webhookUrl", request.WebhookUrl);
        foreach (var (field, value) in new[] { ("dingtalkSecret", request.DingtalkSecret), ("feishuSecret", request.FeishuSecret), ("webhookSecret", request.WebhookSecret) })
            if (value is { Length: > 0 }) v.Optional(field, value, 256);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var webhookUrl = request.WebhookUrl?.Trim();
        if (SecretUrl.IsMasked(webhookUrl))
        {
            // The masked URL this API answered, sent back: unchanged. Any other masked value cannot be a real address.
            await using var c = await db.OpenConnectionAsync(ct);
            var stored = await c.ExecuteScalarAsync<string?>(new CommandDefinition("select webhook_url from people where id = @id", new { id }, cancellationToken: ct));
            if (SecretUrl.Keep(webhookUrl, stored) == webhookUrl)
                return Problems.Unprocessable("地址中含有遮盖的密钥（****），请填写完整地址 / the URL contains a masked secret; give the full URL", "webhookUrl");
            webhookUrl = null;
        }
        else if (webhookUrl is { Length: > 0 } && outbound.CheckWebhook(webhookUrl) is { } refused)
        {
            return Problems.Unprocessable(refused, "webhookUrl");
        }
        const string sql = """
            update people set
                dingtalk_secret = case when @dingtalk::text is null then dingtalk_secret else nullif(@dingtalk, '') end,
                feishu_secret = case when @feishu::text is null then feishu_secret else nullif(@feishu, '') end,
                webhook_url = case when @webhookUrl::text is null then webhook_url else nullif(@webhookUrl, '') end,
                webhook_secret = case when @webhookSecret::text is null then webhook_secret else nullif(@webhookSecret, '') end,
                updated_at = now()
            where id = @id
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, dingtalk = request.DingtalkSecret?.Trim(), feishu = request.FeishuSecret?.Trim(),
            webhookUrl, webhookSecret = request.WebhookSecret?.Trim(),
        }, cancellationToken: ct));
        if (changed == 0) return Problems.NotFound("人员");
        var dto = (await SecretsAsync(connection, id, ct))!;
        await journal.RecordAsync(connection, http, new AdminChange("person.channelSecrets", "person", id.ToString(), dto), ct);
        return TypedResults.Ok(dto);
    }

    internal static string? Time(Validator v, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (TimeOnly.TryParseExact(value.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            return t.ToString("HH:mm", CultureInfo.InvariantCulture);
        v.Add(field, "时间格式应为 HH:mm / must be HH:mm");
        return null;
    }

    internal static bool HasAddress(PersonAddresses p, string channel, WebhookOptions webhook) => channel switch
    {
        "email" => !string.IsNullOrWhiteSpace(p.Email),
        "sms" => !string.IsNullOrWhiteSpace(p.Mobile),
        "wecom" => !string.IsNullOrWhiteSpace(p.WecomWebhook),
        "dingtalk" => !string.IsNullOrWhiteSpace(p.DingtalkWebhook),
        "feishu" => !string.IsNullOrWhiteSpace(p.FeishuWebhook),
        "webhook" => !string.IsNullOrWhiteSpace(p.WebhookUrl) || !string.IsNullOrWhiteSpace(webhook.Url),
        _ => true,
    };

    private static async Task<ChannelSecretsDto?> SecretsAsync(NpgsqlConnection connection, Guid id, CancellationToken ct)
    {
        var dto = await connection.QuerySingleOrDefaultAsync<ChannelSecretsDto>(new CommandDefinition("""
            select id as PersonId, dingtalk_secret is not null as HasDingtalkSecret, feishu_secret is not null as HasFeishuSecret,
                   webhook_url as WebhookUrl, webhook_secret is not null as HasWebhookSecret
            from people where id = @id
            """, new { id }, cancellationToken: ct));
        // A webhook URL may carry a token in its query too: write-only like the secrets.
        return dto is null ? null : dto with { WebhookUrl = SecretUrl.Mask(dto.WebhookUrl) };
    }
}
