using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;

namespace Rectify.Api.Features.Notifications;

public sealed record RecipientRef(Guid? PersonId, string? Name);

public sealed record NotificationDto(
    long Id, Guid? ItemId, Guid? CampaignId, Guid? EscalationId, string Kind, string? Level, RecipientRef Recipient, string Channel,
    string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset NotBefore, string? Subject,
    string? LastError, bool HeldForDigest, long? DigestedIn);

/// <summary>The notification log (GET /api/notifications) and re-queueing a dead message (POST …/{id}/retry).</summary>
public static class NotificationsApi
{
    internal static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal) { "pending", "sent", "failed", "dead" };

    /// <summary>Maps every notifications endpoint: the log, the inbox, preferences, channel secrets and letters.</summary>
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/{id:long}/retry", Retry).RequireAuthorization(Policies.ManageOrganisation);
        app.MapInboxApi();
        app.MapPreferencesApi();
        app.MapLettersApi();
        return app;
    }

    private sealed record Row(
        long Id, Guid? ItemId, Guid? CampaignId, Guid? EscalationId, string Kind, string? Level, Guid? PersonId, string? PersonName,
        string Channel, string Status, int Attempts, DateTime CreatedAt, DateTime? SentAt, DateTime NotBefore, string? Subject,
        string? LastError, bool DigestHold, long? DigestedIn)
    {
        public NotificationDto ToDto() => new(
            Id, ItemId, CampaignId, EscalationId, Kind, Level, new RecipientRef(PersonId, PersonName), Channel, Status, Attempts,
            Utc(CreatedAt), SentAt is { } s ? Utc(s) : null, Utc(NotBefore), Subject, LastError, DigestHold && DigestedIn is null, DigestedIn);

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }

    private const string Select = """
        select o.id, o.item_id as ItemId, coalesce(o.campaign_id, i.campaign_id) as CampaignId, o.escalation_id as EscalationId,
               o.kind, o.level, o.recipient_person_id as PersonId, p.name as PersonName, o.channel, o.status, o.attempts,
               o.created_at as CreatedAt, o.sent_at as SentAt, o.not_before as NotBefore, o.subject, o.last_error as LastError,
               o.digest_hold as DigestHold, o.digested_in as DigestedIn
        from outbox o
        left join items i on i.id = o.item_id
        left join campaigns c on c.id = coalesce(o.campaign_id, i.campaign_id)
        left join people p on p.id = o.recipient_person_id
        """;

    /// <summary>Like items: a row about an item is visible with the item; about a campaign with the campaign; and to its recipient.</summary>
    private const string Visible = $"""
        (@role = 'admin'
         or (o.recipient_person_id is not null and o.recipient_person_id = @person)
         or (i.id is not null and {Access.ItemVisible})
         or (i.id is null and c.id is not null and {Access.CampaignVisible}))
        """;

    public static async Task<Results<Ok<Page<NotificationDto>>, ValidationProblem>> List(
        HttpContext http, NpgsqlDataSource db, Guid? itemId, Guid? campaignId, Guid? recipient, string? status, string? channel, string? kind,
        int? page, int? pageSize, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        if (status is not null) v.OneOf("status", status, Statuses);
        if (channel is not null) v.OneOf("channel", channel, PreferencesApi.Channels);
        if (kind is not null) v.Optional("kind", kind, 40);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        var paging = Paging.From(page, pageSize);
        const string where = $"""
            where {Visible}
              and (@itemId::uuid is null or o.item_id = @itemId)
              and (@campaignId::uuid is null or coalesce(o.campaign_id, i.campaign_id) = @campaignId)
              and (@recipient::uuid is null or o.recipient_person_id = @recipient)
              and (@status::text is null or o.status = @status)
              and (@channel::text is null or o.channel = @channel)
              and (@kind::text is null or o.kind = @kind)
            """;
        const string sql = $"""
            select count(*) from outbox o
            left join items i on i.id = o.item_id
            left join campaigns c on c.id = coalesce(o.campaign_id, i.campaign_id)
            {where};
            {Select} {where} order by o.id desc limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, person = user.PersonId, itemId, campaignId, recipient, status, channel, kind,
            limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return TypedResults.Ok(new Page<NotificationDto>(rows.Select(r => ForCaller(r.ToDto(), user)).ToList(), total));
    }

    /// <summary>Re-queues a dead message: pending, attempt count reset, due now. Rows folded into a dead digest come back with it.</summary>
    public static async Task<Results<Ok<NotificationDto>, ProblemHttpResult>> Retry(
        long id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, AdminJournal journal, OutboxSignal signal, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await FindVisibleAsync(connection, id, user, ct);
        if (row is null) return Problems.NotFound("通知");
        if (row.Status != "dead") return Problems.Unprocessable($"只有失败终止（dead）的通知可以重新发送，当前状态为 {row.Status} / only a dead notification can be retried", "status");
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string sql = """
            update outbox set status = 'pending', attempts = 0, not_before = @now, claim_token = null
            where id = @id and status = 'dead';
            update outbox set status = 'pending' where digested_in = @id and status = 'dead';
            select pg_notify('rectify_outbox', '');
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await journal.RecordAsync(connection, http, "notification.retried", "notification", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { previousAttempts = row.Attempts, row.LastError }, ct, tx);
        await tx.CommitAsync(ct);
        signal.Poke();
        return TypedResults.Ok((await FindVisibleAsync(connection, id, user, ct))!);
    }

    private static async Task<NotificationDto?> FindVisibleAsync(NpgsqlConnection connection, long id, CurrentUser user, CancellationToken ct)
    {
        const string sql = $"{Select} where o.id = @id and {Visible}";
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql,
            new { id, role = user.Role, unit = user.UnitCode, person = user.PersonId }, cancellationToken: ct));
        return row is null ? null : ForCaller(row.ToDto(), user);
    }

    /// <summary>
    /// lastError holds what the remote end answered (the first 300 characters of a webhook's reply): administrators
    /// only (issue 19: units read other servers' answers in the log, which made the robot URLs an SSRF with the answer
    /// shown). The recipient of the message sees that it failed, in general terms; anyone else sees no error text.
    /// </summary>
    public static NotificationDto ForCaller(NotificationDto n, CurrentUser user) =>
        user.IsAdmin || n.LastError is null ? n
        : n with { LastError = n.Recipient.PersonId is { } p && p == user.PersonId ? HiddenError : null };

    public const string HiddenError = "发送失败，详情仅系统管理员可见 / delivery failed; details are for administrators only";
}
