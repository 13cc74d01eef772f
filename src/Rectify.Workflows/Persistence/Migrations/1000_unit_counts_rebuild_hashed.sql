-- National scale (issue 17): a campaign's per-unit figures counted afresh (assignment_counts_rebuild, 0970; the launch's
-- recount, 0994) group its parts by hash and sort only the groups.
-- The planner takes every part for a group of its own (3,000,000 parts of a million-item launch, where the groups are a
-- few thousand), so it sorted all of them by unit code and the rest of the key to group them — half of the function's
-- time — before the insert's `order by`. Grouped inside a fenced subquery (`offset 0`), the parts are hashed into their
-- groups and only the groups are sorted for the insert, in the same order as before. The function's text is the one
-- 0970 generated; it is rewritten in place here (both anchors must match, or the migration fails).
do $do$
declare
    src constant text := (select prosrc from pg_proc where oid = 'assignment_counts_rebuild(uuid)'::regprocedure);
    fenced text;
begin
    fenced := regexp_replace(src, '(admonitory_talk\)\s+)select campaign_id, unit,', '\1select * from (select campaign_id, unit,');
    fenced := regexp_replace(fenced, '(or sum\(k \* admonitory_talk\) <> 0\s+)order by 1, 2, 3, 4, 5, 6, 7, 8',
                             '\1offset 0) g' || chr(10) || '        order by 1, 2, 3, 4, 5, 6, 7, 8');
    if fenced not like '%select * from (select campaign_id, unit,%' or fenced not like '%offset 0) g%' then
        raise exception 'assignment_counts_rebuild is not the function 0970 generated';
    end if;
    execute format('create or replace function assignment_counts_rebuild(p_campaign uuid) returns void language plpgsql as %L', fenced);
end $do$;
