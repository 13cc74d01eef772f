using Dapper;
using Npgsql;

namespace Rectify.Bench.Scale;

/// <summary>
/// The national-scale data set, built set-based in SQL where the product would take months of clicks, and through the
/// API where the product's own path is what is measured (users, the campaign, the launch).
/// </summary>
public static class Dataset
{
    public const int Units = 300;

    /// <summary>Organisation: the leading-group office, the supervision office and <see cref="Units"/> units with a contact each.</summary>
    public const string Organisation = """
        insert into units(code, name, kind) values ('lgo', '整改工作领导小组办公室', 'leadingGroup'), ('dcs', '督查室', 'supervisionOffice')
        on conflict do nothing;
        insert into units(code, name, kind)
        select 'u' || n, case when n % 3 = 0 then '第' || n || '乡镇' else '第' || n || '部门' end,
               case when n % 3 = 0 then 'township' else 'department' end
        from generate_series(1, 300) n on conflict do nothing;
        insert into people(id, name, unit_code, email, is_unit_contact)
        select gen_random_uuid(), '联络员' || u.code, u.code, u.code || '@example.cn', true from units u
        where not exists (select 1 from people p where p.unit_code = u.code);
        """;

    /// <summary>
    /// <paramref name="items"/> draft items, three units each (a lead unit and two responsible units), titles and
    /// descriptions composed from places and problems (so a search finds a realistic share), deadlines 30–150 days out.
    /// Ids as the service gives them (ItemWriter.IdInSequence): version 7, the campaign's time, in the order of seq; or,
    /// with randomIds, in no order, as an import of the builds before it gave them (every id of an import had the same
    /// millisecond and random bits after it).
    /// </summary>
    public const string Items = """
        with words as (
            select array['城关镇','东河镇','西山乡','南湖街道','北岭镇','清水乡','石桥镇','白云乡','青龙镇','金沙街道',
                         '红旗村','新华村','光明社区','和平村','团结村','永安镇','长乐乡','福兴村','太平镇','安宁街道',
                         '桃源村','杏花村','柳树湾','梨园村','枫林镇','松柏乡','竹溪村','梅岭镇','兰亭街道','菊香村',
                         '高新区','工业园','开发区','物流园','农贸市场','客运站','人民医院','第一中学','老城区','滨河路'] as place,
                   array['生活污水直排','垃圾堆放未清运','河道漂浮物','黑臭水体','违规占用耕地','养殖粪污直排','秸秆露天焚烧',
                         '扬尘污染','餐饮油烟扰民','噪声扰民','危房未改造','饮水安全隐患','道路破损','路灯损坏','消防通道堵塞',
                         '违章搭建','乱堆乱放','广告牌破损','井盖缺失','排水不畅','公厕卫生差','绿化带毁损','非法采砂','非法捕捞',
                         '林地被占用','矿山未修复','工地扬尘','渣土撒漏','油烟直排','医疗废物处置不规范','校园周边安全隐患',
                         '农贸市场脏乱差','燃气管道老化','电动车充电隐患','高空坠物隐患','电梯维保不到位','物业服务不规范',
                         '拖欠农民工工资','惠民资金发放滞后','低保审核不严','信访积案化解','政务服务效率低','审批时限过长',
                         '基层减负不到位','形式主义问题','村务公开不及时','集体资产管理混乱','土地流转纠纷','水利设施损毁','污水管网未接通'] as problem
        )
        insert into items(id, campaign_id, seq, number, category, title, description, measures, target, lead_unit, units,
                          deadline, effective_deadline, state, created_at, updated_at)
        select case when @randomIds then gen_random_uuid()
                    else (lpad(to_hex((extract(epoch from @now::timestamptz) * 1000)::bigint), 12, '0') || '7'
                          || lpad(to_hex(n >> 16), 3, '0') || '8' || lpad(to_hex(n & 65535), 4, '0')
                          || substr(md5(n::text), 1, 11))::uuid end,
               @campaign, n, 'ZG' || lpad(n::text, 7, '0'),
               (array['生态环境','安全生产','民生保障','作风建设','基础设施','乡村振兴'])[1 + n % 6],
               w.place[1 + (n / 7) % 40] || w.problem[1 + (n::bigint * 7919) % 50] || '问题',
               '群众反映' || w.place[1 + (n / 7) % 40] || '存在' || w.problem[1 + (n::bigint * 7919) % 50] || '情况，经现场核查属实，涉及第' || (1 + n % 97) || '片区。',
               '制定整改方案，明确责任人和完成时限，逐项销号。', '问题整改到位，群众满意。',
               'u' || (1 + n % 300),
               array['u' || (1 + n % 300), 'u' || (1 + (n + 101) % 300), 'u' || (1 + (n + 202) % 300)],
               (@now at time zone 'Asia/Shanghai')::date + 30 + n % 120, (@now at time zone 'Asia/Shanghai')::date + 30 + n % 120,
               'draft', @now, @now
        from generate_series(1, @items) n, words w;
        """;

