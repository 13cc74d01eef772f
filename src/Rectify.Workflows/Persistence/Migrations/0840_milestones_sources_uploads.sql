-- Milestones (issue 15.4): dated steps inside an item's measures ("于5月20日前…排查出来", "5月底前完成拆旧"), each with
-- its own reminder (a timer of the item, step "milestone:{seq}") and a "done" mark by one of the item's units. The
-- item's deadline stays the item's.
create table item_milestones (
    item_id    uuid not null references items(id) on delete cascade,
    seq        int not null check (seq between 1 and 50),
    date       date not null,
    text       text not null,
    done_at    timestamptz,
    done_by    text,
    done_unit  text,
    primary key (item_id, seq)
);

-- Sources (issue 15.5): where an item was found (考核反馈, 第三方评估, 审计 …). A list the offices extend; the figures
-- of 清零 (every item of a source closed) are given per source.
create table item_sources (
    name       text primary key,
    sort       int not null default 1000,
    created_at timestamptz not null default now()
);
insert into item_sources(name, sort) values
    ('考核反馈', 10), ('第三方评估', 20), ('民主监督', 30), ('督查', 40), ('暗访', 50), ('审计', 60), ('媒体', 70),
    ('巡视巡察', 80), ('信访', 90);
alter table items add column source text references item_sources(name) on update cascade;
create index items_campaign_source on items(campaign_id, source) where source is not null;

-- A problem list uploaded for a preview (issue 15.6), kept until the office confirms it (or for a day): the confirmation
-- imports exactly the file that was previewed, without a second upload.
create table import_uploads (
    id          uuid primary key,
    campaign_id uuid not null references campaigns(id) on delete cascade,
    file_name   text not null,
    content     bytea not null,
    created_by  text not null,
    created_at  timestamptz not null
);
create index import_uploads_created on import_uploads(created_at);
