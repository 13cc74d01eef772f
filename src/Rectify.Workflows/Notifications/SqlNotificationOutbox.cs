using Dapper;
using Npgsql;

namespace Rectify.Workflows.Notifications;

/// <summary>
/// Inserts outbox rows in one statement, one per recipient route (channel). A message shared by many recipients is
/// serialised once, and each request's payload is parsed to jsonb once (the array cast), not once per channel row.
/// </summary>
public sealed class SqlNotificationOutbox : INotificationOutbox
{
    public async Task<int> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NotificationRequest> requests, DateTimeOffset now, CancellationToken ct)
    {
        if (requests.Count == 0) return 0;
        var serialised = new Dictionary<OutboxMessage, string>(ReferenceEqualityComparer.Instance);
        string Json(OutboxMessage m) => serialised.TryGetValue(m, out var s) ? s : serialised[m] = OutboxJson.Serialize(m);
        const string sql = """
            insert into outbox(idempotency_key, kind, level, campaign_id, item_id, deliverable_id, escalation_id,
                               recipient_person_id, channel, urgent, not_before, created_at, payload)
            select r.subject_key || ':' || r.person || ':' || nr.channel, r.kind, r.level, r.campaign, r.item, r.deliverable, r.escalation,
                   r.person, nr.channel, r.urgent, r.not_before, @now, r.payload
            from unnest(@keys, @kinds, @levels, @campaigns, @items, @deliverables, @escalations, @people, @urgent, @notBefore, @payloads::jsonb[])
                 as r(subject_key, kind, level, campaign, item, deliverable, escalation, person, urgent, not_before, payload)
            join notification_routes nr on nr.person_id = r.person
            on conflict (idempotency_key) do nothing
            """;
        return await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            keys = requests.Select(r => r.SubjectKey).ToArray(),
            kinds = requests.Select(r => r.Kind).ToArray(),
            levels = requests.Select(r => r.Level).ToArray(),
            campaigns = requests.Select(r => r.CampaignId).ToArray(),
            items = requests.Select(r => r.ItemId).ToArray(),
            deliverables = requests.Select(r => r.DeliverableId).ToArray(),
            escalations = requests.Select(r => r.EscalationId).ToArray(),
            people = requests.Select(r => r.RecipientPersonId).ToArray(),
            urgent = requests.Select(r => r.Urgent).ToArray(),
            notBefore = requests.Select(r => r.NotBefore).ToArray(),
            payloads = requests.Select(r => Json(r.Message)).ToArray(),
            now,
        }, transaction, cancellationToken: ct));
    }
}
