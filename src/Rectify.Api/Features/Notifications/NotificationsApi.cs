using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Dispatch;

namespace Rectify.Api.Features.Notifications;

public sealed record RecipientRef(Guid? PersonId, string? Name);

/// <summary>What a notification is about, named for a person: <c>type</c> ∈ item, deliverable, campaign, person.</summary>
public sealed record AboutRef(string Type, Guid? Id, string Name);

public sealed record NotificationDto(
    long Id, Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? EscalationId, string Kind, string? Level, RecipientRef Recipient, string Channel,
    string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset NotBefore, string? Subject,
    string? LastError, bool HeldForDigest, long? DigestedIn, AboutRef About);

/// <summary>Which rows of the notification log to list.</summary>
public sealed record NotificationFilter(
    Guid? ItemId = null, Guid? CampaignId = null, Guid? DeliverableId = null, Guid? Recipient = null, string? Status = null, string? Channel = null, string? Kind = null);

/// <summary>The notification log (GET /api/notifications) and re-queueing a dead message (POST …/{id}/retry).</summary>
public static class NotificationsApi
{
    internal static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal) { "pending", "sent", "failed", "dead" };

    /// <summary>The notification log and its retry (the inbox, preferences and letters map themselves beside it).</summary>
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/{id:long}/retry", Retry).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    private sealed record Row(
        long Id, Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? EscalationId, string Kind, string? Level, Guid? PersonId, string? PersonName,
        string Channel, string Status, int Attempts, DateTime CreatedAt, DateTime? SentAt, DateTime NotBefore, string? Subject,
        string? LastError, bool DigestHold, long? DigestedIn, string? ItemNumber, string? ItemTitle, string? DeliverableName, string? DeliverableUnit,
        string? CampaignTitle)
    {
        public NotificationDto ToDto() => new(
            Id, ItemId, CampaignId, DeliverableId, EscalationId, Kind, Level, new RecipientRef(PersonId, PersonName), Channel, Status, Attempts,
            Utc(CreatedAt), SentAt is { } s ? Utc(s) : null, Utc(NotBefore), Subject, LastError, DigestHold && DigestedIn is null, DigestedIn, About());

        /// <summary>The item (第3项 title), the deliverable (unit and name), the campaign, or the person's digest.</summary>
        private AboutRef About() =>
            DeliverableId is { } d ? new("deliverable", d, $"{DeliverableUnit}“{DeliverableName}”")
            : ItemId is { } i ? new("item", i, ItemNumber is { Length: > 0 } n ? $"第{n}项 {ItemTitle}" : ItemTitle ?? "")
            : CampaignId is { } c ? new("campaign", c, CampaignTitle ?? "")
            : new("person", PersonId, $"{PersonName}的每日汇总 / daily digest");

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }

    // The deliverable's name is the one its message carries (from its definition version); rows queued before the
    // typed contract carried it as deliverableName.
    private const string Select = """
        select o.id, o.item_id as ItemId, coalesce(o.campaign_id, i.campaign_id) as CampaignId, o.deliverable_id as DeliverableId,
               o.escalation_id as EscalationId,
               o.kind, o.level, o.recipient_person_id as PersonId, p.name as PersonName, o.channel, o.status, o.attempts,
               o.created_at as CreatedAt, o.sent_at as SentAt, o.not_before as NotBefore, o.subject, o.last_error as LastError,
               o.digest_hold as DigestHold, o.digested_in as DigestedIn, i.number as ItemNumber, i.title as ItemTitle,
               coalesce(o.payload->'subject'->>'name', o.payload->>'deliverableName', d.kind) as DeliverableName, du.name as DeliverableUnit,
               c.title as CampaignTitle
        from outbox o
        left join items i on i.id = o.item_id
        left join deliverables d on d.id = o.deliverable_id
        left join units du on du.code = d.unit_code
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
        HttpContext http, NpgsqlDataSource db, [AsParameters] NotificationQuery query, CancellationToken ct)
    {
        var v = new Validator();
        if (query.Status is not null) v.OneOf("status", query.Status, Statuses);
        if (query.Channel is not null) v.OneOf("channel", query.Channel, PreferencesApi.Channels);
        if (query.Kind is not null) v.Optional("kind", query.Kind, 40);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await ListAsync(connection, CurrentUser.From(http.User), query.Filter, Paging.From(query.Page, query.PageSize), ct));
    }

    /// <summary>The query string of GET /api/notifications.</summary>
    public sealed record NotificationQuery(
        Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? Recipient, string? Status, string? Channel, string? Kind, int? Page, int? PageSize)
    {
        public NotificationFilter Filter => new(ItemId, CampaignId, DeliverableId, Recipient, Status, Channel, Kind);
    }

    /// <summary>The log rows <paramref name="user"/> may see, newest first: the query the API and the pages share.</summary>
    public static async Task<Page<NotificationDto>> ListAsync(NpgsqlConnection connection, CurrentUser user, NotificationFilter filter, Paging paging, CancellationToken ct)
    {
        const string where = $"""
            where {Visible}
              and (@ItemId::uuid is null or o.item_id = @ItemId)
              and (@CampaignId::uuid is null or coalesce(o.campaign_id, i.campaign_id) = @CampaignId)
              and (@DeliverableId::uuid is null or o.deliverable_id = @DeliverableId)
              and (@Recipient::uuid is null or o.recipient_person_id = @Recipient)
              and (@Status::text is null or o.status = @Status)
              and (@Channel::text is null or o.channel = @Channel)
              and (@Kind::text is null or o.kind = @Kind)
            """;
        const string sql = $"""
            select count(*) from outbox o
            left join items i on i.id = o.item_id
            left join campaigns c on c.id = coalesce(o.campaign_id, i.campaign_id)
            {where};
            {Select} {where} order by o.id desc limit @limit offset @offset;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, person = user.PersonId, filter.ItemId, filter.CampaignId, filter.DeliverableId,
            filter.Recipient, filter.Status, filter.Channel, filter.Kind, limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return new Page<NotificationDto>(rows.Select(r => ForCaller(r.ToDto(), user)).ToList(), total);
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
