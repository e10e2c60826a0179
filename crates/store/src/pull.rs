//! Applying what a device pulls from the server.
//!
//! The server sends whole rows (an upsert by key) or tombstones, each with
//! a version from one counter, and a device keeps the last version it
//! applied as its pull cursor. Rows are versioned by their last change, so
//! a child (labor) can arrive before a parent that changed later (its work
//! order), even a page earlier. A whole pull run is therefore applied in
//! one `IMMEDIATE` transaction with foreign keys checked at its commit
//! (`defer_foreign_keys`), together with the new cursor: a crash mid-pull
//! leaves the old rows and the old cursor, and pulling again is harmless
//! (applying a row twice changes nothing).
//!
//! Local edits win until the server has them: a pull run refuses to start
//! while any mutation is pending in the outbox ([`StoreError::PendingMutations`],
//! checked inside the run's transaction), so the engine pushes first and a
//! technician's unsynced edit is never overwritten by an older server row.
//!
//! The rows arrive here as domain types ([`Replicated`]); the wire format
//! belongs to the protocol crate, and the sync engine converts.

use crate::codec::*;
use crate::read::Reader;
use crate::write::{Actor, Tx};
use crate::{Result, Store, StoreError};
use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Manufacturer, Model};
use biomend_domain::checklist::{Checklist, Reading, SafetyEdition};
use biomend_domain::inventory::{Part, ServiceContract, Vendor};
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmSchedule};
use biomend_domain::recall::{Recall, RecallAsset};
use biomend_domain::settings::HospitalSettings;
use biomend_domain::training::TrainingEvent;
use biomend_domain::usage::UsageWindow;
use biomend_domain::user::User;
use biomend_domain::work_order::*;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};
use uuid::Uuid;

/// `sync_state` key of the last server version this device applied.
pub const PULL_CURSOR: &str = "pull_cursor";

/// Stands in for a site not known yet while a run is open (an asset whose
/// department arrives later in the run); replaced before commit, and a
/// foreign-key failure at commit if it cannot be.
const UNKNOWN_SITE: Uuid = Uuid::nil();

/// The assets' search insert trigger, stood down while a run writes many
/// assets (see [`PullTx::apply_page`]).
const SEARCH_INSERT_TRIGGER: &str = "assets_fts_insert";

/// A page with at least this many assets drops the search insert trigger
/// for the rest of the run, as an import does: any trigger on `assets`
/// gives every insert a statement journal (a copy of each page it
/// touches). Fewer assets keep it, since recreating it is a schema change
/// that makes every prepared statement compile again.
const BULK_ASSETS: usize = 64;

macro_rules! replicated {
    ($( $variant:ident($ty:ty) => $code:literal, $table:literal, )+) => {
        /// Every kind of row a device receives from the server, in
        /// dependency order: a row refers only to kinds listed before it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RowKind { $( $variant, )+ }

        impl RowKind {
            /// In dependency order.
            pub const ALL: &'static [RowKind] = &[ $( RowKind::$variant, )+ ];

            /// The stable code, the same as the wire's.
            pub fn as_str(self) -> &'static str {
                match self { $( RowKind::$variant => $code, )+ }
            }

            pub fn parse(s: &str) -> Option<RowKind> {
                match s { $( $code => Some(RowKind::$variant), )+ _ => None }
            }

            fn table(self) -> &'static str {
                match self { $( RowKind::$variant => $table, )+ }
            }
        }

        /// One row as the server has it now.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Replicated { $( $variant($ty), )+ }

        impl Replicated {
            pub fn kind(&self) -> RowKind {
                match self { $( Replicated::$variant(_) => RowKind::$variant, )+ }
            }
        }
    };
}

replicated! {
    Site(Site) => "site", "sites",
    Building(Building) => "building", "buildings",
    Department(Department) => "department", "departments",
    Location(Location) => "location", "locations",
    User(User) => "user", "users",
    Manufacturer(Manufacturer) => "manufacturer", "manufacturers",
    DeviceType(DeviceType) => "device_type", "device_types",
    Model(Model) => "model", "models",
    SafetyEdition(SafetyEdition) => "safety_edition", "safety_editions",
    Checklist(Checklist) => "checklist", "checklists",
    PmPlan(PmPlan) => "pm_plan", "pm_plans",
    Part(Part) => "part", "parts",
    Vendor(Vendor) => "vendor", "vendors",
    ServiceContract(ServiceContract) => "service_contract", "service_contracts",
    Recall(Recall) => "recall", "recalls",
    Asset(Asset) => "asset", "assets",
    NetworkProfile(NetworkProfile) => "network_profile", "network_profiles",
    PmSchedule(PmSchedule) => "pm_schedule", "pm_schedules",
    UsageWindow(UsageWindow) => "usage_window", "usage_windows",
    TrainingEvent(TrainingEvent) => "training_event", "training_events",
    WorkOrder(WorkOrder) => "work_order", "work_orders",
    Downtime(Downtime) => "downtime", "downtime",
    Labor(Labor) => "labor", "labor",
    PartUse(PartUse) => "part_use", "part_uses",
    VendorCharge(VendorCharge) => "vendor_charge", "vendor_charges",
    Reading(Reading) => "reading", "readings",
    WorkNote(WorkNote) => "work_note", "work_notes",
    Signature(Signature) => "signature", "signatures",
    PmAttempt(PmAttempt) => "pm_attempt", "pm_attempts",
    RecallAsset(RecallAsset) => "recall_asset", "recall_assets",
    HospitalSettings(HospitalSettings) => "hospital_settings", "settings",
}

/// One pulled change.
// Nearly every change is an upsert; boxing them to shrink the rare
// tombstone would cost an allocation per row.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum PulledRow {
    /// The whole row as it is now; inserted or replaced by key.
    Upsert(Replicated),
    /// The row is gone on the server. `key` is its id, or for a PM
    /// schedule `asset_id:plan_id`.
    Delete { kind: RowKind, key: String },
}

impl PulledRow {
    pub fn kind(&self) -> RowKind {
        match self {
            PulledRow::Upsert(r) => r.kind(),
            PulledRow::Delete { kind, .. } => *kind,
        }
    }
}

