using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Notifications;

/// <summary>
/// The reads of the notification log that the API (GET /api/notifications, the retry) and the pages (the item's
/// messages, the outbox screen) share; each row is shown as its reader may see it (<see cref="ForCaller"/>).
/// </summary>
public static class NotificationQueries
{
    private sealed record Row(
        long Id, Guid? ItemId, Guid? CampaignId, Guid? DeliverableId, Guid? EscalationId, string Kind, string? Level, Guid? PersonId, string? PersonName,
        string Channel, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset NotBefore, string? Subject,
        string? LastError, bool DigestHold, long? DigestedIn, string? ItemNumber, string? ItemTitle, string? DeliverableName, string? DeliverableUnit,
        string? CampaignTitle)
    {
        public NotificationDto ToDto() => new(
            Id, ItemId, CampaignId, DeliverableId, EscalationId, Kind, Level, new RecipientRef(PersonId, PersonName), Channel, Status, Attempts,
            CreatedAt, SentAt, NotBefore, Subject, LastError, DigestHold && DigestedIn is null, DigestedIn, About());

        /// <summary>The item (第3项 title), the deliverable (unit and name), the campaign, or the person's digest.</summary>
        private AboutRef About() =>
            DeliverableId is { } d ? new("deliverable", d, $"{DeliverableUnit}“{DeliverableName}”")
            : ItemId is { } i ? new("item", i, ItemNumber is { Length: > 0 } n ? $"第{n}项 {ItemTitle}" : ItemTitle ?? "")
            : CampaignId is { } c ? new("campaign", c, CampaignTitle ?? "")
            : new("person", PersonId, $"{PersonName}的每日汇总 / daily digest");
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

    /// <summary>One row of the log, if <paramref name="user"/> may see it.</summary>
    public static async Task<NotificationDto?> FindVisibleAsync(NpgsqlConnection connection, long id, CurrentUser user, CancellationToken ct)
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
