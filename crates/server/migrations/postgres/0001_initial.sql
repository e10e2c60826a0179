-- The server's row store and its bookkeeping, for PostgreSQL: the same
-- tables as the SQLite schema (crates/server/migrations/0001_initial.sql),
-- in native types. Append-only: a shipped step is never edited; a change
-- is a new file listed after this one in backend/postgres.rs.

-- Every replicated row, one per (kind, key). `version` is the row's place
-- in the change feed; updating a row moves it to a new version.
CREATE TABLE rows (
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    version BIGINT NOT NULL UNIQUE,
    site_id UUID,            -- NULL: visible to every site
    body    TEXT NOT NULL,   -- the protocol record's JSON, byte for byte
    PRIMARY KEY (kind, key)
);
-- The sign-off queue: completed work orders, without decoding every body.
CREATE INDEX rows_work_order_status ON rows (((body::jsonb) ->> 'status'))
    WHERE kind = 'work_order';

-- Deleted rows, so devices that pulled them learn of the deletion.
CREATE TABLE tombstones (
    version    BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    site_id    UUID,
    deleted_at TIMESTAMPTZ NOT NULL
);

-- Named counters: `version` (the last version assigned) and
-- `tombstone_horizon` (tombstones at or below it were purged). Every write
-- transaction locks the `version` row first, which serializes writers.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('version', 0), ('tombstone_horizon', 0);

-- Work-order numbers are minted offline and may collide; one owner each.
CREATE TABLE work_order_numbers (
    number        TEXT PRIMARY KEY,
    work_order_id UUID NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    sites         TEXT NOT NULL,   -- JSON array of site ids
    active        BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL    -- argon2 PHC string; '' for no sign-in
);
-- Usernames are unique and found regardless of case.
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE devices (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_sha256 BYTEA NOT NULL UNIQUE,   -- the token itself is never stored
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_seq     BIGINT NOT NULL DEFAULT 0,
    last_seen    TIMESTAMPTZ
);

-- Every mutation received, applied or rejected: exactly-once bookkeeping
-- and the supervisor's "incoming" list.
CREATE TABLE mutation_log (
    device_id     UUID NOT NULL REFERENCES devices (id),
    seq           BIGINT NOT NULL,
    mutation_id   UUID NOT NULL,
    user_id       UUID NOT NULL,
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    hlc           TEXT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    outcome       TEXT NOT NULL,   -- applied | rejected
    code          TEXT,
    message       TEXT,
    summary       TEXT NOT NULL,
    work_order_id UUID,
    asset_id      UUID,
    site_id       UUID,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX mutation_log_received ON mutation_log (received_at);

CREATE TABLE conflicts (
    id            UUID PRIMARY KEY,
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    label         TEXT NOT NULL,
    field         TEXT NOT NULL,
    base          TEXT NOT NULL,   -- JSON values
    kept          TEXT NOT NULL,
    set_aside     TEXT NOT NULL,
    rule          TEXT NOT NULL,
    user_id       UUID NOT NULL,
    device_id     UUID NOT NULL,
    mutation_id   UUID NOT NULL,
    detected_at   TIMESTAMPTZ NOT NULL,
    site_id       UUID,
    work_order_id UUID,
    resolution    TEXT,   -- accepted | reversed
    resolved_by   UUID,
    resolved_at   TIMESTAMPTZ,
    note          TEXT
);
CREATE INDEX conflicts_detected ON conflicts (detected_at);
CREATE INDEX conflicts_work_order ON conflicts (work_order_id) WHERE resolution IS NULL;