/// Whether a run starts from the rows this device holds or replaces them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PullMode {
    /// Apply changes on top of what is here.
    Incremental,
    /// The server can no longer send changes since this device's cursor:
    /// every replicated row is removed first and the run pulls from zero.
    /// Data only this device holds (the outbox, its sign-in, parts stock,
    /// its own settings) stays.
    Resync,
}

/// What one pull run applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PullCounts {
    pub upserted: u64,
    pub deleted: u64,
    pub pages: u32,
}

/// Rows that refer to a replicated row, for when that row goes (a
/// tombstone, a resync): data this device keeps that the server does not
/// send, and replicated rows of a parent the server deleted whose own
/// tombstones a run may not carry. What refers to a row that is gone goes
/// too, or the run could never commit.
const LOCAL_DEPENDENTS: &[(&str, &str, &str)] = &[
    ("user_areas", "user_id", "users"),
    ("user_areas", "department_id", "departments"),
    ("part_stock", "part_id", "parts"),
    ("part_stock", "site_id", "sites"),
    ("network_profiles", "asset_id", "assets"),
    ("recall_assets", "asset_id", "assets"),
    ("recall_assets", "recall_id", "recalls"),
    ("vendor_charges", "work_order_id", "work_orders"),
    ("vendor_charges", "vendor_id", "vendors"),
    ("service_contracts", "vendor_id", "vendors"),
    ("model_product_codes", "model_id", "models"),
    ("usage_windows", "department_id", "departments"),
    ("usage_windows", "device_type_id", "device_types"),
    ("training_events", "department_id", "departments"),
    ("training_events", "device_type_id", "device_types"),
];

/// Replicated tables, children first, for a resync's wipe.
const WIPE_ORDER: &[&str] = &[
    "recall_assets",
    "vendor_charges",
    "pm_attempts",
    "signatures",
    "work_notes",
    "readings",
    "part_uses",
    "labor",
    "downtime",
    "work_orders",
    "pm_schedules",
    "training_events",
    "usage_windows",
    "network_profiles",
    "assets",
    "recalls",
    "service_contracts",
    "vendors",
    "parts",
    "pm_plans",
    "checklists",
    "safety_editions",
    "models",
    "device_types",
    "manufacturers",
    "user_sites",
    "users",
    "locations",
    "departments",
    "buildings",
    "sites",
];

/// One open pull run: pages are applied in order, then the run commits
/// with the cursor of its last page.
#[derive(Debug)]
pub struct PullTx<'a> {
    tx: Tx<'a>,
    mode: PullMode,
    from: u64,
    cursor: u64,
    counts: PullCounts,
    deleted_any: bool,
    /// Assets whose department was not known when they were written.
    asset_sites: Vec<Uuid>,
    /// Work orders whose asset (or its site) was not known yet.
    work_order_sites: Vec<Uuid>,
    /// Assets that moved to another site: their work orders follow.
    moved_assets: Vec<Uuid>,
    /// Departments that moved to another site: their assets follow.
    moved_departments: Vec<Uuid>,
    /// Locations and buildings that changed: the assets there are
    /// re-indexed for search (no trigger watches them).
    relabelled_places: HashSet<Uuid>,
    /// Work history this run changed, for the analytics rollup.
    rollup: crate::rollup::Dirty,
    /// The run started with no assets here (a new tablet, a resync): every
    /// asset at its end was written by it, so the search index is rebuilt
    /// whole at the end instead of row by row through `pull_reindex`.
    fresh: bool,
    /// In a fresh run, the site each asset written so far was given (what
    /// a lookup of its row would find).
    fresh_assets: HashMap<Uuid, Uuid>,
    /// Each department's site as this run knows it: read once, then kept
    /// current by the run's own department rows.
    department_sites: HashMap<Uuid, Uuid>,
    /// Assets this run wrote naming a service contract, and work orders
    /// naming a recall: a reference that does not resolve at the end (a
    /// contract the server no longer has) is cleared rather than fail the
    /// run, as it is everywhere when the run deleted a contract or recall.
    contract_refs: Vec<Uuid>,
    recall_refs: Vec<Uuid>,
    deleted_refs: bool,
    /// The search insert trigger's SQL while this run has it dropped.
    search_trigger: Option<String>,
}

impl Store {
    /// Runs one pull: opens an `IMMEDIATE` transaction with foreign keys
    /// checked at commit, refuses with [`StoreError::PendingMutations`]
    /// if anything waits in the outbox, lets `f` apply pages through the
    /// [`PullTx`], then brings derived columns and the search index up to
    /// date and commits rows and cursor together. If `f` fails, or the
    /// rows do not fit together at commit, nothing is kept.
    pub fn pull_run<T, E: From<StoreError>>(
        &mut self,
        at: DateTime<Utc>,
        mode: PullMode,
        f: impl FnOnce(&mut PullTx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, PullCounts), E> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut run = PullTx::begin(Tx::new(tx, Actor::system("sync"), at), mode)?;
        let out = f(&mut run)?;
        let counts = run.finish()?;
        Ok((out, counts))
    }
}

impl Reader<'_> {
    /// The last server version this device applied; 0 before the first
    /// pull.
    pub fn pull_cursor(&self) -> Result<u64> {
        match self.sync_value(PULL_CURSOR)? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| StoreError::Corrupt {
                what: "sync state",
                detail: format!("{PULL_CURSOR} holds '{v}'"),
            }),
        }
    }
}

fn pending(c: &rusqlite::Connection) -> Result<u64> {
    Ok(c.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'pending'",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// `INSERT ... ON CONFLICT (key) DO UPDATE` of every column, skipping rows
/// that would not change (so a page applied twice fires no trigger).
/// The upsert statement for `table`, built once per table: each table has
/// one upsert shape, and building the text for every pulled row (a few
/// dozen small strings for an asset) cost more than binding it.
fn upsert_sql(
    table: &'static str,
    key: &[&str],
    cols: &[&str],
    returning: &'static str,
) -> &'static Upsert {
    type Built = HashMap<(&'static str, &'static str), &'static Upsert>;
    static BUILT: OnceLock<Mutex<Built>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    // A few dozen tables at most, for the life of the process.
    built.entry((table, returning)).or_insert_with(|| {
        Box::leak(Box::new(Upsert {
            insert: build_insert_sql(table, key, cols),
            upsert: build_upsert_sql(table, key, cols, returning),
        }))
    })
}

/// One table's statements for a pulled row: the upsert, and a plain
/// insert that a fresh run tries first (see [`PullTx::put`]).
#[derive(Debug)]
struct Upsert {
    insert: String,
    upsert: String,
}

fn build_insert_sql(table: &str, key: &[&str], cols: &[&str]) -> String {
    let all: Vec<&str> = key.iter().chain(cols).copied().collect();
    let marks: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        all.join(", "),
        marks.join(", ")
    )
}

