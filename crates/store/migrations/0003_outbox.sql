-- The sync outbox: every user action writes its change and one mutation
-- row here in the same transaction, so recorded work cannot be committed
-- without the intent the server needs to apply it. `seq` orders a device's
-- mutations (AUTOINCREMENT: a seq is never reused, even after rows are
-- pruned), `id` names a mutation across retries, `hlc` is the hybrid
-- logical clock's text form (orders events for audit only), `payload` is
-- the mutation's JSON. `state` moves from 'pending' once the server has
-- answered; `rejection` says why it refused one.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         BLOB NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    payload    TEXT NOT NULL,
    actor_id   BLOB,
    created_at TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    rejection  TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 'pending';

-- Small facts the sync engine keeps about this device: its HLC node id
-- and the last HLC value it issued.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