    /// <summary>
    /// What months of work leave behind, applied after the launch in a few set-based statements (as the events would,
    /// journal rows included), the launch moved 40 days back (assigned_at and the acknowledgement's due time; the
    /// 30 % rule of yellow counts from the assignment, so an item assigned today is never yellow by time): 8 % still
    /// unacknowledged (so yellow), 60 % in progress, 10 % closure requested, 22 % closed; one open
    /// item in five past its deadline by 1–40 days with the escalation level that delay reaches and an open escalation
    /// record; one in five close to its deadline (yellow). Timers that such events end are ended; the rest stay in the future.
    /// </summary>
    public const string History = """
        create temporary table spread as
        select id, seq, lead_unit, units, assigned_at - interval '40 days' as assigned_at,
               case when h < 8 then 'assigned' when h < 68 then 'inProgress' when h < 78 then 'closureRequested' else 'closed' end as state,
               case when h < 78 and seq % 5 = 0 then 1 + seq % 40 end as late_days,
               case when h < 78 and seq % 5 = 1 then 1 + seq % 12 end as near_days
        from (select id, seq, lead_unit, units, assigned_at, ((seq::bigint * 2654435761) % 100)::int as h from items where campaign_id = @campaign) s;
        create index on spread(id);
        analyze spread;

        update items i set state = s.state, assigned_at = s.assigned_at, ack_due_at = i.ack_due_at - interval '40 days',
               acknowledged_at = case when s.state <> 'assigned' then s.assigned_at + interval '3 hours' end,
               last_progress_at = case when s.state <> 'assigned' then s.assigned_at + interval '5 days' end,
               closed_at = case when s.state = 'closed' then s.assigned_at + make_interval(days => 10 + s.seq % 30) end,
               effective_deadline = case when s.late_days is not null then (@now at time zone 'Asia/Shanghai')::date - s.late_days
                                         when s.near_days is not null then (@now at time zone 'Asia/Shanghai')::date + s.near_days
                                         else i.effective_deadline end,
               escalation_level = case when s.late_days is null then 'none' when s.late_days <= 3 then 'urge'
                                       when s.late_days <= 10 then 'supervisionLetter' when s.late_days <= 15 then 'listedSupervision'
                                       else 'admonitoryTalk' end,
               version = i.version + case s.state when 'assigned' then 0 when 'inProgress' then 2 when 'closureRequested' then 3 else 4 end
        from spread s where s.id = i.id;

        update assignments a set
               state = case when s.state = 'assigned' then 'assigned'
                            when s.state in ('closureRequested', 'closed') then 'completed'
                            when a.role = 'lead' then 'inProgress'
                            when (s.seq + length(a.unit_code)) % 3 = 0 then 'completed' else 'inProgress' end,
               acknowledged_at = case when s.state <> 'assigned' then s.assigned_at + interval '3 hours' end,
               last_report_at = case when s.state <> 'assigned' then s.assigned_at + interval '5 days' end,
               completed_at = case when s.state in ('closureRequested', 'closed') then s.assigned_at + interval '9 days' end,
               escalation_level = i.escalation_level,
               levels_reached = case when i.escalation_level = 'none' then '{}' else array[i.escalation_level] end
        from spread s join items i on i.id = s.id where a.item_id = s.id;

        insert into escalations(id, campaign_id, item_id, level, office_unit, opened_at)
        select gen_random_uuid(), @campaign, i.id, i.escalation_level,
               case when i.escalation_level = 'urge' then 'lgo' else 'dcs' end, @now - make_interval(days => s.late_days)
        from spread s join items i on i.id = s.id where s.late_days is not null and s.state <> 'closed';

        insert into journal(campaign_id, item_id, at, actor, type, from_state, to_state, note, data)
        select @campaign, s.id, s.assigned_at + interval '3 hours', 'unit:' || u, 'acknowledge', 'assigned', 'inProgress', null,
               jsonb_build_object('unit', u)
        from spread s cross join lateral unnest(s.units) u where s.state <> 'assigned'
        union all
        select @campaign, s.id, s.assigned_at + make_interval(days => 2 + k * 3), 'unit:' || s.lead_unit, 'progress', 'inProgress', 'inProgress',
               '已完成第' || k || '阶段整改，正在推进后续工作。', jsonb_build_object('unit', s.lead_unit)
        from spread s cross join generate_series(1, 1 + s.seq % 2) k where s.state <> 'assigned'
        union all
        select @campaign, s.id, s.assigned_at + interval '9 days', 'unit:' || s.lead_unit, 'requestClosure', 'inProgress', 'closureRequested',
               '整改完成，申请销号。', '{}'::jsonb
        from spread s where s.state in ('closureRequested', 'closed')
        union all
        select @campaign, s.id, s.assigned_at + make_interval(days => 10 + s.seq % 30), 'lgo', 'approveClosure', 'closureRequested', 'closed',
               '经核查整改到位，同意销号。', '{}'::jsonb
        from spread s where s.state = 'closed'
        union all
        select @campaign, s.id, @now - make_interval(days => s.late_days), 'system', 'escalated', null, null, null,
               jsonb_build_object('level', i.escalation_level)
        from spread s join items i on i.id = s.id where s.late_days is not null and s.state <> 'closed';

        -- Timers the events above would have ended: an acknowledged item's acknowledgement reminder, a closed item's every timer.
        delete from timers t using spread s where t.subject_id = s.id and (s.state = 'closed' or (s.state <> 'assigned' and t.step = 'reminder:unacknowledged'));
        update timers t set due_at = t.due_at + interval '30 days' from spread s where t.subject_id = s.id and t.step = 'reminder:unacknowledged';
        """;