/// A unique or primary key constraint failed: the row is already here.
fn is_duplicate(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn build_upsert_sql(table: &str, key: &[&str], cols: &[&str], returning: &str) -> String {
    let all: Vec<&str> = key.iter().chain(cols).copied().collect();
    let marks: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
    let set: Vec<String> = cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    let old: Vec<String> = cols.iter().map(|c| format!("{table}.{c}")).collect();
    let new: Vec<String> = cols.iter().map(|c| format!("excluded.{c}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {} WHERE ({}) IS NOT ({}){returning}",
        all.join(", "),
        marks.join(", "),
        key.join(", "),
        set.join(", "),
        old.join(", "),
        new.join(", "),
    )
}

fn parse_key(kind: RowKind, key: &str) -> Result<Vec<Uuid>> {
    let bad = || StoreError::Corrupt {
        what: "pulled key",
        detail: format!("{} key '{key}'", kind.as_str()),
    };
    key.split(':')
        .map(|p| Uuid::parse_str(p).map_err(|_| bad()))
        .collect::<Result<Vec<_>>>()
        .and_then(|k| {
            let want = match kind {
                RowKind::PmSchedule | RowKind::RecallAsset => 2,
                _ => 1,
            };
            if k.len() == want { Ok(k) } else { Err(bad()) }
        })
}

impl<'a> PullTx<'a> {
    fn begin(tx: Tx<'a>, mode: PullMode) -> Result<Self> {
        let c = tx.conn();
        c.pragma_update(None, "defer_foreign_keys", "ON")?;
        let n = pending(c)?;
        if n > 0 {
            return Err(StoreError::PendingMutations { count: n });
        }
        let from = match mode {
            PullMode::Incremental => tx.reader().pull_cursor()?,
            PullMode::Resync => 0,
        };
        // Inserted assets are indexed for search once, at the end (the
        // insert trigger stands aside while this row exists).
        c.execute("INSERT OR IGNORE INTO fts_deferred (one) VALUES (1)", [])?;
        c.execute(
            "CREATE TEMP TABLE IF NOT EXISTS pull_reindex (seq INTEGER PRIMARY KEY)",
            [],
        )?;
        c.execute("DELETE FROM temp.pull_reindex", [])?;
        let mut run = PullTx {
            tx,
            mode,
            from,
            cursor: from,
            counts: PullCounts::default(),
            deleted_any: false,
            asset_sites: Vec::new(),
            work_order_sites: Vec::new(),
            moved_assets: Vec::new(),
            moved_departments: Vec::new(),
            relabelled_places: HashSet::new(),
            rollup: crate::rollup::Dirty::new(from == 0),
            fresh: false,
            fresh_assets: HashMap::new(),
            department_sites: HashMap::new(),
            contract_refs: Vec::new(),
            recall_refs: Vec::new(),
            deleted_refs: false,
            search_trigger: None,
        };
        if mode == PullMode::Resync {
            run.wipe()?;
        }
        run.fresh = !run
            .c()
            .query_row("SELECT EXISTS (SELECT 1 FROM assets)", [], |r| {
                r.get::<_, bool>(0)
            })?;
        Ok(run)
    }

    /// The cursor this run started from (0 for a resync).
    pub fn from_cursor(&self) -> u64 {
        self.from
    }

    /// The cursor after the pages applied so far.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Sets a sync value that commits with the run (e.g. when it pulled).
    pub fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.tx.set_sync_value(key, value)
    }

    /// Removes a sync value with the run (e.g. a failure it outdates).
    pub fn clear_sync_value(&self, key: &str) -> Result<()> {
        self.tx.clear_sync_value(key)
    }

    /// Reads inside the run see its own rows.
    pub fn reader(&self) -> Reader<'_> {
        self.tx.reader()
    }

    /// Applies one page, kinds in dependency order (rows of one kind keep
    /// the page's order), and moves the cursor to `cursor`.
    ///
    /// A page that carries many assets stands the search insert trigger
    /// down until the run ends (dropped, and created again from its stored
    /// SQL before the run commits, all in the run's transaction, as
    /// [`Tx::with_deferred_search_index`] does): the run indexes the
    /// assets it wrote itself at its end.
    pub fn apply_page(&mut self, rows: &[PulledRow], cursor: u64) -> Result<()> {
        let mut rows: Vec<&PulledRow> = rows.iter().collect();
        rows.sort_by_key(|r| r.kind());
        if self.search_trigger.is_none()
            && rows
                .iter()
                .filter(|r| matches!(r, PulledRow::Upsert(Replicated::Asset(_))))
                .count()
                >= BULK_ASSETS
        {
            self.drop_search_trigger()?;
        }
        for row in rows {
            self.rollup.note_pulled(self.tx.conn(), row)?;
            match row {
                PulledRow::Upsert(r) => {
                    self.upsert(r)?;
                    self.counts.upserted += 1;
                }
                PulledRow::Delete { kind, key } => {
                    self.delete(*kind, key)?;
                    self.counts.deleted += 1;
                }
            }
        }
        self.counts.pages += 1;
        self.cursor = self.cursor.max(cursor);
        Ok(())
    }

    fn c(&self) -> &rusqlite::Connection {
        self.tx.conn()
    }

    fn drop_search_trigger(&mut self) -> Result<()> {
        let sql: Option<String> = self
            .c()
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                [SEARCH_INSERT_TRIGGER],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            self.c()
                .execute_batch(&format!("DROP TRIGGER {SEARCH_INSERT_TRIGGER}"))?;
            self.search_trigger = Some(sql);
        }
        Ok(())
    }

    fn exec(&self, sql: &str, p: &[&dyn ToSql]) -> Result<usize> {
        Ok(self.c().prepare_cached(sql)?.execute(p)?)
    }

    /// Writes a pulled row by its upsert. In a fresh run nearly every row
    /// is new, so the plain insert goes first and the upsert only follows
    /// when the row is already here (written earlier in the run), which
    /// ends the same as the upsert alone: a failed insert changed nothing
    /// (its unique checks come before any write and before the foreign
    /// key checks). The plain insert is worth it because an upsert that
    /// may update a foreign key column or fire an update trigger makes
    /// SQLite keep a statement journal, a copy of every page it touches.
    fn put(&self, u: &Upsert, p: &[&dyn ToSql]) -> Result<()> {
        if self.fresh {
            match self.c().prepare_cached(&u.insert)?.execute(p) {
                Ok(_) => return Ok(()),
                Err(e) if is_duplicate(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.exec(&u.upsert, p)?;
        Ok(())
    }

    fn wipe(&mut self) -> Result<()> {
        self.c().execute(
            "INSERT INTO assets_fts(assets_fts) VALUES ('delete-all')",
            [],
        )?;
        // The delete trigger would remove each asset's index entry again;
        // the table-wide reset above already did.
        for t in WIPE_ORDER {
            self.c().execute(&format!("DELETE FROM {t}"), [])?;
        }
        // Every hospital settings group: the keys `hospital_settings_key`
        // makes.
        self.c().execute(
            "DELETE FROM settings WHERE substr(key, 1, length(?1)) = ?1",
            [crate::hospital_settings_key("")],
        )?;
        self.deleted_any = true;
        Ok(())
    }

    fn upsert(&mut self, r: &Replicated) -> Result<()> {
        match r {
            Replicated::Site(s) => {
                self.put(
                    upsert_sql("sites", &["id"], &["code", "name"], ""),
                    params![s.id.0, s.code, s.name],
                )?;
            }
            Replicated::Building(b) => {
                // A fresh run indexes every asset at its end anyway.
                if !self.fresh && self.exists("buildings", b.id.0)? {
                    self.relabelled_places.insert(b.id.0);
                }
                self.put(
                    upsert_sql("buildings", &["id"], &["site_id", "name"], ""),
                    params![b.id.0, b.site_id.0, b.name],
                )?;
            }
            Replicated::Department(d) => {
                let old_site: Option<Uuid> = self
                    .c()
                    .prepare_cached("SELECT site_id FROM departments WHERE id = ?1")?
                    .query_row([d.id.0], |r| r.get(0))
                    .optional()?;
                if old_site.is_some_and(|s| s != d.site_id.0) {
                    self.moved_departments.push(d.id.0);
                }
                self.department_sites.insert(d.id.0, d.site_id.0);
                self.put(
                    upsert_sql(
                        "departments",
                        &["id"],
                        &["site_id", "name", "short_name", "cost_center"],
                        "",
                    ),
                    params![d.id.0, d.site_id.0, d.name, d.short_name, d.cost_center],
                )?;
            }
            Replicated::Location(l) => {
                // A fresh run indexes every asset at its end anyway.
                if !self.fresh && self.exists("locations", l.id.0)? {
                    self.relabelled_places.insert(l.id.0);
                }
                self.put(
                    upsert_sql(
                        "locations",
                        &["id"],
                        &["building_id", "floor", "room", "department_id"],
                        "",
                    ),
                    params![
                        l.id.0,
                        l.building_id.0,
                        l.floor,
                        l.room,
                        l.department_id.map(|d| d.0)
                    ],
                )?;
            }
            Replicated::User(u) => {
                // The pay rate is the server's business and never travels:
                // a rate this device holds (from an import) is kept.
                self.put(
                    upsert_sql(
                        "users",
                        &["id"],
                        &["username", "display_name", "role", "active"],
                        "",
                    ),
                    params![
                        u.id.0,
                        u.username,
                        u.display_name,
                        u.role.as_str(),
                        u.active
                    ],
                )?;
                self.exec("DELETE FROM user_sites WHERE user_id = ?1", params![u.id.0])?;
                for s in &u.sites {
                    self.exec(
                        "INSERT OR IGNORE INTO user_sites (user_id, site_id) VALUES (?1, ?2)",
                        params![u.id.0, s.0],
                    )?;
                }
            }
            Replicated::Manufacturer(m) => {
                self.put(
                    upsert_sql("manufacturers", &["id"], &["name"], ""),
                    params![m.id.0, m.name],
                )?;
            }
            Replicated::DeviceType(d) => {
                self.put(
                    upsert_sql(
                        "device_types",
                        &["id"],
                        &[
                            "system",
                            "code",
                            "name",
                            "life_support",
                            "aem_exclusion",
                            "risk_function",
                            "risk_physical",
                            "risk_maintenance",
                            "risk_incident",
                            "expected_life_years",
                        ],
                        "",
                    ),
                    params![
                        d.id.0,
                        d.system.as_str(),
                        d.code,
                        d.name,
                        d.life_support,
                        d.aem_exclusion.map(|x| x.as_str()),
                        d.default_risk.function,
                        d.default_risk.physical_risk,
                        d.default_risk.maintenance,
                        d.default_risk.incident_history,
                        d.expected_life_years
                    ],
                )?;
            }
            Replicated::Model(m) => {
                let mds2 = m.mds2.as_ref().map(serde_json::to_string).transpose()?;
                self.put(
                    upsert_sql(
                        "models",
                        &["id"],
                        &[
                            "manufacturer_id",
                            "device_type_id",
                            "name",
                            "expected_life_years",
                            "end_of_support",
                            "replacement_cost_cents",
                            "mds2_json",
                            "sbom_json",
                        ],
                        "",
                    ),
                    params![
                        m.id.0,
                        m.manufacturer_id.0,
                        m.device_type_id.0,
                        m.name,
                        m.expected_life_years,
                        date_opt(m.end_of_support),
                        m.replacement_cost.map(|x| x.0),
                        mds2,
                        serde_json::to_string(&m.sbom)?
                    ],
                )?;
            }
            Replicated::SafetyEdition(e) => {
                self.put(
                    upsert_sql("safety_editions", &["id"], &["name", "limits_json"], ""),
                    params![e.id.0, e.name, serde_json::to_string(&e.limits)?],
                )?;
            }
            Replicated::Checklist(k) => {
                self.put(
                    upsert_sql("checklists", &["id"], &["name", "items_json"], ""),
                    params![k.id.0, k.name, serde_json::to_string(&k.items)?],
                )?;
            }
            Replicated::PmPlan(p) => {
                self.put(
                    upsert_sql(
                        "pm_plans",
                        &["id"],
                        &[
                            "name",
                            "model_id",
                            "device_type_id",
                            "interval_months",
                            "schedule",
                            "strategy",
                            "aem_evidence",
                            "checklist_id",
                            "estimated_minutes",
                        ],
                        "",
                    ),
                    params![
                        p.id.0,
                        p.name,
                        p.model_id.map(|x| x.0),
                        p.device_type_id.map(|x| x.0),
                        p.interval_months,
                        p.schedule.as_str(),
                        p.strategy.as_str(),
                        p.aem_evidence,
                        p.checklist_id.map(|x| x.0),
                        p.estimated_minutes
                    ],
                )?;
            }
            Replicated::Part(p) => {
                self.put(
                    upsert_sql(
                        "parts",
                        &["id"],
                        &[
                            "part_number",
                            "description",
                            "manufacturer",
                            "unit_cost_cents",
                        ],
                        "",
                    ),
                    params![
                        p.id.0,
                        p.part_number,
                        p.description,
                        p.manufacturer,
                        p.unit_cost.0
                    ],
                )?;
            }
            Replicated::Vendor(v) => {
                self.put(
                    upsert_sql(
                        "vendors",
                        &["id"],
                        &["name", "phone", "email", "account"],
                        "",
                    ),
                    params![v.id.0, v.name, v.phone, v.email, v.account],
                )?;
            }
            Replicated::ServiceContract(k) => {
                self.put(
                    upsert_sql(
                        "service_contracts",
                        &["id"],
                        &[
                            "vendor_id",
                            "number",
                            "coverage",
                            "starts_on",
                            "ends_on",
                            "annual_cost_cents",
                            "hours_cap",
                            "cost_cap_cents",
                            "uptime_guarantee_pct",
                        ],
                        "",
                    ),
                    params![
                        k.id.0,
                        k.vendor_id.0,
                        k.number,
                        k.coverage.as_str(),
                        date(k.starts_on),
                        date(k.ends_on),
                        k.annual_cost.0,
                        k.hours_cap,
                        k.cost_cap.map(|m| m.0),
                        k.uptime_guarantee_pct
                    ],
                )?;
            }
            Replicated::Recall(r) => {
                self.put(
                    upsert_sql(
                        "recalls",
                        &["id"],
                        &[
                            "source",
                            "number",
                            "title",
                            "received_on",
                            "manufacturer",
                            "model",
                            "device_type_code",
                            "product_code",
                            "closed_on",
                        ],
                        "",
                    ),
                    params![
                        r.id.0,
                        r.source.as_str(),
                        r.number,
                        r.title,
                        date(r.received_on),
                        r.manufacturer,
                        r.model,
                        r.device_type_code,
                        r.product_code,
                        date_opt(r.closed_on)
                    ],
                )?;
            }
            Replicated::Asset(a) => self.upsert_asset(a)?,
            Replicated::NetworkProfile(n) => {
                self.put(
                    upsert_sql(
                        "network_profiles",
                        &["asset_id"],
                        &[
                            "hostname",
                            "ip_address",
                            "mac_address",
                            "vlan",
                            "segment",
                            "os_name",
                            "os_version",
                            "firmware_version",
                            "patch_level",
                            "last_patched_on",
                            "remote_recoverable",
                            "stores_phi",
                            "patch_validation",
                        ],
                        "",
                    ),
                    params![
                        n.asset_id.0,
                        n.hostname,
                        n.ip_address,
                        n.mac_address,
                        n.vlan,
                        n.segment,
                        n.os_name,
                        n.os_version,
                        n.firmware_version,
                        n.patch_level,
                        date_opt(n.last_patched_on),
                        n.remote_recoverable,
                        n.stores_phi,
                        n.patch_validation.as_str()
                    ],
                )?;
            }
            Replicated::UsageWindow(u) => {
                self.put(
                    upsert_sql(
                        "usage_windows",
                        &["id"],
                        &[
                            "department_id",
                            "device_type_id",
                            "weekdays",
                            "starts",
                            "ends",
                        ],
                        "",
                    ),
                    params![
                        u.id.0,
                        u.department_id.0,
                        u.device_type_id.map(|d| d.0),
                        u.weekdays,
                        u.starts.format("%H:%M").to_string(),
                        u.ends.format("%H:%M").to_string()
                    ],
                )?;
            }
            Replicated::TrainingEvent(t) => {
                self.put(
                    upsert_sql(
                        "training_events",
                        &["id"],
                        &[
                            "department_id",
                            "device_type_id",
                            "held_on",
                            "topic",
                            "trainer",
                            "attendees",
                        ],
                        "",
                    ),
                    params![
                        t.id.0,
                        t.department_id.0,
                        t.device_type_id.0,
                        date(t.held_on),
                        t.topic,
                        t.trainer,
                        t.attendees
                    ],
                )?;
            }
            Replicated::VendorCharge(v) => {
                self.put(
                    upsert_sql(
                        "vendor_charges",
                        &["id"],
                        &[
                            "work_order_id",
                            "vendor_id",
                            "invoice_number",
                            "labor_cost_cents",
                            "parts_cost_cents",
                            "travel_cost_cents",
                            "invoiced_on",
                        ],
                        "",
                    ),
                    params![
                        v.id.0,
                        v.work_order_id.0,
                        v.vendor_id.0,
                        v.invoice_number,
                        v.labor_cost.0,
                        v.parts_cost.0,
                        v.travel_cost.0,
                        date(v.invoiced_on)
                    ],
                )?;
            }
            Replicated::RecallAsset(r) => {
                self.put(
                    upsert_sql(
                        "recall_assets",
                        &["recall_id", "asset_id"],
                        &["action", "work_order_id", "acted_on"],
                        "",
                    ),
                    params![
                        r.recall_id.0,
                        r.asset_id.0,
                        r.action.as_str(),
                        r.work_order_id.map(|w| w.0),
                        date_opt(r.acted_on)
                    ],
                )?;
            }
            Replicated::HospitalSettings(h) => {
                // What the server holds replaces what this device had; the
                // device's own saves reached the server before any pull.
                self.exec(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![
                        crate::hospital_settings_key(&h.name),
                        serde_json::to_string(h)?
                    ],
                )?;
            }
            Replicated::PmSchedule(s) => {
                self.put(
                    upsert_sql(
                        "pm_schedules",
                        &["asset_id", "plan_id"],
                        &["next_due", "last_done"],
                        "",
                    ),
                    params![
                        s.asset_id.0,
                        s.plan_id.0,
                        date(s.next_due),
                        date_opt(s.last_done)
                    ],
                )?;
            }
            Replicated::WorkOrder(w) => self.upsert_work_order(w)?,
            Replicated::Downtime(d) => {
                self.put(
                    upsert_sql(
                        "downtime",
                        &["id"],
                        &[
                            "asset_id",
                            "work_order_id",
                            "started_at",
                            "ended_at",
                            "partial_factor",
                        ],
                        "",
                    ),
                    params![
                        d.id.0,
                        d.asset_id.0,
                        d.work_order_id.map(|x| x.0),
                        ts(d.started_at),
                        ts_opt(d.ended_at),
                        d.partial_factor
                    ],
                )?;
            }
            Replicated::Labor(l) => {
                self.put(
                    upsert_sql(
                        "labor",
                        &["id"],
                        &[
                            "work_order_id",
                            "technician_id",
                            "minutes",
                            "performed_on",
                            "note",
                        ],
                        "",
                    ),
                    params![
                        l.id.0,
                        l.work_order_id.0,
                        l.technician_id.0,
                        l.minutes,
                        date(l.performed_on),
                        l.note
                    ],
                )?;
            }
            Replicated::PartUse(p) => {
                // Stock is counted where parts are issued; a pulled use
                // records history and moves no stock on this device.
                self.put(
                    upsert_sql(
                        "part_uses",
                        &["id"],
                        &[
                            "work_order_id",
                            "part_id",
                            "part_number",
                            "description",
                            "quantity",
                            "unit_cost_cents",
                            "recorded_by",
                            "recorded_at",
                        ],
                        "",
                    ),
                    params![
                        p.id.0,
                        p.work_order_id.0,
                        p.part_id.map(|x| x.0),
                        p.part_number,
                        p.description,
                        p.quantity,
                        p.unit_cost.0,
                        p.recorded_by.0,
                        ts(p.recorded_at)
                    ],
                )?;
            }
            Replicated::Reading(r) => {
                self.put(
                    upsert_sql(
                        "readings",
                        &["id"],
                        &[
                            "work_order_id",
                            "item_key",
                            "prompt",
                            "value",
                            "unit",
                            "limit_min",
                            "limit_max",
                            "has_limit",
                            "verdict",
                            "taken_by",
                            "taken_at",
                        ],
                        "",
                    ),
                    params![
                        r.id.0,
                        r.work_order_id.0,
                        r.item_key,
                        r.prompt,
                        r.value,
                        r.unit,
                        r.limit.and_then(|l| l.min),
                        r.limit.and_then(|l| l.max),
                        r.limit.is_some(),
                        r.verdict.as_str(),
                        r.taken_by.0,
                        ts(r.taken_at)
                    ],
                )?;
            }
            Replicated::WorkNote(n) => {
                self.put(
                    upsert_sql(
                        "work_notes",
                        &["id"],
                        &["work_order_id", "author_id", "written_at", "text"],
                        "",
                    ),
                    params![
                        n.id.0,
                        n.work_order_id.0,
                        n.author_id.0,
                        ts(n.written_at),
                        n.text
                    ],
                )?;
            }
            Replicated::Signature(s) => {
                self.put(
                    upsert_sql(
                        "signatures",
                        &["id"],
                        &[
                            "work_order_id",
                            "signer_id",
                            "signer_name",
                            "signed_at",
                            "strokes",
                        ],
                        "",
                    ),
                    params![
                        s.id.0,
                        s.work_order_id.0,
                        s.signer_id.0,
                        s.signer_name,
                        ts(s.signed_at),
                        s.strokes
                    ],
                )?;
            }
            Replicated::PmAttempt(a) => {
                self.put(
                    upsert_sql(
                        "pm_attempts",
                        &["id"],
                        &[
                            "work_order_id",
                            "technician_id",
                            "attempted_at",
                            "outcome",
                            "note",
                        ],
                        "",
                    ),
                    params![
                        a.id.0,
                        a.work_order_id.0,
                        a.technician_id.0,
                        ts(a.attempted_at),
                        a.outcome.as_str(),
                        a.note
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn exists(&self, table: &str, id: Uuid) -> Result<bool> {
        Ok(self
            .c()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// A department's site, from this run's cache or the database.
    fn department_site(&mut self, id: Uuid) -> Result<Option<Uuid>> {
        if let Some(s) = self.department_sites.get(&id) {
            return Ok(Some(*s));
        }
        let site: Option<Uuid> = self
            .c()
            .prepare_cached("SELECT site_id FROM departments WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(s) = site {
            self.department_sites.insert(id, s);
        }
        Ok(site)
    }

    /// The site an asset has here now, if it exists.
    fn asset_site(&self, id: Uuid) -> Result<Option<Uuid>> {
        if self.fresh {
            return Ok(self.fresh_assets.get(&id).copied());
        }
        Ok(self
            .c()
            .prepare_cached("SELECT site_id FROM assets WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn upsert_asset(&mut self, a: &Asset) -> Result<()> {
        let site = self.department_site(a.department_id.0)?;
        let old_site = self.asset_site(a.id.0)?;
        if site.is_none() {
            self.asset_sites.push(a.id.0);
        }
        let site = site.unwrap_or(UNKNOWN_SITE);
        if old_site.is_some_and(|s| s != site) {
            self.moved_assets.push(a.id.0);
        }
        let contract = a.contract_id.map(|c| c.0);
        if contract.is_some() && !self.fresh {
            self.contract_refs.push(a.id.0);
        }
        // A fresh run indexes every asset at its end, so it needs no seq
        // back (RETURNING is a trigger to SQLite, and would bring back the
        // statement journal the dropped search trigger took away).
        let sql = upsert_sql(
            "assets",
            &["id"],
            &[
                "tag",
                "serial",
                "model_id",
                "department_id",
                "location_id",
                "site_id",
                "ownership",
                "status",
                "acquired_on",
                "acquisition_cost_cents",
                "warranty_end",
                "contract_id",
                "expected_life_years",
                "risk_function",
                "risk_physical",
                "risk_maintenance",
                "risk_incident",
                "life_support_override",
                "parent_id",
                "notes",
            ],
            if self.fresh { "" } else { " RETURNING seq" },
        );
        let p = params![
            a.id.0,
            a.tag,
            a.serial,
            a.model_id.0,
            a.department_id.0,
            a.location_id.map(|x| x.0),
            site,
            a.ownership.as_str(),
            a.status.as_str(),
            date_opt(a.acquired_on),
            a.acquisition_cost.map(|m| m.0),
            date_opt(a.warranty_end),
            contract,
            a.expected_life_years,
            a.risk.function,
            a.risk.physical_risk,
            a.risk.maintenance,
            a.risk.incident_history,
            a.life_support_override,
            a.parent_id.map(|x| x.0),
            a.notes
        ];
        if self.fresh {
            self.put(sql, p)?;
            self.fresh_assets.insert(a.id.0, site);
            return Ok(());
        }
        let seq: Option<i64> = self
            .c()
            .prepare_cached(&sql.upsert)?
            .query_row(p, |r| r.get(0))
            .optional()?;
        if let Some(seq) = seq {
            self.exec(
                "INSERT OR IGNORE INTO temp.pull_reindex (seq) VALUES (?1)",
                params![seq],
            )?;
        }
        Ok(())
    }

    fn upsert_work_order(&mut self, w: &WorkOrder) -> Result<()> {
        let site = self.asset_site(w.asset_id.0)?;
        let site = match site {
            Some(s) if s != UNKNOWN_SITE => s,
            _ => {
                self.work_order_sites.push(w.id.0);
                UNKNOWN_SITE
            }
        };
        let recall = w.recall_id.map(|r| r.0);
        if recall.is_some() && !self.fresh {
            self.recall_refs.push(w.id.0);
        }
        // Numbers minted offline can collide; the server renumbers one of
        // the two, and both rows arrive in this pull in version order,
        // which may briefly put two rows on one number. Park the other
        // row's number until its own row arrives: it must, since a pull
        // applies only when nothing is pending, so the server holds every
        // local row and sends the renumbered one after this cursor.
        self.exec(
            "UPDATE work_orders SET number = number || ' (renumbering ' || hex(id) || ')' \
             WHERE number = ?1 AND id <> ?2",
            params![w.number, w.id.0],
        )?;
        self.put(
            upsert_sql(
                "work_orders",
                &["id"],
                &[
                    "number",
                    "asset_id",
                    "site_id",
                    "kind",
                    "status",
                    "priority",
                    "problem",
                    "reported_by",
                    "opened_at",
                    "created_by",
                    "assigned_to",
                    "due_on",
                    "pm_plan_id",
                    "recall_id",
                    "started_at",
                    "findings",
                    "closure",
                    "completed_at",
                    "signed_off_by",
                    "signed_off_at",
                ],
                "",
            ),
            params![
                w.id.0,
                w.number,
                w.asset_id.0,
                site,
                w.kind.as_str(),
                w.status.as_str(),
                w.priority.rank(),
                w.problem,
                w.reported_by,
                ts(w.opened_at),
                w.created_by.0,
                w.assigned_to.map(|u| u.0),
                date_opt(w.due_on),
                w.pm_plan_id.map(|x| x.0),
                recall,
                ts_opt(w.started_at),
                w.findings,
                w.closure.map(|c| c.code()),
                ts_opt(w.completed_at),
                w.signed_off_by.map(|u| u.0),
                ts_opt(w.signed_off_at)
            ],
        )?;
        Ok(())
    }

    fn delete(&mut self, kind: RowKind, key: &str) -> Result<()> {
        if kind == RowKind::HospitalSettings {
            self.exec(
                "DELETE FROM settings WHERE key = ?1",
                params![crate::hospital_settings_key(key)],
            )?;
            return Ok(());
        }
        let k = parse_key(kind, key)?;
        self.deleted_any = true;
        self.deleted_refs |= matches!(kind, RowKind::ServiceContract | RowKind::Recall);
        match kind {
            RowKind::RecallAsset => {
                self.exec(
                    "DELETE FROM recall_assets WHERE recall_id = ?1 AND asset_id = ?2",
                    params![k[0], k[1]],
                )?;
            }
            RowKind::NetworkProfile => {
                self.exec(
                    "DELETE FROM network_profiles WHERE asset_id = ?1",
                    params![k[0]],
                )?;
            }
            RowKind::PmSchedule => {
                self.exec(
                    "DELETE FROM pm_schedules WHERE asset_id = ?1 AND plan_id = ?2",
                    params![k[0], k[1]],
                )?;
            }
            RowKind::User => {
                self.exec("DELETE FROM user_sites WHERE user_id = ?1", params![k[0]])?;
                self.exec("DELETE FROM users WHERE id = ?1", params![k[0]])?;
            }
            other => {
                self.exec(
                    &format!("DELETE FROM {} WHERE id = ?1", other.table()),
                    params![k[0]],
                )?;
                match other {
                    RowKind::Asset => {
                        self.fresh_assets.remove(&k[0]);
                    }
                    RowKind::Department => {
                        self.department_sites.remove(&k[0]);
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Derived columns, search, the cursor and the audit row; then commit.
    fn finish(self) -> Result<PullCounts> {
        let c = self.tx.conn();
        if let Some(sql) = &self.search_trigger {
            c.execute_batch(sql)?;
        }
        let fix_asset = "UPDATE assets SET site_id = (SELECT site_id FROM departments d WHERE d.id = assets.department_id) WHERE id = ?1";
        for id in &self.asset_sites {
            c.prepare_cached(fix_asset)?.execute([id])?;
        }
        for d in &self.moved_departments {
            c.prepare_cached(
                "UPDATE assets SET site_id = (SELECT site_id FROM departments WHERE id = ?1) WHERE department_id = ?1",
            )?
            .execute([d])?;
            c.prepare_cached(
                "UPDATE work_orders SET site_id = (SELECT site_id FROM departments WHERE id = ?1)
                 WHERE asset_id IN (SELECT id FROM assets WHERE department_id = ?1)",
            )?
            .execute([d])?;
        }
        let fix_work_orders = "UPDATE work_orders SET site_id = (SELECT site_id FROM assets a WHERE a.id = work_orders.asset_id) WHERE asset_id = ?1";
        for a in self.moved_assets.iter().chain(&self.asset_sites) {
            c.prepare_cached(fix_work_orders)?.execute([a])?;
        }
        for w in &self.work_order_sites {
            c.prepare_cached(
                "UPDATE work_orders SET site_id = (SELECT site_id FROM assets a WHERE a.id = work_orders.asset_id) WHERE id = ?1",
            )?
            .execute([w])?;
        }
        // A fresh run or one that deleted a contract or recall checks
        // every reference; any other only the rows it wrote.
        let dangling_contract =
            "contract_id IS NOT NULL AND contract_id NOT IN (SELECT id FROM service_contracts)";
        let dangling_recall = "recall_id IS NOT NULL AND recall_id NOT IN (SELECT id FROM recalls)";
        if self.fresh || self.deleted_refs {
            c.execute(
                &format!("UPDATE assets SET contract_id = NULL WHERE {dangling_contract}"),
                [],
            )?;
            c.execute(
                &format!("UPDATE work_orders SET recall_id = NULL WHERE {dangling_recall}"),
                [],
            )?;
        } else {
            for a in &self.contract_refs {
                c.prepare_cached(&format!(
                    "UPDATE assets SET contract_id = NULL WHERE id = ?1 AND {dangling_contract}"
                ))?
                .execute([a])?;
            }
            for w in &self.recall_refs {
                c.prepare_cached(&format!(
                    "UPDATE work_orders SET recall_id = NULL WHERE id = ?1 AND {dangling_recall}"
                ))?
                .execute([w])?;
            }
        }
        if self.deleted_any {
            for (table, col, parent) in LOCAL_DEPENDENTS {
                c.execute(
                    &format!(
                        "DELETE FROM {table} WHERE {col} IS NOT NULL AND {col} NOT IN (SELECT id FROM {parent})"
                    ),
                    [],
                )?;
            }
        }
        // A user may work at sites this device does not receive.
        c.execute(
            "DELETE FROM user_sites WHERE site_id NOT IN (SELECT id FROM sites)",
            [],
        )?;
        if self.fresh {
            // Every asset here was written by this run (the search update
            // trigger may have indexed a few written twice): index them all
            // afresh in one statement.
            if !self.fresh_assets.is_empty() {
                c.execute(
                    "INSERT INTO assets_fts(assets_fts) VALUES ('delete-all')",
                    [],
                )?;
                c.execute(
                    "INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
                     SELECT seq, tag, serial, manufacturer, model, device_type, department, location
                     FROM asset_search_text ORDER BY seq",
                    [],
                )?;
            }
        } else if !self.relabelled_places.is_empty() {
            let mut st = c.prepare_cached(
                "INSERT OR IGNORE INTO temp.pull_reindex (seq)
                 SELECT a.seq FROM assets a JOIN locations l ON l.id = a.location_id
                 WHERE l.id = ?1 OR l.building_id = ?1",
            )?;
            for id in &self.relabelled_places {
                st.execute([id])?;
            }
        }
        // Re-index every asset written or relabelled in this run in two
        // statements: FTS5 flushes per statement, so row-by-row indexing
        // of a first pull would cost more than the pull. The list drives
        // the join (CROSS JOIN keeps SQLite from walking the whole
        // inventory through the view to find a handful of assets), and a
        // run that touched no asset, the common case, skips it.
        let reindex: bool =
            c.query_row("SELECT EXISTS (SELECT 1 FROM temp.pull_reindex)", [], |r| {
                r.get(0)
            })?;
        if reindex {
            c.execute(
                "DELETE FROM assets_fts WHERE rowid IN (SELECT seq FROM temp.pull_reindex)",
                [],
            )?;
            c.execute(
                "INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
                 SELECT s.seq, s.tag, s.serial, s.manufacturer, s.model, s.device_type, s.department, s.location
                 FROM temp.pull_reindex r CROSS JOIN asset_search_text s ON s.seq = r.seq
                 ORDER BY r.seq",
                [],
            )?;
            c.execute("DELETE FROM temp.pull_reindex", [])?;
        }
        c.execute("DELETE FROM fts_deferred", [])?;
        self.rollup.apply(c)?;
        self.tx
            .set_sync_value(PULL_CURSOR, &self.cursor.to_string())?;
        // One audit row per run, as for bulk loads: pulled rows are the
        // server's record, already audited where they were changed.
        #[derive(Serialize)]
        struct Audit {
            mode: &'static str,
            from: u64,
            to: u64,
            #[serde(flatten)]
            counts: PullCounts,
        }
        let audit = Audit {
            mode: match self.mode {
                PullMode::Incremental => "incremental",
                PullMode::Resync => "resync",
            },
            from: self.from,
            to: self.cursor,
            counts: self.counts,
        };
        // A run that changed nothing (a no-op sync) leaves no audit row:
        // the trail records changes, and a tablet syncs every few minutes.
        if self.counts.upserted + self.counts.deleted > 0 || self.mode == PullMode::Resync {
            self.tx
                .audit("pull", "sync", None, None::<&()>, Some(&audit))?;
        }
        let counts = self.counts;
        commit_checked(self.tx)?;
        Ok(counts)
    }
}

/// Commits, naming what does not fit when deferred foreign keys fail: the
/// server sent rows whose parents never arrived.
fn commit_checked(tx: Tx<'_>) -> Result<()> {
    match tx.conn().execute_batch("COMMIT") {
        Ok(()) => Ok(()),
        Err(e) => {
            let fk = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
            if !fk {
                return Err(e.into());
            }
            // The transaction is still open after a failed COMMIT; find
            // the rows that broke it, then let it roll back on drop.
            let mut detail = Vec::new();
            let mut st = tx.conn().prepare("PRAGMA foreign_key_check")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let table: String = r.get(0)?;
                let parent: String = r.get(2)?;
                detail.push(format!("a row of {table} refers to a missing {parent}"));
                if detail.len() == 5 {
                    break;
                }
            }
            drop(rows);
            drop(st);
            Err(StoreError::PullInconsistent(if detail.is_empty() {
                e.to_string()
            } else {
                detail.join("; ")
            }))
        }
    }
}
