-- The metrics' dead-letter gauge (rectify_outbox_dead) counts these on every scrape; dead rows are few among many sent.
create index if not exists outbox_dead on outbox(id) where status = 'dead';
