-- The server's answer to each pushed mutation: `answered_at` is when the
-- device recorded it, `rejection_code` the stable code of a refusal (its
-- message stays in `rejection`). Rejections are listed for the user, so
-- they get their own small index next to the pending one.
ALTER TABLE outbox ADD COLUMN rejection_code TEXT;
ALTER TABLE outbox ADD COLUMN answered_at TEXT;
CREATE INDEX outbox_rejected ON outbox(seq) WHERE state = 'rejected';
