//! The local SQLite store on a technician's tablet or a workstation.
//!
//! Owns: the schema and its append-only migrations, connection settings
//! (WAL, `synchronous=FULL`, foreign keys), the mapping between domain types
//! and rows, the audit trail, full-text search over assets, the read queries
//! the app needs, and bulk loading.
//!
//! Invariants:
//! - every write happens inside [`Store::write`]: one user action is one
//!   transaction, and every changed record gets an audit row (who, when,
//!   what, before → after) in that same transaction, so a failed action
//!   leaves nothing behind, not even its audit row;
//! - the sync outbox is written in that same transaction too
//!   ([`Tx::enqueue_mutation`]), so a committed change always has its
//!   mutation and a rolled-back one never does. The store treats mutations
//!   as opaque named JSON: the wire format belongs to the protocol crate;
//! - shipped migrations are never edited; a change is a new file;
//! - store rows never leave this crate: callers get domain types or the
//!   read models defined in [`read`];
//! - a pull run ([`Store::pull_run`]) applies the server's rows and the new
//!   pull cursor in one transaction, with foreign keys checked at commit,
//!   and only while nothing waits in the outbox.
//!
//! Must not know: business rules (the app core applies them before it
//! writes), windows, terminals, the network, or the wall clock (callers pass
//! the time of each action).

pub mod analytics;
pub mod bulk;
mod codec;
pub mod drill;
mod login;
mod lookup;
pub mod outbox_state;
mod places;
pub mod pull;
pub mod read;
mod rollup;
pub mod survey;
pub mod team;
pub mod write;

pub use analytics::{AnalyticsCatalog, ReportNames};
pub use login::DeviceLogin;
pub use pull::{PullCounts, PullMode, PullTx, PulledRow, Replicated, RowKind};
pub use read::*;
pub use write::{Actor, AssetBatch, Tx};

/// The `settings` key a hospital settings group is kept under.
pub fn hospital_settings_key(name: &str) -> String {
    format!("hospital_settings:{name}")
}

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::sync::LazyLock;

/// Every migration, in order. Append only.
static MIGRATIONS_SQL: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_model_product_codes.sql"),
    include_str!("../migrations/0003_outbox.sql"),
    include_str!("../migrations/0004_deferred_search_index.sql"),
    include_str!("../migrations/0005_outbox_results.sql"),
    include_str!("../migrations/0006_department_short_names.sql"),
    include_str!("../migrations/0007_device_login.sql"),
    include_str!("../migrations/0008_device_login_ca_cert.sql"),
    include_str!("../migrations/0009_analytics_indexes.sql"),
    include_str!("../migrations/0010_analytics_rollup.sql"),
];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect()));

