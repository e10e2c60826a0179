-- This device's enrolment with the server: where it syncs, the device id
-- the server gave it, who signed in, and the bearer token. The token is a
-- secret, so it has a table of its own: never in sync_state's plain facts,
-- never in the audit log. One row at most; signing in again replaces it.
CREATE TABLE device_login (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    server_url   TEXT NOT NULL,
    device_id    BLOB NOT NULL,
    user_id      BLOB NOT NULL,
    username     TEXT NOT NULL,
    token        TEXT NOT NULL,
    logged_in_at TEXT NOT NULL
) STRICT;
