//! The storage seam: everything the server keeps, behind one trait, so the
//! rules (push, pull, conflicts, auth) run unchanged over SQLite
//! ([`SqliteBackend`], one file) and PostgreSQL ([`PostgresBackend`]).
//!
//! A [`Backend`] runs a closure in one transaction over a [`Txn`]. The
//! `Txn` is deliberately dumb: it stores and finds rows, devices, users,
//! the mutation log and conflicts. It never decides anything; the rules in
//! [`crate::apply`] do, through this trait only.
//!
//! The one promise every implementation must keep: versions come from a
//! single counter taken inside the write transaction, and write
//! transactions are serialized, so versions become visible in commit
//! order. A reader that has seen version `n` has seen every version below
//! `n`, and a pull cursor never skips a change that committed late.

pub mod postgres;
pub mod sqlite;

use biomend_domain::user::Role;
/// The kinds of replicated rows, as the trait's methods take them.
pub use biomend_protocol::Kind;
use biomend_protocol::{ConflictV1, IncomingV1};
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::PathBuf;
use uuid::Uuid;

pub use postgres::{PostgresBackend, PostgresTarget};
pub use sqlite::SqliteBackend;

/// What can go wrong below the rules: the database, never the input.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error. Its text names statements and rows, never the
    /// connection string.
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("could not connect to {target}: {source}")]
    PostgresConnect {
        /// Host, port, database and user: never the password.
        target: String,
        source: ::postgres::Error,
    },
    #[error("PostgreSQL migration step {step} failed: {source}")]
    PostgresMigration {
        step: usize,
        source: ::postgres::Error,
    },
    #[error("the PostgreSQL connection string is not valid: {detail}")]
    BadPostgresTarget { detail: String },
    /// No PostgreSQL server was named (the tests' scratch databases).
    #[error("{0}")]
    PostgresNotConfigured(String),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "database at schema version {found} is newer than this server understands ({supported}); update biomend-server"
    )]
    TooNew { found: usize, supported: usize },
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("the database worker stopped: {0}")]
    Worker(String),
}

/// The server's storage. `write` transactions are serialized; `read`
/// transactions see one consistent snapshot and may run beside a write.
pub trait Backend: Send + Sync + 'static {
    /// Runs `f` in one write transaction: committed when `f` returns `Ok`,
    /// rolled back (nothing of it kept) when it returns `Err`.
    fn write<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>;

    /// Runs `f` on a read-only snapshot.
    fn read<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>;
}

/// Where the server's data lives, as the operator named it.
#[derive(Clone, Debug)]
pub enum Database {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database (which must exist; its schema is created).
    Postgres(PostgresTarget),
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(target) => write!(f, "{target}"),
        }
    }
}

impl Database {
    /// Opens (creating and migrating if needed) the database.
    pub fn open(&self) -> Result<AnyBackend, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => AnyBackend::Sqlite(SqliteBackend::open(path)?),
            Database::Postgres(target) => {
                AnyBackend::Postgres(Box::new(PostgresBackend::open(target)?))
            }
        })
    }
}

/// Either backend, chosen at run time by the operator's `--db` or
/// `--postgres`.
#[derive(Debug)]
pub enum AnyBackend {
    Sqlite(SqliteBackend),
    Postgres(Box<PostgresBackend>),
}

impl Backend for AnyBackend {
    fn write<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        match self {
            AnyBackend::Sqlite(b) => b.write(f),
            AnyBackend::Postgres(b) => b.write(f),
        }
    }

    fn read<T, E>(&self, f: impl FnOnce(&mut dyn Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        match self {
            AnyBackend::Sqlite(b) => b.read(f),
            AnyBackend::Postgres(b) => b.read(f),
        }
    }
}

/// A replicated row as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRow {
    pub version: u64,
    pub site_id: Option<Uuid>,
    /// The protocol record's JSON (`Record::to_json`).
    pub body: String,
}

/// One change handed to a pull visitor, borrowed from the database so a
/// page of rows is copied once, straight into the answer.
#[derive(Clone, Copy, Debug)]
pub struct PulledRow<'a> {
    pub version: u64,
    pub kind: &'a str,
    pub key: &'a str,
    /// `None` for a tombstone.
    pub body: Option<&'a str>,
}

/// A server account. The password hash never appears in `Debug`.
#[derive(Clone, PartialEq)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub sites: Vec<Uuid>,
    pub active: bool,
    /// An argon2 PHC string; empty for an account that cannot sign in.
    pub password_hash: String,
}

impl fmt::Debug for UserRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("sites", &self.sites)
            .field("active", &self.active)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// An enrolled device. Only the SHA-256 of its token is kept, and not
/// even that appears in `Debug`.
#[derive(Clone, PartialEq)]
pub struct DeviceRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub token_sha256: [u8; 32],
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The last mutation seq applied (or rejected) from this device.
    pub last_seq: u64,
    pub last_seen: Option<DateTime<Utc>>,
}

impl fmt::Debug for DeviceRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("token_sha256", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .field("last_seq", &self.last_seq)
            .field("last_seen", &self.last_seen)
            .finish()
    }
}

/// One received mutation in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub device_id: Uuid,
    pub seq: u64,
    pub mutation_id: Uuid,
    pub user_id: Uuid,
    /// `name@version`, split.
    pub name: String,
    pub version: u16,
    pub hlc: String,
    pub received_at: DateTime<Utc>,
    /// `None` when applied; the code and message when rejected.
    pub rejection: Option<(String, String)>,
    pub summary: String,
    pub work_order_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    /// The site of what it touched (or of the acting user), for the
    /// supervisor's site filter.
    pub site_id: Option<Uuid>,
}

