using Dapper;
using Npgsql;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

public sealed partial class CampaignLauncher
{
    /// <summary>Above this many items for one unit in one launch, the unit's contacts get one digest instead of one message per item.</summary>
    public const int DigestAbove = 50;

    private static async Task JournalAndNotifyAsync(ScheduleWork work, CampaignSubject campaign, Actor actor, string launchLevel, bool notify, CancellationToken ct)
    {
        var (connection, tx, d, _, _, now) = work;
        var args = new
        {
            campaignId = campaign.Id, now, actor = actor.Name, initial = d.Item.InitialState, launch = d.Item.LaunchState,
            title = campaign.Title, launchLevel, notify, digestAbove = DigestAbove,
            office = campaign.SupervisionUnit ?? campaign.IssuedByUnit,
            history = notify ? null : "演示数据：历史交办，未发送通知 / demo history, no message sent",
        };
        // An item's launch entry names its own `assigned` messages only when some unit of it gets one: a unit above the
        // digest threshold gets the campaign-level digest instead (see below), and the journal must not promise more.
        // Its item references are the campaign's items this transaction has just updated (migration 0998: not probed
        // again one by one).
        const string journal = """
            set local rectify.item_refs = 'held';
            with per_unit as (
                select uu.u, count(*) as n
                from items i cross join lateral (select distinct u from unnest(array[i.lead_unit] || i.units) u) uu
                where i.campaign_id = @campaignId and @notify
                group by uu.u
            )
            insert into journal(campaign_id, item_id, at, actor, type, from_state, to_state, note, subject_key, data)
            select i.campaign_id, i.id, @now, @actor, 'launch', @initial, @launch, @history,
                   case when @notify and exists (
                            select 1 from unnest(array[i.lead_unit] || i.units) as mine(code) join per_unit pu on pu.u = mine.code where pu.n <= @digestAbove)
                        then 'item:' || i.id || ':assigned' end,
                   jsonb_build_object('deadline', i.effective_deadline, 'ongoing', i.ongoing, 'ackDueAt', i.ack_due_at)
            from items i where i.campaign_id = @campaignId;
            set local rectify.item_refs = 'checked';
            insert into journal(campaign_id, at, actor, type, note, data)
            values (@campaignId, @now, @actor, 'campaignLaunched', @history, jsonb_build_object('escalationLevel', @launchLevel));
            """;
        await connection.ExecuteAsync(new CommandDefinition(journal, args, tx, cancellationToken: ct, commandTimeout: 300));

        if (launchLevel != EscalationLevels.None)
        {
            // Items that start under a supervision letter (monthly supervision): the record exists from the first day.
            const string escalate = """
                with opened as (
                    insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at, note, lead_unit)
                    select gen_random_uuid(), campaign_id, id, @launchLevel, @office, @now, '交办即督办 / under supervision from assignment',
                           lead_unit
                    from items where campaign_id = @campaignId
                    returning id, item_id
                )
                insert into outbox(idempotency_key, kind, level, campaign_id, item_id, escalation_id, recipient_person_id, channel, urgent,
                                   not_before, created_at, payload)
                select 'item:' || i.id || ':escalation:' || @launchLevel || ':c1:' || p.id || ':' || nr.channel, 'escalation', @launchLevel,
                       i.campaign_id, i.id, o.id, p.id, nr.channel, true, @now, @now,
                       jsonb_build_object('type', 'escalation', 'subject', jsonb_build_object('type', 'item', 'campaignId', i.campaign_id, 'itemId', i.id),
                                          'escalationLevel', @launchLevel, 'officeUnit', @office, 'deadline', i.effective_deadline, 'atLaunch', true)
                from opened o join items i on i.id = o.item_id
                cross join lateral (select distinct u from unnest(array[i.lead_unit, @office] || i.units) u) uu
                join people p on p.unit_code = uu.u and p.is_unit_contact
                join notification_routes nr on nr.person_id = p.id
                where @notify
                on conflict (idempotency_key) do nothing
                """;
            await connection.ExecuteAsync(new CommandDefinition(escalate, args, tx, cancellationToken: ct, commandTimeout: 300));
        }
        if (!notify) return;
        // The payloads are the JSON of the typed messages (OutboxMessages.cs: EscalationMessage, AssignedMessage,
        // AssignedBatchMessage), built in SQL so a 100,000-item launch stays one statement; CampaignLaunchMessagesTests
        // reads every one back into its record.
        // One message per item and unit, except for a unit that receives more than DigestAbove items at once: its contacts
        // get one message listing them (a province-wide launch must not send a unit hundreds of mails in one minute).
        const string assigned = """
            with pairs as materialized (
                select i.id, i.number, i.effective_deadline, uu.u
                from items i cross join lateral (select distinct u from unnest(array[i.lead_unit] || i.units) u) uu
                where i.campaign_id = @campaignId
            ), per_unit as (
                select u, count(*) as n from pairs group by u
            ), counted as (
                -- Only the pairs of units under the digest threshold need the item's other columns.
                select i.id, i.campaign_id, i.number, i.title, i.effective_deadline, i.ongoing, i.lead_unit, i.units, p.u, pu.n as per_unit
                from pairs p join per_unit pu on pu.u = p.u and pu.n <= @digestAbove join items i on i.id = p.id
            ), single as (
                insert into outbox(idempotency_key, kind, campaign_id, item_id, recipient_person_id, channel, urgent, not_before, created_at, payload)
                select 'item:' || c.id || ':assigned:' || p.id || ':' || nr.channel, 'assigned', c.campaign_id, c.id, p.id, nr.channel, false, @now, @now,
                       jsonb_build_object('type', 'assigned',
                                          'subject', jsonb_build_object('type', 'assignment', 'campaignId', c.campaign_id, 'itemId', c.id, 'unitCode', c.u),
                                          'deadline', c.effective_deadline, 'ongoing', c.ongoing,
                                          'role', case when c.u = c.lead_unit then 'lead' else 'responsible' end)
                from counted c
                join people p on p.unit_code = c.u and p.is_unit_contact
                join notification_routes nr on nr.person_id = p.id
                where c.per_unit <= @digestAbove
                on conflict (idempotency_key) do nothing
            ), digest as (
                select p.u, count(*) as items, min(p.effective_deadline) as first_deadline,
                       (array_agg(p.number order by p.effective_deadline nulls last, p.number))[1:50] as numbers
                from pairs p join per_unit pu on pu.u = p.u and pu.n > @digestAbove group by p.u
            )
            insert into outbox(idempotency_key, kind, campaign_id, recipient_person_id, channel, urgent, not_before, created_at, payload)
            select 'campaign:' || @campaignId || ':assigned:unit:' || d.u || ':' || p.id || ':' || nr.channel, 'assigned', @campaignId, p.id, nr.channel,
                   false, @now, @now,
                   jsonb_build_object('type', 'assignedBatch', 'subject', jsonb_build_object('type', 'campaign', 'campaignId', @campaignId),
                                      'unitCode', d.u, 'itemCount', d.items, 'firstDeadline', d.first_deadline,
                                      'itemNumbers', coalesce(to_jsonb(d.numbers), '[]'::jsonb))
            from digest d
            join people p on p.unit_code = d.u and p.is_unit_contact
            join notification_routes nr on nr.person_id = p.id
            on conflict (idempotency_key) do nothing
            """;
        await connection.ExecuteAsync(new CommandDefinition(assigned, new { args.campaignId, args.now, args.title, digestAbove = DigestAbove }, tx, cancellationToken: ct, commandTimeout: 300));
    }
}
