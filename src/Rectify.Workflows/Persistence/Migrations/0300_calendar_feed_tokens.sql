-- Secret subscription URLs for the deadline calendar feeds (issue 6): one token per unit or person, kept only as its
-- SHA-256, so a database dump does not reveal a working URL. Rotating replaces the row; deleting revokes the feed.
create table calendar_feed_tokens (
    subject_kind text not null check (subject_kind in ('unit', 'person')),
    subject_id   text not null,
    token_hash   bytea not null unique,
    created_at   timestamptz not null,
    created_by   text not null,
    primary key (subject_kind, subject_id)
);
