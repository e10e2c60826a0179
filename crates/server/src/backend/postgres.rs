//! The PostgreSQL backend, for a health system that outgrows one machine:
//! the same tables as SQLite in native types, the same rules above them.
//!
//! Connections: one writer connection behind a mutex and a small pool of
//! reader connections, the shape of the SQLite backend. Writes are
//! serialized twice over: by the mutex inside this process, and by the
//! row lock every write transaction takes first on the `version` counter
//! (`SELECT ... FOR UPDATE`), which also holds against a second server
//! process on the same database. Versions are read from that locked row,
//! assigned in memory and written back once before commit, so a write
//! transaction that commits later always holds higher versions, and
//! versions become visible in commit order: a pull cursor never skips a
//! late commit. Writes run at READ COMMITTED, so once the lock is granted
//! every later statement sees all that committed before. Reads run in a
//! `REPEATABLE READ, READ ONLY` transaction: one snapshot for the whole
//! answer.
//!
//! The `postgres` client is synchronous and runs its own small runtime: it
//! must never be called on a tokio worker thread (it panics when nested
//! in a runtime). The HTTP layer calls every backend from
//! `tokio::task::spawn_blocking`, as it does for SQLite.
//!
//! Migrations are an embedded, append-only list of SQL steps; the
//! `schema_version` table holds how many ran. A database a newer server
//! migrated is refused ([`StoreError::TooNew`]), never written.
//!
//! The connection string may carry a password: it is never logged, never
//! part of an error and never shown by `Debug`; [`PostgresTarget`] shows
//! only host, port, database and user.

use super::*;
use ::postgres::config::Host;
use ::postgres::types::ToSql;
use ::postgres::{Client, Config, IsolationLevel, NoTls, Row, Statement, Transaction};
use biomend_protocol::ResolutionV1;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;

/// Every migration, in order. Append only: a shipped step is never edited.
static MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_initial.sql")];

/// The schema version a fully migrated PostgreSQL database has.
pub const POSTGRES_SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Readers kept open between requests; more are opened on demand.
const READER_POOL: usize = 4;

/// Taken (per transaction) while migrating, so two servers starting at
/// once on a new database do not both create it. An arbitrary constant.
const MIGRATION_LOCK: i64 = 0x6269_6f6d_656e_6401;

/// Where a PostgreSQL database is: a libpq-style connection string
/// (`host=/run/postgresql dbname=biomend user=biomend`) or URL
/// (`postgres://biomend:secret@db.example.org/biomend`). Shown only as
/// host, port, database and user: never its password.
#[derive(Clone)]
pub struct PostgresTarget {
    config: Box<Config>,
}

impl PostgresTarget {
    /// Parses a connection string or URL. The error never repeats it.
    pub fn parse(conninfo: &str) -> Result<PostgresTarget, StoreError> {
        let config = Config::from_str(conninfo).map_err(|e| StoreError::BadPostgresTarget {
            // The parser names the option at fault, never its value; the
            // text is checked for a password all the same.
            detail: scrub(&e.to_string(), conninfo),
        })?;
        Ok(PostgresTarget {
            config: Box::new(config),
        })
    }

    /// The same server and user, another database.
    pub fn with_dbname(&self, dbname: &str) -> PostgresTarget {
        let mut config = self.config.clone();
        config.dbname(dbname);
        PostgresTarget { config }
    }

    /// The database name, if the target names one.
    pub fn dbname(&self) -> Option<&str> {
        self.config.get_dbname()
    }

    fn connect(&self) -> Result<Client, StoreError> {
        self.config
            .connect(NoTls)
            .map_err(|source| StoreError::PostgresConnect {
                target: self.to_string(),
                source,
            })
    }
}

/// Drops anything of the connection string an error text might repeat
/// that could be a secret: `password=...` and a URL's `user:password@`.
fn scrub(text: &str, conninfo: &str) -> String {
    let mut out = text.to_string();
    for secret in secrets_in(conninfo) {
        if !secret.is_empty() {
            out = out.replace(&secret, "<redacted>");
        }
    }
    out
}

