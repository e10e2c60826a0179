//! The SQLite backend: one file, WAL, `synchronous=FULL`, one writer
//! connection behind a mutex (so writers are serialized, which is what
//! makes versions visible in commit order) and a small pool of read-only
//! connections for pulls and lists, which WAL lets run beside a write.
//!
//! rusqlite is synchronous: the HTTP layer calls into this backend from
//! `tokio::task::spawn_blocking`, never from an async task.

use super::*;
use biomend_protocol::ResolutionV1;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

/// Every migration, in order. Append only: a shipped file is never edited.
static MIGRATIONS_SQL: &[&str] = &[include_str!("../../migrations/0001_initial.sql")];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect()));

/// The schema version a fully migrated server database has.
pub const SERVER_SCHEMA_VERSION: usize = MIGRATIONS_SQL.len();

/// Checks that the migration list is well formed (used by tests).
pub fn validate_migrations() -> Result<(), StoreError> {
    MIGRATIONS.validate()?;
    Ok(())
}

/// Readers kept open between requests; more are opened on demand.
const READER_POOL: usize = 4;

pub struct SqliteBackend {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteBackend, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // SQLite's "unable to open database file" says nothing of a
            // missing folder; creating it is what the operator meant.
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found as usize > SERVER_SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: found as usize,
                supported: SERVER_SCHEMA_VERSION,
            });
        }
        if found == 0 {
            // Rows are JSON of a few hundred bytes; 8 KiB pages mean fewer
            // B-tree splits on bulk loads. Settable only before any table.
            conn.pragma_update(None, "page_size", 8192)?;
        }
        // WAL: readers never block the writer nor see half a commit;
        // FULL: a commit is on disk before the device is told "applied",
        // so a crash or kill -9 loses nothing acknowledged.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::pragmas(&conn)?;
        MIGRATIONS.to_latest(&mut conn)?;
        Ok(SqliteBackend {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn pragmas(conn: &Connection) -> Result<(), StoreError> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "busy_timeout", 10_000)?;
        conn.pragma_update(None, "cache_size", -64_000)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(())
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        if let Some(c) = self.readers.lock().map_err(poisoned)?.pop() {
            return Ok(c);
        }
        let conn = Connection::open(&self.path)?;
        Self::pragmas(&conn)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Worker("a database lock was poisoned by a panic".into())
}

impl Backend for SqliteBackend {
    fn write<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.writer.lock().map_err(poisoned)?;
        // IMMEDIATE takes the write lock now, so the version counter read
        // below cannot race another writer (even one in another process).
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut txn = SqliteTxn {
            conn: &tx,
            last_version: None,
            counter_dirty: false,
        };
        let out = f(&mut txn)?;
        txn.flush_counter()?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    fn read<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.reader()?;
        let out = {
            // DEFERRED: the snapshot starts at the first read and holds
            // until the end, so a multi-query answer is consistent.
            let tx = conn.transaction().map_err(StoreError::from)?;
            let out = f(&mut SqliteTxn {
                conn: &tx,
                last_version: None,
                counter_dirty: false,
            });
            tx.finish().map_err(StoreError::from)?;
            out
        };
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READER_POOL
        {
            pool.push(conn);
        }
        out
    }
}

struct SqliteTxn<'c> {
    conn: &'c Connection,
    /// The last version assigned in this transaction, once read.
    last_version: Option<u64>,
    counter_dirty: bool,
}

fn ts(t: DateTime<Utc>) -> String {
    // Fixed width, UTC, so text order is time order.
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: "timestamp",
            detail: format!("{s}: {e}"),
        })
}

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt {
        what: "id",
        detail: format!("{s}: {e}"),
    })
}

fn opt_uuid(s: Option<String>) -> Result<Option<Uuid>, StoreError> {
    s.as_deref().map(parse_uuid).transpose()
}

fn parse_json(s: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: "conflict value",
        detail: e.to_string(),
    })
}

fn site_strings(sites: &[Uuid]) -> Vec<String> {
    sites.iter().map(Uuid::to_string).collect()
}

