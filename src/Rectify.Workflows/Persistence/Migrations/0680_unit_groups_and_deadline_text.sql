-- Unit groups (issue 15.2): named sets of units (乡镇, 县直部门, 领导小组成员单位, 帮扶单位 …) that a collective name in a
-- problem list (各乡镇, 县直各部门, 领导小组各成员单位, 各挂钩单位) expands to. Aliases are further collective names of a
-- group ("挂钩单位" for 帮扶单位). Unit aliases are other names of one unit (扶贫办 / 县扶贫开发领导小组办公室 for 县扶贫办).
create table unit_groups (
    name       text primary key,
    aliases    text[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table unit_group_members (
    group_name text not null references unit_groups(name) on delete cascade on update cascade,
    unit_code  text not null references units(code) on delete cascade,
    primary key (group_name, unit_code)
);
create index unit_group_members_unit on unit_group_members(unit_code);

create table unit_aliases (
    alias      text primary key,
    unit_code  text not null references units(code) on delete cascade,
    created_at timestamptz not null default now()
);
create index unit_aliases_unit on unit_aliases(unit_code);

-- The deadline as the list wrote it ("6月10日前", "通报后两个月内"), kept beside the date it was read as (issue 15.3).
alter table items add column deadline_text text;