fn secrets_in(conninfo: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in conninfo.split_whitespace() {
        if let Some(v) = part.strip_prefix("password=") {
            found.push(v.trim_matches('\'').to_string());
        }
    }
    if let Some(rest) = conninfo.split_once("://").map(|(_, r)| r)
        && let Some((userinfo, _)) = rest.split_once('@')
        && let Some((_, pw)) = userinfo.split_once(':')
    {
        found.push(pw.to_string());
    }
    if let Some((_, q)) = conninfo.split_once('?') {
        for kv in q.split('&') {
            if let Some(v) = kv.strip_prefix("password=") {
                found.push(v.to_string());
            }
        }
    }
    found
}

impl fmt::Display for PostgresTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let ports: Vec<String> = self.config.get_ports().iter().map(u16::to_string).collect();
        write!(f, "postgresql")?;
        if !hosts.is_empty() {
            write!(f, " host={}", hosts.join(","))?;
        }
        if !ports.is_empty() {
            write!(f, " port={}", ports.join(","))?;
        }
        if let Some(db) = self.config.get_dbname() {
            write!(f, " dbname={db}")?;
        }
        if let Some(user) = self.config.get_user() {
            write!(f, " user={user}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PostgresTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresTarget({self})")
    }
}

/// A connection and the statements prepared on it: the sync client
/// prepares a plain query text on every call, a round trip that bulk
/// loads of hundreds of thousands of rows cannot afford.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn open(target: &PostgresTarget) -> Result<Conn, StoreError> {
        Ok(Conn {
            client: target.connect()?,
            statements: HashMap::new(),
        })
    }
}

pub struct PostgresBackend {
    target: PostgresTarget,
    /// `None` after the connection broke; reopened by the next write.
    writer: Mutex<Option<Conn>>,
    readers: Mutex<Vec<Conn>>,
}

impl fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PostgresBackend {
    /// Connects to the database (which must exist), creating or migrating
    /// the schema if needed.
    pub fn open(target: &PostgresTarget) -> Result<PostgresBackend, StoreError> {
        let mut conn = Conn::open(target)?;
        migrate(&mut conn.client)?;
        Ok(PostgresBackend {
            target: target.clone(),
            writer: Mutex::new(Some(conn)),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Where the database is (without its password).
    pub fn target(&self) -> &PostgresTarget {
        &self.target
    }

    fn reader(&self) -> Result<Conn, StoreError> {
        while let Some(c) = self.readers.lock().map_err(poisoned)?.pop() {
            if !c.client.is_closed() {
                return Ok(c);
            }
        }
        Conn::open(&self.target)
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Worker("a database lock was poisoned by a panic".into())
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let found = match tx.query_opt("SELECT version FROM schema_version", &[])? {
        Some(row) => row.get::<_, i32>(0) as usize,
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES (0)", &[])?;
            0
        }
    };
    if found > POSTGRES_SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: POSTGRES_SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found) {
        tx.batch_execute(sql)
            .map_err(|source| StoreError::PostgresMigration {
                step: i + 1,
                source,
            })?;
    }
    tx.execute(
        "UPDATE schema_version SET version = $1",
        &[&(POSTGRES_SCHEMA_VERSION as i32)],
    )?;
    tx.commit()?;
    Ok(())
}

impl Backend for PostgresBackend {
    fn write<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut slot = self.writer.lock().map_err(poisoned)?;
        if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
            *slot = None;
            *slot = Some(Conn::open(&self.target)?);
        }
        let Conn { client, statements } = slot.as_mut().expect("opened above");
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(StoreError::from)?;
        // The lock that serializes writers and orders versions: held until
        // commit or rollback.
        let last: i64 = tx
            .query_one(
                "SELECT value FROM counters WHERE name = 'version' FOR UPDATE",
                &[],
            )
            .map_err(StoreError::from)?
            .get(0);
        let mut txn = PgTxn {
            tx,
            statements,
            last_version: Some(last as u64),
            counter_dirty: false,
        };
        // On `Err` (or a panic) the transaction drops and rolls back.
        let out = f(&mut txn)?;
        txn.flush_counter()?;
        txn.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    fn read<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.reader()?;
        let out = {
            let Conn { client, statements } = &mut conn;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(StoreError::from)?;
            let mut txn = PgTxn {
                tx,
                statements,
                last_version: None,
                counter_dirty: false,
            };
            let out = f(&mut txn);
            txn.tx.rollback().map_err(StoreError::from)?;
            out
        };
        if !conn.client.is_closed()
            && let Ok(mut pool) = self.readers.lock()
            && pool.len() < READER_POOL
        {
            pool.push(conn);
        }
        out
    }
}