impl SqliteTxn<'_> {
    fn next_version(&mut self) -> Result<u64, StoreError> {
        let last = match self.last_version {
            Some(v) => v,
            None => self.read_counter("version")?,
        };
        let next = last + 1;
        self.last_version = Some(next);
        self.counter_dirty = true;
        Ok(next)
    }

    fn read_counter(&self, name: &str) -> Result<u64, StoreError> {
        let v: i64 =
            self.conn
                .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
                    r.get(0)
                })?;
        Ok(v as u64)
    }

    /// Writes the counter once per transaction rather than per row: bulk
    /// loads put hundreds of thousands of rows in one transaction.
    fn flush_counter(&mut self) -> Result<(), StoreError> {
        if let (true, Some(v)) = (self.counter_dirty, self.last_version) {
            self.conn.execute(
                "UPDATE counters SET value = ?1 WHERE name = 'version'",
                [v as i64],
            )?;
            self.counter_dirty = false;
        }
        Ok(())
    }

    fn one_user(&self, sql: &str, arg: &str) -> Result<Option<UserRow>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(sql)?
            .query_row([arg], Self::user_from_row)
            .optional()?;
        raw.map(RawUser::finish).transpose()
    }

    fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
        Ok(RawUser {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            role: r.get(3)?,
            sites: r.get(4)?,
            active: r.get::<_, i64>(5)? != 0,
            password_hash: r.get(6)?,
        })
    }

    fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
        Ok(RawDevice {
            id: r.get(0)?,
            user_id: r.get(1)?,
            name: r.get(2)?,
            token: r.get(3)?,
            created_at: r.get(4)?,
            revoked_at: r.get(5)?,
            last_seq: r.get(6)?,
            last_seen: r.get(7)?,
        })
    }

    fn devices_where(
        &self,
        clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<DeviceRow>, StoreError> {
        let sql = format!(
            "SELECT id, user_id, name, token_sha256, created_at, revoked_at, last_seq, last_seen \
             FROM devices {clause}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let raw: Vec<RawDevice> = stmt
            .query_map(args, Self::device_from_row)?
            .collect::<Result<_, _>>()?;
        raw.into_iter().map(RawDevice::finish).collect()
    }

    fn conflicts_where(
        &self,
        clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let sql = format!(
            "SELECT c.id, c.kind, c.key, c.label, c.field, c.base, c.kept, c.set_aside, c.rule, \
                    c.user_id, COALESCE(u.display_name, ''), c.device_id, c.mutation_id, c.detected_at, \
                    c.resolution, c.resolved_by, COALESCE(r.display_name, ''), c.resolved_at, c.note, \
                    c.site_id, c.work_order_id \
             FROM conflicts c \
             LEFT JOIN users u ON u.id = c.user_id \
             LEFT JOIN users r ON r.id = c.resolved_by \
             {clause}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let resolution = match r.get::<_, Option<String>>(14)? {
                None => None,
                Some(action) => Some(ResolutionV1 {
                    action,
                    by: parse_uuid(&r.get::<_, String>(15)?)?,
                    by_name: r.get(16)?,
                    at: parse_ts(&r.get::<_, String>(17)?)?,
                    note: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
                }),
            };
            out.push(StoredConflict {
                conflict: ConflictV1 {
                    id: parse_uuid(&r.get::<_, String>(0)?)?,
                    kind: r.get(1)?,
                    key: r.get(2)?,
                    label: r.get(3)?,
                    field: r.get(4)?,
                    base: parse_json(&r.get::<_, String>(5)?)?,
                    kept: parse_json(&r.get::<_, String>(6)?)?,
                    set_aside: parse_json(&r.get::<_, String>(7)?)?,
                    rule: r.get(8)?,
                    user_id: parse_uuid(&r.get::<_, String>(9)?)?,
                    user_name: r.get(10)?,
                    device_id: parse_uuid(&r.get::<_, String>(11)?)?,
                    mutation_id: parse_uuid(&r.get::<_, String>(12)?)?,
                    detected_at: parse_ts(&r.get::<_, String>(13)?)?,
                    resolution,
                },
                site_id: opt_uuid(r.get(19)?)?,
                work_order_id: opt_uuid(r.get(20)?)?,
            });
        }
        Ok(out)
    }
}

struct RawUser {
    id: String,
    username: String,
    display_name: String,
    role: String,
    sites: String,
    active: bool,
    password_hash: String,
}

impl RawUser {
    fn finish(self) -> Result<UserRow, StoreError> {
        Ok(UserRow {
            id: parse_uuid(&self.id)?,
            username: self.username,
            display_name: self.display_name,
            role: biomend_domain::user::Role::parse(&self.role).ok_or_else(|| {
                StoreError::Corrupt {
                    what: "user role",
                    detail: self.role.clone(),
                }
            })?,
            sites: serde_json::from_str(&self.sites).map_err(|e| StoreError::Corrupt {
                what: "user sites",
                detail: e.to_string(),
            })?,
            active: self.active,
            password_hash: self.password_hash,
        })
    }
}

