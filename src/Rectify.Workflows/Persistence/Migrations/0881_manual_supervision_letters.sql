-- Supervision letters issued by hand (issue 13): the supervision office sets the reply date itself; a letter of the
-- ladder keeps the configured number of working days.
alter table escalations add column reply_by date;
