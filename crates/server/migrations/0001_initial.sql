-- The server's row store and its bookkeeping. Append-only: a shipped
-- migration is never edited; a change is a new file.

-- Every replicated row, one per (kind, key). `version` is the row's
-- place in the change feed: the rowid, so a pull is a scan in rowid order.
-- Updating a row moves it to a new version (a new rowid).
CREATE TABLE rows (
    version INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    site_id TEXT,            -- NULL: visible to every site
    body    TEXT NOT NULL,   -- the protocol record's JSON
    UNIQUE (kind, key)
);
-- No (site_id, version) index: a pull walks the rowid (version) order
-- and skips other sites' rows, which stays cheap with the few sites of a
-- health system, while an index on site would make SQLite merge two index
-- ranges and sort every visible row for each page.
-- The sign-off queue: completed work orders, without decoding every body.
CREATE INDEX rows_work_order_status ON rows (json_extract(body, '$.status'))
    WHERE kind = 'work_order';

-- Deleted rows, so devices that pulled them learn of the deletion.
CREATE TABLE tombstones (
    version    INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    site_id    TEXT,
    deleted_at TEXT NOT NULL
);

-- Named counters: `version` (the last version assigned) and
-- `tombstone_horizon` (tombstones at or below it were purged).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('version', 0), ('tombstone_horizon', 0);

-- Work-order numbers are minted offline and may collide; one owner each.
CREATE TABLE work_order_numbers (
    number        TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    sites         TEXT NOT NULL,   -- JSON array of site ids
    active        INTEGER NOT NULL,
    password_hash TEXT NOT NULL    -- argon2 PHC string; '' for no sign-in
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_sha256 BLOB NOT NULL UNIQUE,   -- the token itself is never stored
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_seq     INTEGER NOT NULL DEFAULT 0,
    last_seen    TEXT
);

-- Every mutation received, applied or rejected: exactly-once bookkeeping
-- (a retried rejected seq is answered from here) and the supervisor's
-- "incoming" list.
CREATE TABLE mutation_log (
    device_id     TEXT NOT NULL REFERENCES devices (id),
    seq           INTEGER NOT NULL,
    mutation_id   TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    hlc           TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    outcome       TEXT NOT NULL,   -- applied | rejected
    code          TEXT,
    message       TEXT,
    summary       TEXT NOT NULL,
    work_order_id TEXT,
    asset_id      TEXT,
    site_id       TEXT,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE INDEX mutation_log_received ON mutation_log (received_at);

CREATE TABLE conflicts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    label         TEXT NOT NULL,
    field         TEXT NOT NULL,
    base          TEXT NOT NULL,
    kept          TEXT NOT NULL,
    set_aside     TEXT NOT NULL,
    rule          TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    mutation_id   TEXT NOT NULL,
    detected_at   TEXT NOT NULL,
    site_id       TEXT,
    work_order_id TEXT,
    resolution    TEXT,   -- accepted | reversed
    resolved_by   TEXT,
    resolved_at   TEXT,
    note          TEXT
);
CREATE INDEX conflicts_detected ON conflicts (detected_at);
CREATE INDEX conflicts_work_order ON conflicts (work_order_id) WHERE resolution IS NULL;