struct RawDevice {
    id: String,
    user_id: String,
    name: String,
    token: Vec<u8>,
    created_at: String,
    revoked_at: Option<String>,
    last_seq: i64,
    last_seen: Option<String>,
}

impl RawDevice {
    fn finish(self) -> Result<DeviceRow, StoreError> {
        Ok(DeviceRow {
            id: parse_uuid(&self.id)?,
            user_id: parse_uuid(&self.user_id)?,
            name: self.name,
            token_sha256: self
                .token
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::Corrupt {
                    what: "device token hash",
                    detail: format!("{} bytes", self.token.len()),
                })?,
            created_at: parse_ts(&self.created_at)?,
            revoked_at: self.revoked_at.as_deref().map(parse_ts).transpose()?,
            last_seq: self.last_seq as u64,
            last_seen: self.last_seen.as_deref().map(parse_ts).transpose()?,
        })
    }
}

impl Txn for SqliteTxn<'_> {
    fn get_row(&mut self, kind: Kind, key: &str) -> Result<Option<StoredRow>, StoreError> {
        let raw = self
            .conn
            .prepare_cached("SELECT version, site_id, body FROM rows WHERE kind = ?1 AND key = ?2")?
            .query_row(params![kind.as_str(), key], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .optional()?;
        raw.map(|(v, site, body)| {
            Ok(StoredRow {
                version: v as u64,
                site_id: opt_uuid(site)?,
                body,
            })
        })
        .transpose()
    }

    fn put_row(
        &mut self,
        kind: Kind,
        key: &str,
        site_id: Option<Uuid>,
        body: &str,
    ) -> Result<u64, StoreError> {
        let version = self.next_version()?;
        // The upsert moves an existing row to its new version (rowid), so
        // the pull scan finds it after everything older.
        self.conn
            .prepare_cached(
                "INSERT INTO rows (version, kind, key, site_id, body) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (kind, key) DO UPDATE SET \
                 version = excluded.version, site_id = excluded.site_id, body = excluded.body",
            )?
            .execute(params![
                version as i64,
                kind.as_str(),
                key,
                site_id.map(|s| s.to_string()),
                body
            ])?;
        Ok(version)
    }

    fn rows_of_kind(&mut self, kind: Kind) -> Result<Vec<StoredRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, site_id, body FROM rows WHERE kind = ?1 ORDER BY version",
        )?;
        let raw: Vec<(i64, Option<String>, String)> = stmt
            .query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        raw.into_iter()
            .map(|(v, s, body)| {
                Ok(StoredRow {
                    version: v as u64,
                    site_id: opt_uuid(s)?,
                    body,
                })
            })
            .collect()
    }

    fn pull(
        &mut self,
        cursor: u64,
        sites: &[Uuid],
        limit: u32,
        visit: &mut dyn FnMut(PulledRow<'_>),
    ) -> Result<usize, StoreError> {
        let limit = limit as usize;
        if limit == 0 {
            return Ok(0);
        }
        let site_clause = if sites.is_empty() {
            "site_id IS NULL".to_string()
        } else {
            let marks: Vec<String> = (0..sites.len()).map(|i| format!("?{}", i + 2)).collect();
            format!("(site_id IS NULL OR site_id IN ({}))", marks.join(", "))
        };
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(cursor as i64)];
        args.extend(site_strings(sites).into_iter().map(SqlValue::Text));

        // Tombstones are rare (no device deletes anything): read them
        // first and merge them into the row scan by version.
        let tomb_sql = format!(
            "SELECT version, kind, key FROM tombstones WHERE version > ?1 AND {site_clause} \
             ORDER BY version LIMIT {limit}"
        );
        let tombs: Vec<(i64, String, String)> = self
            .conn
            .prepare_cached(&tomb_sql)?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut tombs = tombs.into_iter().peekable();

        // `version` is the rowid: this walks the table in version order
        // from the cursor and stops after `limit` visible rows. NOT
        // INDEXED keeps SQLite on that walk: the planner would otherwise
        // pick the (kind, key) or expression indexes and sort the result. The body
        // is borrowed from SQLite's row buffer and never decoded.
        let row_sql = format!(
            "SELECT version, kind, key, body FROM rows NOT INDEXED \
             WHERE version > ?1 AND {site_clause} ORDER BY version LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&row_sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut n = 0;
        while n < limit {
            let Some(r) = rows.next()? else { break };
            let version: i64 = r.get(0)?;
            while n < limit && tombs.peek().is_some_and(|t| t.0 < version) {
                let (v, kind, key) = tombs.next().expect("peeked");
                visit(PulledRow {
                    version: v as u64,
                    kind: &kind,
                    key: &key,
                    body: None,
                });
                n += 1;
            }
            if n == limit {
                break;
            }
            visit(PulledRow {
                version: version as u64,
                kind: r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?,
                key: r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?,
                body: Some(r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?),
            });
            n += 1;
        }
        for (v, kind, key) in tombs {
            if n == limit {
                break;
            }
            visit(PulledRow {
                version: v as u64,
                kind: &kind,
                key: &key,
                body: None,
            });
            n += 1;
        }
        Ok(n)
    }

    fn last_version(&mut self) -> Result<u64, StoreError> {
        match self.last_version {
            Some(v) => Ok(v),
            None => self.read_counter("version"),
        }
    }

    fn delete_row(
        &mut self,
        kind: Kind,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        let Some(row) = self.get_row(kind, key)? else {
            return Ok(None);
        };
        self.conn.execute(
            "DELETE FROM rows WHERE kind = ?1 AND key = ?2",
            params![kind.as_str(), key],
        )?;
        let version = self.next_version()?;
        self.conn.execute(
            "INSERT INTO tombstones (version, kind, key, site_id, deleted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                version as i64,
                kind.as_str(),
                key,
                row.site_id.map(|s| s.to_string()),
                ts(at)
            ],
        )?;
        Ok(Some(version))
    }

    fn purge_tombstones(&mut self, up_to_version: u64) -> Result<usize, StoreError> {
        let n = self.conn.execute(
            "DELETE FROM tombstones WHERE version <= ?1",
            [up_to_version as i64],
        )?;
        self.conn.execute(
            "UPDATE counters SET value = MAX(value, ?1) WHERE name = 'tombstone_horizon'",
            [up_to_version as i64],
        )?;
        Ok(n)
    }

    fn tombstone_horizon(&mut self) -> Result<u64, StoreError> {
        self.read_counter("tombstone_horizon")
    }

    fn completed_work_orders(&mut self, sites: &[Uuid]) -> Result<Vec<StoredRow>, StoreError> {
        // The expression and the WHERE match the partial index exactly.
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, site_id, body FROM rows \
             WHERE kind = 'work_order' AND json_extract(body, '$.status') = 'completed'",
        )?;
        let raw: Vec<(i64, Option<String>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (v, s, body) in raw {
            let site_id = opt_uuid(s)?;
            if site_id.is_none_or(|s| sites.contains(&s)) {
                out.push(StoredRow {
                    version: v as u64,
                    site_id,
                    body,
                });
            }
        }
        Ok(out)
    }

    fn work_order_number_owner(&mut self, number: &str) -> Result<Option<Uuid>, StoreError> {
        let raw: Option<String> = self
            .conn
            .prepare_cached("SELECT work_order_id FROM work_order_numbers WHERE number = ?1")?
            .query_row([number], |r| r.get(0))
            .optional()?;
        opt_uuid(raw)
    }

    fn claim_work_order_number(&mut self, number: &str, id: Uuid) -> Result<(), StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO work_order_numbers (number, work_order_id) VALUES (?1, ?2) \
                 ON CONFLICT (number) DO NOTHING",
            )?
            .execute(params![number, id.to_string()])?;
        if n == 0 && self.work_order_number_owner(number)? != Some(id) {
            return Err(StoreError::Duplicate(format!("work-order number {number}")));
        }
        Ok(())
    }

    fn put_user(&mut self, user: &UserRow) -> Result<(), StoreError> {
        let sites = serde_json::to_string(&user.sites).expect("ids serialize");
        let res = self
            .conn
            .prepare_cached(
                "INSERT INTO users (id, username, display_name, role, sites, active, password_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (id) DO UPDATE SET username = excluded.username, \
                 display_name = excluded.display_name, role = excluded.role, sites = excluded.sites, \
                 active = excluded.active, password_hash = excluded.password_hash",
            )?
            .execute(params![
                user.id.to_string(),
                user.username,
                user.display_name,
                user.role.as_str(),
                sites,
                user.active as i64,
                user.password_hash
            ]);
        match res {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Duplicate(format!("user '{}'", user.username)))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>, StoreError> {
        self.one_user(
            "SELECT id, username, display_name, role, sites, active, password_hash \
             FROM users WHERE username = ?1",
            username,
        )
    }

    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, StoreError> {
        self.one_user(
            "SELECT id, username, display_name, role, sites, active, password_hash \
             FROM users WHERE id = ?1",
            &id.to_string(),
        )
    }

    fn users(&mut self) -> Result<Vec<UserRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, username, display_name, role, sites, active, password_hash \
             FROM users ORDER BY username COLLATE NOCASE, id",
        )?;
        let raw: Vec<RawUser> = stmt
            .query_map([], Self::user_from_row)?
            .collect::<Result<_, _>>()?;
        raw.into_iter().map(RawUser::finish).collect()
    }

    fn insert_device(&mut self, d: &DeviceRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO devices (id, user_id, name, token_sha256, created_at, revoked_at, last_seq, last_seen) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                d.id.to_string(),
                d.user_id.to_string(),
                d.name,
                &d.token_sha256[..],
                ts(d.created_at),
                d.revoked_at.map(ts),
                d.last_seq as i64,
                d.last_seen.map(ts)
            ],
        )?;
        Ok(())
    }

    fn device(&mut self, id: Uuid) -> Result<Option<DeviceRow>, StoreError> {
        let id = id.to_string();
        Ok(self.devices_where("WHERE id = ?1", &[&id])?.pop())
    }

    fn device_by_token(
        &mut self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<DeviceRow>, StoreError> {
        let hash = &token_sha256[..];
        Ok(self
            .devices_where("WHERE token_sha256 = ?1", &[&hash])?
            .pop())
    }

    fn devices(&mut self) -> Result<Vec<DeviceRow>, StoreError> {
        self.devices_where("ORDER BY created_at, id", &[])
    }

    fn revoke_device(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
            params![id.to_string(), ts(at)],
        )?;
        Ok(n > 0)
    }

    fn revoke_user_devices(&mut self, user_id: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![user_id.to_string(), ts(at)],
        )?;
        Ok(n as u64)
    }

    fn set_device_progress(
        &mut self,
        id: Uuid,
        last_seq: u64,
        seen: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE devices SET last_seq = ?2, last_seen = ?3 WHERE id = ?1")?
            .execute(params![id.to_string(), last_seq as i64, ts(seen)])?;
        Ok(())
    }

    fn log_mutation(&mut self, e: &LogEntry) -> Result<(), StoreError> {
        let (outcome, code, message) = match &e.rejection {
            None => ("applied", None, None),
            Some((c, m)) => ("rejected", Some(c.as_str()), Some(m.as_str())),
        };
        self.conn
            .prepare_cached(
                "INSERT INTO mutation_log (device_id, seq, mutation_id, user_id, name, version, hlc, \
                 received_at, outcome, code, message, summary, work_order_id, asset_id, site_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                e.device_id.to_string(),
                e.seq as i64,
                e.mutation_id.to_string(),
                e.user_id.to_string(),
                e.name,
                e.version,
                e.hlc,
                ts(e.received_at),
                outcome,
                code,
                message,
                e.summary,
                e.work_order_id.map(|u| u.to_string()),
                e.asset_id.map(|u| u.to_string()),
                e.site_id.map(|u| u.to_string()),
            ])?;
        Ok(())
    }

    fn logged_mutation(&mut self, device: Uuid, seq: u64) -> Result<Option<LogEntry>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT mutation_id, user_id, name, version, hlc, received_at, outcome, code, message, \
                 summary, work_order_id, asset_id, site_id FROM mutation_log WHERE device_id = ?1 AND seq = ?2",
            )?
            .query_row(params![device.to_string(), seq as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u16>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    (
                        r.get::<_, Option<String>>(10)?,
                        r.get::<_, Option<String>>(11)?,
                        r.get::<_, Option<String>>(12)?,
                    ),
                ))
            })
            .optional()?;
        let Some((
            mid,
            uid,
            name,
            version,
            hlc,
            at,
            outcome,
            code,
            message,
            summary,
            (wo, asset, site),
        )) = raw
        else {
            return Ok(None);
        };
        Ok(Some(LogEntry {
            device_id: device,
            seq,
            mutation_id: parse_uuid(&mid)?,
            user_id: parse_uuid(&uid)?,
            name,
            version,
            hlc,
            received_at: parse_ts(&at)?,
            rejection: (outcome == "rejected")
                .then(|| (code.unwrap_or_default(), message.unwrap_or_default())),
            summary,
            work_order_id: opt_uuid(wo)?,
            asset_id: opt_uuid(asset)?,
            site_id: opt_uuid(site)?,
        }))
    }

    fn incoming(
        &mut self,
        sites: &[Uuid],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<IncomingV1>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.mutation_id, l.device_id, COALESCE(d.name, ''), l.user_id, \
                    COALESCE(u.display_name, ''), l.name, l.version, l.received_at, l.outcome, \
                    l.summary, l.work_order_id, l.asset_id, l.site_id \
             FROM mutation_log l \
             LEFT JOIN devices d ON d.id = l.device_id \
             LEFT JOIN users u ON u.id = l.user_id \
             WHERE l.received_at >= ?1 \
             ORDER BY l.received_at DESC, l.seq DESC",
        )?;
        let mut rows = stmt.query([ts(since)])?;
        let sites = site_strings(sites);
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            if out.len() >= limit as usize {
                break;
            }
            let site: Option<String> = r.get(12)?;
            if !site.as_ref().is_some_and(|s| sites.contains(s)) {
                continue;
            }
            out.push(IncomingV1 {
                mutation_id: parse_uuid(&r.get::<_, String>(0)?)?,
                device_id: parse_uuid(&r.get::<_, String>(1)?)?,
                device_name: r.get(2)?,
                user_id: parse_uuid(&r.get::<_, String>(3)?)?,
                user_name: r.get(4)?,
                mutation: format!("{}@{}", r.get::<_, String>(5)?, r.get::<_, u16>(6)?),
                received_at: parse_ts(&r.get::<_, String>(7)?)?,
                outcome: r.get(8)?,
                summary: r.get(9)?,
                work_order_id: opt_uuid(r.get(10)?)?,
                asset_id: opt_uuid(r.get(11)?)?,
            });
        }
        Ok(out)
    }

    fn insert_conflict(&mut self, c: &NewConflict) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO conflicts (id, kind, key, label, field, base, kept, set_aside, rule, user_id, \
                 device_id, mutation_id, detected_at, site_id, work_order_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                c.id.to_string(),
                c.kind,
                c.key,
                c.label,
                c.field,
                c.base.to_string(),
                c.kept.to_string(),
                c.set_aside.to_string(),
                c.rule,
                c.user_id.to_string(),
                c.device_id.to_string(),
                c.mutation_id.to_string(),
                ts(c.detected_at),
                c.site_id.map(|u| u.to_string()),
                c.work_order_id.map(|u| u.to_string()),
            ])?;
        Ok(())
    }

    fn conflict(&mut self, id: Uuid) -> Result<Option<StoredConflict>, StoreError> {
        let id = id.to_string();
        Ok(self.conflicts_where("WHERE c.id = ?1", &[&id])?.pop())
    }

    fn conflicts(
        &mut self,
        sites: &[Uuid],
        open_only: bool,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let clause = if open_only {
            "WHERE c.resolution IS NULL ORDER BY c.detected_at DESC, c.id DESC"
        } else {
            "ORDER BY c.detected_at DESC, c.id DESC"
        };
        let all = self.conflicts_where(clause, &[])?;
        // A conflict on a global row (a hospital setting) has no site and
        // is every supervisor's to see.
        Ok(all
            .into_iter()
            .filter(|c| c.site_id.is_none_or(|s| sites.contains(&s)))
            .collect())
    }

    fn resolve_conflict(&mut self, id: Uuid, r: &Resolution) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE conflicts SET resolution = ?2, resolved_by = ?3, resolved_at = ?4, note = ?5 \
             WHERE id = ?1",
            params![id.to_string(), r.action, r.by.to_string(), ts(r.at), r.note],
        )?;
        Ok(())
    }

    fn open_conflicts_on(&mut self, work_order_id: Uuid) -> Result<u32, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM conflicts WHERE work_order_id = ?1 AND resolution IS NULL",
            )?
            .query_row([work_order_id.to_string()], |r| r.get(0))?;
        Ok(n as u32)
    }
}