/// The schema version a fully migrated database has.
pub const SCHEMA_VERSION: usize = MIGRATIONS_SQL.len();

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "database at schema version {found} is newer than this app understands ({supported}); update Biomend"
    )]
    TooNew { found: usize, supported: usize },
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    #[error("{entity} '{key}' already exists")]
    Duplicate { entity: &'static str, key: String },
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("could not encode {0} as JSON")]
    Json(#[from] serde_json::Error),
    /// A pull was refused because local changes wait to be sent: they go
    /// to the server first, so a pull never overwrites them.
    #[error("{count} local change(s) wait to be sent before the server's changes can be applied")]
    PendingMutations { count: u64 },
    /// The rows of a pull run do not fit together (a row refers to one
    /// that never arrived); nothing of the run was kept.
    #[error("the server's changes do not fit together: {0}")]
    PullInconsistent(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What [`Store::connection_settings`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// `wal` for a file database, `memory` for an in-memory one.
    pub journal_mode: String,
    /// 0 = OFF, 1 = NORMAL, 2 = FULL, 3 = EXTRA.
    pub synchronous: i64,
    pub foreign_keys: bool,
}

/// A connection to one Biomend database file.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The managers' reports' inventory, kept until the database changes.
    catalog: analytics::CatalogCache,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            // A missing folder would surface as SQLite's vague "unable to
            // open database file"; creating it is what the user meant.
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        Self::setup(conn, true)
    }

    /// A private in-memory database, for tests and previews.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, false)
    }

    /// Opens without migrating past `version`; only for upgrade tests that
    /// need a database made by an older release.
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        Self::pragmas(&conn, true)?;
        MIGRATIONS.to_version(&mut conn, version)?;
        Ok(Store {
            conn,
            catalog: Default::default(),
        })
    }

    fn pragmas(conn: &Connection, file: bool) -> Result<()> {
        // rusqlite keeps 16 prepared statements by default; a pull run
        // upserts some twenty kinds of row with a few statements each, and
        // past the cache's size every row re-parsed its SQL.
        conn.set_prepared_statement_cache_capacity(128);
        if file {
            // WAL lets readers run during a write; FULL makes each commit
            // durable before the app tells the technician it is saved.
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "busy_timeout", 5000)?;
        conn.pragma_update(None, "cache_size", -64_000)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(())
    }

    fn setup(mut conn: Connection, file: bool) -> Result<Store> {
        // Check the version before anything else: switching to WAL rewrites
        // the file header, and a file from a newer release must be left
        // exactly as it was.
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let found = found as usize;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == 0 {
            // A new database: 8 KiB pages suit rows of this size (fewer
            // B-tree splits on bulk loads); it can only be set before the
            // first table exists.
            conn.pragma_update(None, "page_size", 8192)?;
        }
        Self::pragmas(&conn, file)?;
        MIGRATIONS.to_latest(&mut conn)?;
        // Migration 0010 creates the analytics rollup empty; an upgraded
        // database sums its history into it here, once.
        rollup::build_if_needed(&mut conn)?;
        Ok(Store {
            conn,
            catalog: Default::default(),
        })
    }

    /// Checks that the migration list is well formed (used by tests).
    pub fn validate_migrations() -> Result<()> {
        MIGRATIONS.validate()?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<usize> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(v as usize)
    }

    /// Runs one user action as one transaction. `f` writes through the
    /// [`Tx`], which records an audit row for every change; if `f` returns
    /// an error, everything it wrote is rolled back.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        actor: &Actor,
        at: chrono::DateTime<chrono::Utc>,
        f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut w = Tx::new(tx, actor.clone(), at);
        let out = f(&mut w)?;
        w.commit().map_err(E::from)?;
        Ok(out)
    }

    /// Read access for the query functions in [`read`].
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(&self.conn)
    }

    /// Runs `PRAGMA optimize` and refreshes planner statistics; worth doing
    /// after a bulk load.
    pub fn optimize(&self) -> Result<()> {
        self.conn.execute_batch("ANALYZE; PRAGMA optimize;")?;
        Ok(())
    }

    /// The connection settings as SQLite reports them, for diagnostics and
    /// support reports.
    pub fn connection_settings(&self) -> Result<ConnectionSettings> {
        let q = |name: &str| -> Result<rusqlite::types::Value> {
            Ok(self
                .conn
                .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))?)
        };
        let text = |v: rusqlite::types::Value| match v {
            rusqlite::types::Value::Text(s) => s,
            other => format!("{other:?}"),
        };
        let int = |v: rusqlite::types::Value| match v {
            rusqlite::types::Value::Integer(i) => i,
            _ => -1,
        };
        Ok(ConnectionSettings {
            journal_mode: text(q("journal_mode")?).to_ascii_lowercase(),
            synchronous: int(q("synchronous")?),
            foreign_keys: int(q("foreign_keys")?) == 1,
        })
    }

    /// Checks the file for corruption; `Ok(())` when SQLite reports "ok".
    pub fn integrity_check(&self) -> Result<()> {
        let res: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if res == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                what: "database",
                detail: res,
            })
        }
    }
}
