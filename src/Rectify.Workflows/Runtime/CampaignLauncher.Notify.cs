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
        // Each unit's number of items in this launch, from its parts (one per distinct lead or responsible unit of an item,
        // kept by the assignments trigger; a draft's parts are 'assigned' or, once a unit is taken off, 'withdrawn'): a
        // unit above DigestAbove gets one digest, the others a message per item.
        var perUnit = notify
            ? (await connection.QueryAsync<(string Unit, int Items)>(new CommandDefinition("""
                select unit_code, count(*)::int from assignments where campaign_id = @campaignId and state <> 'withdrawn' group by unit_code
                """, new { campaignId = campaign.Id }, tx, cancellationToken: ct, commandTimeout: 300))).ToList()
            : [];
        var single = perUnit.Where(u => u.Items <= DigestAbove).Select(u => u.Unit).ToArray();
        var args = new
        {
            campaignId = campaign.Id, now, actor = actor.Name, initial = d.Item.InitialState, launch = d.Item.LaunchState,
            title = campaign.Title, launchLevel, notify, single,
            office = campaign.SupervisionUnit ?? campaign.IssuedByUnit,
            history = notify ? null : "演示数据：历史交办，未发送通知 / demo history, no message sent",
        };
        // An item's launch entry names its own `assigned` messages only when some unit of it gets one: a unit above the
        // digest threshold gets the campaign-level digest instead (see below), and the journal must not promise more.
        // Its item references are the campaign's items this transaction has just updated (migration 0998: not probed
        // again one by one).
        const string journal = """
            set local rectify.item_refs = 'held';
            insert into journal(campaign_id, item_id, at, actor, type, from_state, to_state, note, subject_key, data)
            select i.campaign_id, i.id, @now, @actor, 'launch', @initial, @launch, @history,
                   case when @notify and (i.lead_unit = any(@single) or i.units && @single) then 'item:' || i.id || ':assigned' end,
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
        // get one message listing them (a province-wide launch must not send a unit hundreds of mails in one minute). Both
        // read the parts: a unit's single messages its few parts, a digest the unit's first fifty by deadline (nulls last)
        // and number, read in deadline order from `assignments_to_sign` (every part of a draft still to be signed is
        // 'assigned'), not every pair of every item.
        const string assigned = """
            with single as (
                insert into outbox(idempotency_key, kind, campaign_id, item_id, recipient_person_id, channel, urgent, not_before, created_at, payload)
                select 'item:' || i.id || ':assigned:' || p.id || ':' || nr.channel, 'assigned', i.campaign_id, i.id, p.id, nr.channel, false, @now, @now,
                       jsonb_build_object('type', 'assigned',
                                          'subject', jsonb_build_object('type', 'assignment', 'campaignId', i.campaign_id, 'itemId', i.id, 'unitCode', a.unit_code),
                                          'deadline', i.effective_deadline, 'ongoing', i.ongoing, 'role', a.role)
                from assignments a
                join items i on i.id = a.item_id
                join people p on p.unit_code = a.unit_code and p.is_unit_contact
                join notification_routes nr on nr.person_id = p.id
                where a.campaign_id = @campaignId and a.unit_code = any(@single) and a.state <> 'withdrawn'
                on conflict (idempotency_key) do nothing
            ), digest as (
                select u.u, u.n as items, f.first_deadline, f.numbers
                from unnest(@digestUnits, @digestCounts) as u(u, n)
                cross join lateral (
                    select min(x.deadline) as first_deadline, array_agg(x.number order by x.deadline nulls last, x.number) as numbers
                    from (select a.item_deadline as deadline, i.number
                          from assignments a join items i on i.id = a.item_id
                          where a.unit_code = u.u and a.campaign_id = @campaignId and a.state = 'assigned'
                          order by a.item_deadline nulls last, i.number
                          limit 50) x
                ) f
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
        var digests = perUnit.Where(u => u.Items > DigestAbove).ToList();
        await connection.ExecuteAsync(new CommandDefinition(assigned, new
        {
            args.campaignId, args.now, single, digestUnits = digests.Select(u => u.Unit).ToArray(), digestCounts = digests.Select(u => u.Items).ToArray(),
        }, tx, cancellationToken: ct, commandTimeout: 300));
    }
}