struct PgTxn<'c, 's> {
    tx: Transaction<'c>,
    statements: &'s mut HashMap<String, Statement>,
    /// The last version assigned: known from the start in a write
    /// transaction (read under the lock), read on demand in a read one.
    last_version: Option<u64>,
    counter_dirty: bool,
}

fn sql_seq(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt {
        what: "sequence number",
        detail: format!("{n} is beyond what the database stores"),
    })
}

fn parse_json(s: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: "conflict value",
        detail: e.to_string(),
    })
}

impl PgTxn<'_, '_> {
    fn stmt(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StoreError> {
        let s = self.stmt(sql)?;
        Ok(self.tx.query(&s, args)?)
    }

    fn query_opt(
        &mut self,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        let s = self.stmt(sql)?;
        Ok(self.tx.query_opt(&s, args)?)
    }

    fn execute(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        let s = self.stmt(sql)?;
        Ok(self.tx.execute(&s, args)?)
    }

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

    fn read_counter(&mut self, name: &str) -> Result<u64, StoreError> {
        let row = self
            .query_opt("SELECT value FROM counters WHERE name = $1", &[&name])?
            .ok_or(StoreError::Corrupt {
                what: "counters",
                detail: format!("no '{name}' counter"),
            })?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// Writes the counter once per transaction rather than per row.
    fn flush_counter(&mut self) -> Result<(), StoreError> {
        if let (true, Some(v)) = (self.counter_dirty, self.last_version) {
            self.execute(
                "UPDATE counters SET value = $1 WHERE name = 'version'",
                &[&sql_seq(v)?],
            )?;
            self.counter_dirty = false;
        }
        Ok(())
    }

    fn stored_rows(
        &mut self,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<StoredRow>, StoreError> {
        Ok(self
            .query(sql, args)?
            .iter()
            .map(|r| StoredRow {
                version: r.get::<_, i64>(0) as u64,
                site_id: r.get(1),
                body: r.get(2),
            })
            .collect())
    }

    fn one_user(
        &mut self,
        clause: &str,
        arg: &(dyn ToSql + Sync),
    ) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("{USER_COLUMNS} {clause}");
        match self.query_opt(&sql, &[arg])? {
            Some(r) => user_from_row(&r).map(Some),
            None => Ok(None),
        }
    }

    fn devices_where(
        &mut self,
        clause: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<DeviceRow>, StoreError> {
        let sql = format!(
            "SELECT id, user_id, name, token_sha256, created_at, revoked_at, last_seq, last_seen \
             FROM devices {clause}"
        );
        self.query(&sql, args)?
            .iter()
            .map(|r| {
                let token: &[u8] = r.get(3);
                Ok(DeviceRow {
                    id: r.get(0),
                    user_id: r.get(1),
                    name: r.get(2),
                    token_sha256: token.try_into().map_err(|_| StoreError::Corrupt {
                        what: "device token hash",
                        detail: format!("{} bytes", token.len()),
                    })?,
                    created_at: r.get(4),
                    revoked_at: r.get(5),
                    last_seq: r.get::<_, i64>(6) as u64,
                    last_seen: r.get(7),
                })
            })
            .collect()
    }

    fn conflicts_where(
        &mut self,
        clause: &str,
        args: &[&(dyn ToSql + Sync)],
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
        let mut out = Vec::new();
        for r in self.query(&sql, args)? {
            let resolution = match r.get::<_, Option<String>>(14) {
                None => None,
                Some(action) => Some(ResolutionV1 {
                    action,
                    by: r.get::<_, Option<Uuid>>(15).ok_or(StoreError::Corrupt {
                        what: "conflict resolution",
                        detail: "resolved by nobody".into(),
                    })?,
                    by_name: r.get(16),
                    at: r
                        .get::<_, Option<DateTime<Utc>>>(17)
                        .ok_or(StoreError::Corrupt {
                            what: "conflict resolution",
                            detail: "resolved at no time".into(),
                        })?,
                    note: r.get::<_, Option<String>>(18).unwrap_or_default(),
                }),
            };
            out.push(StoredConflict {
                conflict: ConflictV1 {
                    id: r.get(0),
                    kind: r.get(1),
                    key: r.get(2),
                    label: r.get(3),
                    field: r.get(4),
                    base: parse_json(r.get(5))?,
                    kept: parse_json(r.get(6))?,
                    set_aside: parse_json(r.get(7))?,
                    rule: r.get(8),
                    user_id: r.get(9),
                    user_name: r.get(10),
                    device_id: r.get(11),
                    mutation_id: r.get(12),
                    detected_at: r.get(13),
                    resolution,
                },
                site_id: r.get(19),
                work_order_id: r.get(20),
            });
        }
        Ok(out)
    }
}

impl Txn for PgTxn<'_, '_> {
    fn get_row(&mut self, kind: Kind, key: &str) -> Result<Option<StoredRow>, StoreError> {
        Ok(self
            .stored_rows(
                "SELECT version, site_id, body FROM rows WHERE kind = $1 AND key = $2",
                &[&kind.as_str(), &key],
            )?
            .pop())
    }

    fn put_row(
        &mut self,
        kind: Kind,
        key: &str,
        site_id: Option<Uuid>,
        body: &str,
    ) -> Result<u64, StoreError> {
        let version = self.next_version()?;
        self.execute(
            "INSERT INTO rows (kind, key, version, site_id, body) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, key) DO UPDATE SET \
             version = excluded.version, site_id = excluded.site_id, body = excluded.body",
            &[&kind.as_str(), &key, &sql_seq(version)?, &site_id, &body],
        )?;
        Ok(version)
    }

    fn rows_of_kind(&mut self, kind: Kind) -> Result<Vec<StoredRow>, StoreError> {
        self.stored_rows(
            "SELECT version, site_id, body FROM rows WHERE kind = $1 ORDER BY version",
            &[&kind.as_str()],
        )
    }

    fn pull(
        &mut self,
        cursor: u64,
        sites: &[Uuid],
        limit: u32,
        visit: &mut dyn FnMut(PulledRow<'_>),
    ) -> Result<usize, StoreError> {
        if limit == 0 {
            return Ok(0);
        }
        // Both sides walk their version index from the cursor; the merge
        // stops after `limit` rows. Bodies are handed over as stored.
        let rows = self.query(
            "(SELECT version, kind, key, body FROM rows \
               WHERE version > $1 AND (site_id IS NULL OR site_id = ANY($2)) \
               ORDER BY version LIMIT $3) \
             UNION ALL \
             (SELECT version, kind, key, NULL FROM tombstones \
               WHERE version > $1 AND (site_id IS NULL OR site_id = ANY($2)) \
               ORDER BY version LIMIT $3) \
             ORDER BY 1 LIMIT $3",
            &[&sql_seq(cursor)?, &sites, &i64::from(limit)],
        )?;
        for r in &rows {
            visit(PulledRow {
                version: r.get::<_, i64>(0) as u64,
                kind: r.get(1),
                key: r.get(2),
                body: r.get(3),
            });
        }
        Ok(rows.len())
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
        self.execute(
            "DELETE FROM rows WHERE kind = $1 AND key = $2",
            &[&kind.as_str(), &key],
        )?;
        let version = self.next_version()?;
        self.execute(
            "INSERT INTO tombstones (version, kind, key, site_id, deleted_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&sql_seq(version)?, &kind.as_str(), &key, &row.site_id, &at],
        )?;
        Ok(Some(version))
    }

    fn purge_tombstones(&mut self, up_to_version: u64) -> Result<usize, StoreError> {
        let v = sql_seq(up_to_version)?;
        let n = self.execute("DELETE FROM tombstones WHERE version <= $1", &[&v])?;
        self.execute(
            "UPDATE counters SET value = GREATEST(value, $1) WHERE name = 'tombstone_horizon'",
            &[&v],
        )?;
        Ok(n as usize)
    }

    fn tombstone_horizon(&mut self) -> Result<u64, StoreError> {
        self.read_counter("tombstone_horizon")
    }

    fn completed_work_orders(&mut self, sites: &[Uuid]) -> Result<Vec<StoredRow>, StoreError> {
        // The expression and the WHERE match the partial index.
        self.stored_rows(
            "SELECT version, site_id, body FROM rows \
             WHERE kind = 'work_order' AND ((body::jsonb) ->> 'status') = 'completed' \
             AND (site_id IS NULL OR site_id = ANY($1)) ORDER BY version",
            &[&sites],
        )
    }

    fn work_order_number_owner(&mut self, number: &str) -> Result<Option<Uuid>, StoreError> {
        Ok(self
            .query_opt(
                "SELECT work_order_id FROM work_order_numbers WHERE number = $1",
                &[&number],
            )?
            .map(|r| r.get(0)))
    }

    fn claim_work_order_number(&mut self, number: &str, id: Uuid) -> Result<(), StoreError> {
        let n = self.execute(
            "INSERT INTO work_order_numbers (number, work_order_id) VALUES ($1, $2) \
             ON CONFLICT (number) DO NOTHING",
            &[&number, &id],
        )?;
        if n == 0 && self.work_order_number_owner(number)? != Some(id) {
            return Err(StoreError::Duplicate(format!("work-order number {number}")));
        }
        Ok(())
    }

    fn put_user(&mut self, user: &UserRow) -> Result<(), StoreError> {
        let sites = serde_json::to_string(&user.sites).expect("ids serialize");
        let sql = "INSERT INTO users (id, username, display_name, role, sites, active, password_hash) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT (id) DO UPDATE SET username = excluded.username, \
                   display_name = excluded.display_name, role = excluded.role, sites = excluded.sites, \
                   active = excluded.active, password_hash = excluded.password_hash";
        let stmt = self.stmt(sql)?;
        // A savepoint: a clash of usernames is an answer (`Duplicate`), and
        // must not leave the whole transaction aborted, as SQLite does not.
        let mut sp = self.tx.transaction()?;
        let res = sp.execute(
            &stmt,
            &[
                &user.id,
                &user.username,
                &user.display_name,
                &user.role.as_str(),
                &sites,
                &user.active,
                &user.password_hash,
            ],
        );
        match res {
            Ok(_) => {
                sp.commit()?;
                Ok(())
            }
            Err(e) if e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION) => {
                sp.rollback()?;
                Err(StoreError::Duplicate(format!("user '{}'", user.username)))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>, StoreError> {
        self.one_user("WHERE lower(username) = lower($1)", &username)
    }

    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, StoreError> {
        self.one_user("WHERE id = $1", &id)
    }

    fn users(&mut self) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!("{USER_COLUMNS} ORDER BY lower(username), id");
        self.query(&sql, &[])?.iter().map(user_from_row).collect()
    }

    fn insert_device(&mut self, d: &DeviceRow) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO devices (id, user_id, name, token_sha256, created_at, revoked_at, last_seq, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &d.id,
                &d.user_id,
                &d.name,
                &&d.token_sha256[..],
                &d.created_at,
                &d.revoked_at,
                &sql_seq(d.last_seq)?,
                &d.last_seen,
            ],
        )?;
        Ok(())
    }

    fn device(&mut self, id: Uuid) -> Result<Option<DeviceRow>, StoreError> {
        Ok(self.devices_where("WHERE id = $1", &[&id])?.pop())
    }

    fn device_by_token(
        &mut self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<DeviceRow>, StoreError> {
        let hash = &token_sha256[..];
        Ok(self
            .devices_where("WHERE token_sha256 = $1", &[&hash])?
            .pop())
    }

    fn devices(&mut self) -> Result<Vec<DeviceRow>, StoreError> {
        self.devices_where("ORDER BY created_at, id", &[])
    }

    fn revoke_device(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = self.execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
            &[&id, &at],
        )?;
        Ok(n > 0)
    }

    fn revoke_user_devices(&mut self, user_id: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError> {
        self.execute(
            "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id, &at],
        )
    }

    fn set_device_progress(
        &mut self,
        id: Uuid,
        last_seq: u64,
        seen: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE devices SET last_seq = $2, last_seen = $3 WHERE id = $1",
            &[&id, &sql_seq(last_seq)?, &seen],
        )?;
        Ok(())
    }

    fn log_mutation(&mut self, e: &LogEntry) -> Result<(), StoreError> {
        let (outcome, code, message) = match &e.rejection {
            None => ("applied", None, None),
            Some((c, m)) => ("rejected", Some(c.as_str()), Some(m.as_str())),
        };
        self.execute(
            "INSERT INTO mutation_log (device_id, seq, mutation_id, user_id, name, version, hlc, \
             received_at, outcome, code, message, summary, work_order_id, asset_id, site_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &e.device_id,
                &sql_seq(e.seq)?,
                &e.mutation_id,
                &e.user_id,
                &e.name,
                &i32::from(e.version),
                &e.hlc,
                &e.received_at,
                &outcome,
                &code,
                &message,
                &e.summary,
                &e.work_order_id,
                &e.asset_id,
                &e.site_id,
            ],
        )?;
        Ok(())
    }

    fn logged_mutation(&mut self, device: Uuid, seq: u64) -> Result<Option<LogEntry>, StoreError> {
        let Some(r) = self.query_opt(
            "SELECT mutation_id, user_id, name, version, hlc, received_at, outcome, code, message, \
             summary, work_order_id, asset_id, site_id FROM mutation_log \
             WHERE device_id = $1 AND seq = $2",
            &[&device, &sql_seq(seq)?],
        )?
        else {
            return Ok(None);
        };
        let version: i32 = r.get(3);
        let outcome: String = r.get(6);
        Ok(Some(LogEntry {
            device_id: device,
            seq,
            mutation_id: r.get(0),
            user_id: r.get(1),
            name: r.get(2),
            version: u16::try_from(version).map_err(|_| StoreError::Corrupt {
                what: "mutation version",
                detail: version.to_string(),
            })?,
            hlc: r.get(4),
            received_at: r.get(5),
            rejection: (outcome == "rejected").then(|| {
                (
                    r.get::<_, Option<String>>(7).unwrap_or_default(),
                    r.get::<_, Option<String>>(8).unwrap_or_default(),
                )
            }),
            summary: r.get(9),
            work_order_id: r.get(10),
            asset_id: r.get(11),
            site_id: r.get(12),
        }))
    }

    fn incoming(
        &mut self,
        sites: &[Uuid],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<IncomingV1>, StoreError> {
        let rows = self.query(
            "SELECT l.mutation_id, l.device_id, COALESCE(d.name, ''), l.user_id, \
                    COALESCE(u.display_name, ''), l.name, l.version, l.received_at, l.outcome, \
                    l.summary, l.work_order_id, l.asset_id \
             FROM mutation_log l \
             LEFT JOIN devices d ON d.id = l.device_id \
             LEFT JOIN users u ON u.id = l.user_id \
             WHERE l.received_at >= $1 AND l.site_id = ANY($2) \
             ORDER BY l.received_at DESC, l.seq DESC LIMIT $3",
            &[&since, &sites, &i64::from(limit)],
        )?;
        Ok(rows
            .iter()
            .map(|r| IncomingV1 {
                mutation_id: r.get(0),
                device_id: r.get(1),
                device_name: r.get(2),
                user_id: r.get(3),
                user_name: r.get(4),
                mutation: format!("{}@{}", r.get::<_, &str>(5), r.get::<_, i32>(6)),
                received_at: r.get(7),
                outcome: r.get(8),
                summary: r.get(9),
                work_order_id: r.get(10),
                asset_id: r.get(11),
            })
            .collect())
    }

    fn insert_conflict(&mut self, c: &NewConflict) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO conflicts (id, kind, key, label, field, base, kept, set_aside, rule, user_id, \
             device_id, mutation_id, detected_at, site_id, work_order_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &c.id,
                &c.kind,
                &c.key,
                &c.label,
                &c.field,
                &c.base.to_string(),
                &c.kept.to_string(),
                &c.set_aside.to_string(),
                &c.rule,
                &c.user_id,
                &c.device_id,
                &c.mutation_id,
                &c.detected_at,
                &c.site_id,
                &c.work_order_id,
            ],
        )?;
        Ok(())
    }

    fn conflict(&mut self, id: Uuid) -> Result<Option<StoredConflict>, StoreError> {
        Ok(self.conflicts_where("WHERE c.id = $1", &[&id])?.pop())
    }

    fn conflicts(
        &mut self,
        sites: &[Uuid],
        open_only: bool,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        // A conflict on a global row (a hospital setting) has no site and
        // is every supervisor's to see.
        let clause = if open_only {
            "WHERE (c.site_id = ANY($1) OR c.site_id IS NULL) AND c.resolution IS NULL \
             ORDER BY c.detected_at DESC, c.id DESC"
        } else {
            "WHERE (c.site_id = ANY($1) OR c.site_id IS NULL) \
             ORDER BY c.detected_at DESC, c.id DESC"
        };
        self.conflicts_where(clause, &[&sites])
    }

    fn resolve_conflict(&mut self, id: Uuid, r: &Resolution) -> Result<(), StoreError> {
        self.execute(
            "UPDATE conflicts SET resolution = $2, resolved_by = $3, resolved_at = $4, note = $5 \
             WHERE id = $1",
            &[&id, &r.action, &r.by, &r.at, &r.note],
        )?;
        Ok(())
    }

    fn open_conflicts_on(&mut self, work_order_id: Uuid) -> Result<u32, StoreError> {
        let r = self.query_opt(
            "SELECT COUNT(*) FROM conflicts WHERE work_order_id = $1 AND resolution IS NULL",
            &[&work_order_id],
        )?;
        Ok(r.map_or(0, |r| r.get::<_, i64>(0) as u32))
    }
}

/// The environment variable naming the PostgreSQL server the tests (and
/// the benchmark) make their scratch databases on: a connection string
/// of a role that may `CREATE DATABASE`, e.g.
/// `host=/tmp/biomend-pg user=biomend dbname=postgres`.
pub const TEST_POSTGRES_ENV: &str = "BIOMEND_TEST_POSTGRES";

/// A new, empty database on the server [`TEST_POSTGRES_ENV`] names, for
/// one test; dropped (connections and all) with this value.
#[derive(Debug)]
pub struct ScratchDatabase {
    admin: PostgresTarget,
    target: PostgresTarget,
    name: String,
}

impl ScratchDatabase {
    /// Creates one on the server [`TEST_POSTGRES_ENV`] names; an error
    /// saying how to set it when it is not set.
    pub fn from_env() -> Result<ScratchDatabase, StoreError> {
        let conninfo = std::env::var(TEST_POSTGRES_ENV).map_err(|_| {
            StoreError::PostgresNotConfigured(format!(
                "{TEST_POSTGRES_ENV} is not set. The PostgreSQL tests need a PostgreSQL server: run them \
                 through scripts/with-postgres (e.g. `scripts/with-postgres cargo test -p biomend-server \
                 --features postgres-tests`), which starts a throwaway one and sets it, or set \
                 {TEST_POSTGRES_ENV} to the connection string of a role that may CREATE DATABASE, \
                 e.g. 'host=/tmp/pg user=me dbname=postgres'"
            ))
        })?;
        ScratchDatabase::create(&PostgresTarget::parse(&conninfo)?)
    }

    /// Creates one through `admin`, a connection that may create databases.
    pub fn create(admin: &PostgresTarget) -> Result<ScratchDatabase, StoreError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "biomend_scratch_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        // The name is made here of digits and letters: safe to splice.
        admin
            .connect()?
            .batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(ScratchDatabase {
            admin: admin.clone(),
            target: admin.with_dbname(&name),
            name,
        })
    }

    /// Where the new database is.
    pub fn target(&self) -> &PostgresTarget {
        &self.target
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Best effort: a throwaway cluster goes with its directory anyway.
        if let Ok(mut c) = self.admin.connect() {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

const USER_COLUMNS: &str =
    "SELECT id, username, display_name, role, sites, active, password_hash FROM users";

fn user_from_row(r: &Row) -> Result<UserRow, StoreError> {
    let role: String = r.get(3);
    let sites: String = r.get(4);
    Ok(UserRow {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            what: "user role",
            detail: role.clone(),
        })?,
        sites: serde_json::from_str(&sites).map_err(|e| StoreError::Corrupt {
            what: "user sites",
            detail: e.to_string(),
        })?,
        active: r.get(5),
        password_hash: r.get(6),
    })
}