    /// <summary>
    /// Runs <paramref name="build"/> with the secondary indexes of <paramref name="tables"/> dropped, then builds each
    /// again from its definition in one pass (a bulk load's usual order: a million rows inserted or updated into a dozen
    /// indexes, two of them trigram GIN, cost many times the index builds). Primary keys and the indexes of constraints
    /// stay. The schema is the same afterwards; the service never sees it without its indexes (nothing is timed meanwhile).
    /// </summary>
    public static async Task<double> WithoutIndexesAsync(NpgsqlDataSource db, string[] tables, Func<Task> build)
    {
        List<(string Name, string Definition)> indexes;
        await using (var c = await db.OpenConnectionAsync())
            indexes = (await c.QueryAsync<(string, string)>("""
                select x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
                from pg_index x join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
                where n.nspname = 'public' and t.relname = any(@tables)
                  and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
                order by 1
                """, new { tables })).ToList();
        foreach (var (name, _) in indexes) await ExecAsync(db, $"drop index {name}");
        await build();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (_, definition) in indexes) await ExecAsync(db, definition);
        return watch.Elapsed.TotalSeconds;
    }

    public static async Task ExecAsync(NpgsqlDataSource db, string sql, object? param = null)
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(sql, param, commandTimeout: 3600);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, object? param = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, param, commandTimeout: 3600))!;
    }
}