/// A conflict as detected, before anyone resolved it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewConflict {
    pub id: Uuid,
    pub kind: String,
    pub key: String,
    pub label: String,
    pub field: String,
    pub base: serde_json::Value,
    pub kept: serde_json::Value,
    pub set_aside: serde_json::Value,
    pub rule: String,
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub mutation_id: Uuid,
    pub detected_at: DateTime<Utc>,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
}

/// What a supervisor did with a conflict.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// `accepted` or `reversed`.
    pub action: String,
    pub by: Uuid,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A stored conflict with where it belongs.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredConflict {
    pub conflict: ConflictV1,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
}

/// One transaction's view of the store. Every method is a plain read or
/// write; no method decides a rule.
pub trait Txn {
    // ---- replicated rows ----

    fn get_row(&mut self, kind: Kind, key: &str) -> Result<Option<StoredRow>, StoreError>;

    /// Inserts or replaces a row, giving it the next version; returns it.
    fn put_row(
        &mut self,
        kind: Kind,
        key: &str,
        site_id: Option<Uuid>,
        body: &str,
    ) -> Result<u64, StoreError>;

    /// Every row of a kind, for small reference kinds (sites).
    fn rows_of_kind(&mut self, kind: Kind) -> Result<Vec<StoredRow>, StoreError>;

    /// Rows and tombstones with a version above `cursor`, visible to
    /// `sites` (global rows are visible to all), oldest first, at most
    /// `limit`; each is handed to `visit`. Returns how many were visited.
    fn pull(
        &mut self,
        cursor: u64,
        sites: &[Uuid],
        limit: u32,
        visit: &mut dyn FnMut(PulledRow<'_>),
    ) -> Result<usize, StoreError>;

    /// The last version assigned (0 for an empty store).
    fn last_version(&mut self) -> Result<u64, StoreError>;

    /// Deletes a row and writes its tombstone at a new version; `None`
    /// when there was no such row.
    fn delete_row(
        &mut self,
        kind: Kind,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;

    /// Drops tombstones at or below `version` and raises the tombstone
    /// horizon to it; returns how many were dropped.
    fn purge_tombstones(&mut self, up_to_version: u64) -> Result<usize, StoreError>;

    /// Tombstones at or below this version are gone: a device whose cursor
    /// is below it may have missed a deletion and must pull from zero.
    fn tombstone_horizon(&mut self) -> Result<u64, StoreError>;

    /// Work orders whose status is `completed`, in `sites`.
    fn completed_work_orders(&mut self, sites: &[Uuid]) -> Result<Vec<StoredRow>, StoreError>;

    // ---- work-order numbers ----

    fn work_order_number_owner(&mut self, number: &str) -> Result<Option<Uuid>, StoreError>;
    fn claim_work_order_number(&mut self, number: &str, id: Uuid) -> Result<(), StoreError>;

    // ---- accounts ----

    /// Inserts a user, or replaces the one with the same id.
    fn put_user(&mut self, user: &UserRow) -> Result<(), StoreError>;
    /// By username, case-insensitively.
    fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>, StoreError>;
    fn user(&mut self, id: Uuid) -> Result<Option<UserRow>, StoreError>;
    /// Every account, ordered by username (case-insensitively), then id.
    fn users(&mut self) -> Result<Vec<UserRow>, StoreError>;

    fn insert_device(&mut self, device: &DeviceRow) -> Result<(), StoreError>;
    fn device(&mut self, id: Uuid) -> Result<Option<DeviceRow>, StoreError>;
    fn device_by_token(&mut self, token_sha256: &[u8; 32])
    -> Result<Option<DeviceRow>, StoreError>;
    fn devices(&mut self) -> Result<Vec<DeviceRow>, StoreError>;
    /// Marks a device revoked; `false` when there is no such device.
    fn revoke_device(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Marks every device of a user revoked at `at` (those already revoked
    /// keep their time); returns how many were newly revoked.
    fn revoke_user_devices(&mut self, user_id: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Records how far a device's pushes got, in the push's transaction.
    fn set_device_progress(
        &mut self,
        id: Uuid,
        last_seq: u64,
        seen: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // ---- mutation log ----

    fn log_mutation(&mut self, entry: &LogEntry) -> Result<(), StoreError>;
    fn logged_mutation(&mut self, device: Uuid, seq: u64) -> Result<Option<LogEntry>, StoreError>;
    /// Newest first, received at or after `since`, in `sites`.
    fn incoming(
        &mut self,
        sites: &[Uuid],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<IncomingV1>, StoreError>;

    // ---- conflicts ----

    fn insert_conflict(&mut self, conflict: &NewConflict) -> Result<(), StoreError>;
    fn conflict(&mut self, id: Uuid) -> Result<Option<StoredConflict>, StoreError>;
    /// Newest first, in `sites` or on a global row (no site); only
    /// unresolved ones when `open_only`.
    fn conflicts(
        &mut self,
        sites: &[Uuid],
        open_only: bool,
    ) -> Result<Vec<StoredConflict>, StoreError>;
    fn resolve_conflict(&mut self, id: Uuid, resolution: &Resolution) -> Result<(), StoreError>;
    /// Unresolved conflicts recorded against a work order.
    fn open_conflicts_on(&mut self, work_order_id: Uuid) -> Result<u32, StoreError>;
}
