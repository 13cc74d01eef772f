-- Issue 14 §5: the dispatcher's lease and its retry back-off run on real time, never on the controllable clock. A
-- rehearsal moves not_before's clock a month ahead in one call; a lease kept in not_before ended at once, and a
-- message still being sent was claimed and sent again (one attempt logged, two e-mails). lease_until is wall-clock
-- time: a row is claimable when not_before (campaign time: quiet hours, digests) has come AND lease_until (real
-- time: a claim in flight, a retry's back-off) has passed.
alter table outbox add column lease_until timestamptz;
