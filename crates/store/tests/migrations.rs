//! Schema versions, upgrades from older databases, and connection settings.

mod common;

use biomend_store::{SCHEMA_VERSION, Store, StoreError};
use common::*;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Every schema object as (type, name, tbl_name, sql), sorted.
fn schema_of(path: &Path) -> Vec<(String, String, String, Option<String>)> {
    let c = Connection::open(path).unwrap();
    let mut st = c
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master")
        .unwrap();
    let mut rows: Vec<_> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_v1.sqlite")
}

#[test]
fn migrations_are_well_formed() {
    Store::validate_migrations().unwrap();
}

#[test]
fn new_databases_are_at_the_latest_version() {
    let s = Store::open_in_memory().unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);

    let dir = TempDir::new().unwrap();
    let path = dir.path().join("nested/folder/biomend.db");
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    drop(s);
    assert_eq!(user_version(&path), SCHEMA_VERSION as i64);

    // Reopening a current database is a no-op.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_release_is_refused_and_left_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("future.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE from_the_future (x INTEGER); INSERT INTO from_the_future VALUES (42);",
        )
        .unwrap();
        c.pragma_update(None, "user_version", (SCHEMA_VERSION + 1) as i64)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    match Store::open(&path) {
        Err(StoreError::TooNew { found, supported }) => {
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }

    let after = std::fs::read(&path).unwrap();
    assert!(after == before, "the file must be byte-for-byte unchanged");
    let mut leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, ["future.db"], "no WAL or shared-memory files");
    assert_eq!(user_version(&path), (SCHEMA_VERSION + 1) as i64);
}

#[test]
fn a_version_1_database_upgrades_with_every_row_intact() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("old.db");
    let data = dataset();
    let b = full_bundle();
    {
        let mut old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
        old.write(&system(), load_time(), |tx| tx.insert_site(&data.sites[0]))
            .unwrap();
        write_schema_1_departments(&path, &data);
        old.write(&system(), load_time(), |tx| {
            write_reference_and_assets(
                tx,
                &biomend_domain::dataset::Dataset {
                    sites: vec![],
                    ..data.clone()
                },
            )?;
            write_bundle(tx, &b)
        })
        .unwrap();
        // The v2 table does not exist yet.
        let err = old
            .write(&system(), load_time(), |tx| {
                tx.add_model_product_code(model_id(SIGMA), "FRN")
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("model_product_codes"),
            "unexpected error: {err}"
        );
    }
    assert_eq!(user_version(&path), 1);

    let mut s = Store::open(&path).unwrap();
    // The upgrade summed the old history into the analytics rollup, as a
    // rebuild from the records does.
    let rollup = s.analytics_rollup_rows().unwrap();
    assert!(
        rollup.iter().any(|r| r.starts_with("analytics_months")),
        "no rollup after the upgrade: {rollup:?}"
    );
    s.rebuild_analytics_rollup().unwrap();
    assert_eq!(s.analytics_rollup_rows().unwrap(), rollup);
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    let r = s.reader();
    assert_eq!(r.count("sites").unwrap(), 1);
    assert_eq!(r.count("departments").unwrap(), 2);
    assert_eq!(r.count("locations").unwrap(), data.locations.len() as u64);
    assert_eq!(r.count("users").unwrap(), data.users.len() as u64);
    assert_eq!(r.count("models").unwrap(), 3);
    assert_eq!(r.count("assets").unwrap(), 10);
    assert_eq!(r.count("pm_schedules").unwrap(), 6);
    for a in &data.assets {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
    }
    for u in &data.users {
        assert_eq!(r.user(u.id).unwrap().as_ref(), Some(u));
    }
    assert_eq!(r.model(model_id(MX450)).unwrap(), Some(model(MX450)));
    assert_eq!(r.checklist(checklist_id(1)).unwrap(), Some(checklist()));
    assert_eq!(r.work_order_bundle(b.work_order.id).unwrap(), Some(b));
    // The full-text index built at v1 still answers.
    assert_eq!(r.search_assets("BME-0007", 5).unwrap()[0].tag, "BME-0007");
    // Audit rows written before the upgrade are kept.
    assert!(!r.audit_for(asset_id(1).0).unwrap().is_empty());

    s.write(&system(), load_time(), |tx| {
        tx.add_model_product_code(model_id(SIGMA), "FRN")?;
        tx.add_model_product_code(model_id(SIGMA), "frn") // same code, any case
    })
    .unwrap();
    assert_eq!(s.reader().count("model_product_codes").unwrap(), 1);
    drop(s);
    assert_eq!(user_version(&path), SCHEMA_VERSION as i64);
}

/// The committed `tests/fixtures/schema_v1.sqlite` is a database as
/// release 1 made it. Upgrading it must give exactly the schema a new
/// database gets; if this fails, a shipped migration was edited instead of
/// a new one being added.
#[test]
fn shipped_v1_file_upgrades_to_the_same_schema_as_a_new_database() {
    let dir = TempDir::new().unwrap();
    let upgraded = dir.path().join("upgraded.db");
    std::fs::copy(fixture_path(), &upgraded).unwrap();
    assert_eq!(user_version(&upgraded), 1, "fixture must be at schema 1");

    let s = Store::open(&upgraded).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    s.integrity_check().unwrap();
    // Its data survived.
    let r = s.reader();
    assert_eq!(r.sites().unwrap(), vec![site()]);
    assert_eq!(r.asset(asset_id(1)).unwrap(), Some(asset(1)));
    assert_eq!(r.search_assets("sigma", 5).unwrap().len(), 1);
    drop(s);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());

    let got = schema_of(&upgraded);
    let want = schema_of(&fresh);
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

// `tests/fixtures/schema_v1.sqlite` is a database as schema 1 wrote it:
// made once with `Store::open_at_version(path, 1)`, writing this fixture's
// site, building, ICU department, first location, first manufacturer, the
// pump device type, the Sigma model and asset 1 through `Store::write`, then
// `journal_mode=DELETE`, `page_size=1024` and `VACUUM` so it ships as one
// small file. It is never regenerated: it stands for databases already in
// the field.

#[test]
fn file_databases_use_wal_full_sync_and_foreign_keys() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("biomend.db");
    let s = Store::open(&path).unwrap();
    let c = s.connection_settings().unwrap();
    assert_eq!(c.journal_mode, "wal");
    assert!(c.foreign_keys);
    assert_eq!(c.synchronous, 2, "FULL");
    drop(s);
    // WAL is persistent: a plain connection sees it too.
    let raw = Connection::open(&path).unwrap();
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    // The same holds for a database opened at an old version.
    let old = Store::open_at_version(&dir.path().join("old.db"), 1).unwrap();
    let c = old.connection_settings().unwrap();
    assert_eq!(
        (c.journal_mode.as_str(), c.foreign_keys, c.synchronous),
        ("wal", true, 2)
    );

    // In memory: no WAL, but the same integrity settings.
    let m = Store::open_in_memory().unwrap();
    let c = m.connection_settings().unwrap();
    assert!(c.foreign_keys);
    assert_eq!(c.synchronous, 2);
}

#[test]
fn foreign_keys_are_enforced() {
    let mut s = Store::open_in_memory().unwrap();
    let err = s
        .write(&system(), load_time(), |tx| {
            tx.insert_department(&department(ICU)) // its site does not exist
        })
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("foreign key"),
        "{err}"
    );
    assert_eq!(s.reader().count("departments").unwrap(), 0);
}
