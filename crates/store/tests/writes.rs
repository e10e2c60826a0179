//! The audit trail, and all-or-nothing user actions.

mod common;

use biomend_domain::asset::AssetStatus;
use biomend_store::{Actor, Store, StoreError};
use common::*;
use tempfile::TempDir;

fn audit_rows(s: &Store) -> u64 {
    s.reader().count("audit_log").unwrap()
}

#[test]
fn inserting_and_updating_an_asset_is_audited_in_order() {
    let mut s = reference_in_memory();
    let sam = Actor::user(&fixture_user(SUPERVISOR));
    let mut new = asset(1);
    new.id = asset_id(50);
    new.tag = "BME-0050".into();
    new.serial = Some("SP100050".into());
    let created_at = at(2025, 3, 1, 10, 0);
    s.write(&sam, created_at, |tx| tx.insert_asset(&new))
        .unwrap();

    let mut moved = new.clone();
    moved.department_id = department_id(ED);
    moved.location_id = Some(location_id(3));
    moved.status = AssetStatus::InRepair;
    let updated_at = at(2025, 3, 2, 14, 30);
    s.write(&sam, updated_at, |tx| tx.update_asset(&new, &moved))
        .unwrap();

    let r = s.reader();
    assert_eq!(r.asset(new.id).unwrap(), Some(moved.clone()));
    let log = r.audit_for(new.id.0).unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");

    assert_eq!(log[0].action, "create");
    assert_eq!(log[0].entity, "asset");
    assert_eq!(log[0].actor, "sam");
    assert_eq!(log[0].at, created_at);
    assert!(log[0].before.is_none());
    let after = log[0].after.as_ref().unwrap();
    assert_eq!(after["tag"], "BME-0050");
    assert_eq!(after["serial"], "SP100050");

    assert_eq!(log[1].action, "update");
    assert_eq!(log[1].actor, "sam");
    assert_eq!(log[1].at, updated_at);
    let before = log[1].before.as_ref().unwrap();
    let after = log[1].after.as_ref().unwrap();
    assert_eq!(before["status"], "in_service");
    assert_eq!(after["status"], "in_repair");
    assert_eq!(
        serde_json::from_value::<biomend_domain::asset::Asset>(after.clone()).unwrap(),
        moved
    );
    assert_eq!(
        serde_json::from_value::<biomend_domain::asset::Asset>(before.clone()).unwrap(),
        new
    );

    // The audit row records the actor's id too, and other records have
    // their own trail.
    assert!(r.audit_for(asset_id(2).0).unwrap().is_empty());
}

#[test]
fn updating_a_missing_asset_is_not_found_and_writes_nothing() {
    let mut s = reference_in_memory();
    let rows = audit_rows(&s);
    let mut ghost = asset(1);
    ghost.id = asset_id(99);
    let err = s
        .write(&system(), load_time(), |tx| tx.update_asset(&ghost, &ghost))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "asset",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(audit_rows(&s), rows);
}

/// What a caller's own error type looks like: anything a store error
/// converts into.
#[derive(Debug)]
enum AppError {
    #[allow(dead_code)] // only its Debug output is used
    Store(StoreError),
    Rule(&'static str),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

#[test]
fn a_failed_action_leaves_nothing_behind() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("biomend.db");
    let mut s = Store::open(&path).unwrap();
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();
    let (assets, wos, audit) = {
        let r = s.reader();
        (
            r.count("assets").unwrap(),
            r.count("work_orders").unwrap(),
            audit_rows(&s),
        )
    };

    let mut new = asset(1);
    new.id = asset_id(60);
    new.tag = "BME-0060".into();
    let mut wo = work_order(2);
    wo.asset_id = new.id;
    let err = s
        .write(&system(), load_time(), |tx| {
            tx.insert_asset(&new)?;
            tx.insert_work_order(&wo)?;
            // Both are visible inside the action...
            assert!(tx.reader().asset(new.id)?.is_some());
            assert!(tx.reader().work_order(wo.id)?.is_some());
            Err::<(), _>(AppError::Rule("technician lacks the training"))
        })
        .unwrap_err();
    assert!(matches!(err, AppError::Rule(why) if why.contains("training")));

    // ...and gone after it failed, audit rows included.
    let check = |s: &Store| {
        let r = s.reader();
        assert_eq!(r.asset(new.id).unwrap(), None);
        assert_eq!(r.asset_by_tag("BME-0060").unwrap(), None);
        assert_eq!(r.work_order(wo.id).unwrap(), None);
        assert_eq!(r.count("assets").unwrap(), assets);
        assert_eq!(r.count("work_orders").unwrap(), wos);
        assert_eq!(audit_rows(s), audit);
        assert!(r.audit_for(new.id.0).unwrap().is_empty());
        assert!(r.audit_for(wo.id.0).unwrap().is_empty());
        assert!(r.search_assets("BME-0060", 10).unwrap().is_empty());
    };
    check(&s);
    drop(s);
    // Nothing reached the file either.
    check(&Store::open(&path).unwrap());
}

#[test]
fn a_duplicate_tag_rolls_back_the_whole_action() {
    let mut s = reference_in_memory();
    let audit = audit_rows(&s);
    let mut first = asset(1);
    first.id = asset_id(70);
    first.tag = "BME-0070".into();
    let mut dup = asset(1);
    dup.id = asset_id(71);
    dup.tag = "bme-0001".into(); // BME-0001 exists; tags ignore case

    let err = s
        .write(&system(), load_time(), |tx| {
            tx.insert_asset(&first)?;
            tx.insert_asset(&dup)
        })
        .unwrap_err();
    match err {
        StoreError::Duplicate { entity, key } => {
            assert_eq!(entity, "asset tag");
            assert_eq!(key, "bme-0001");
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    let r = s.reader();
    assert_eq!(r.asset(first.id).unwrap(), None);
    assert_eq!(r.asset(dup.id).unwrap(), None);
    assert_eq!(r.count("assets").unwrap(), 10);
    assert_eq!(audit_rows(&s), audit);

    // The store is still usable, and the same asset goes in on its own.
    s.write(&system(), load_time(), |tx| tx.insert_asset(&first))
        .unwrap();
    assert_eq!(s.reader().asset(first.id).unwrap(), Some(first));
}

#[test]
fn retagging_onto_an_existing_tag_is_a_duplicate() {
    let mut s = reference_in_memory();
    let before = asset(2);
    let mut after = before.clone();
    after.tag = "BME-0003".into();
    let err = s
        .write(&system(), load_time(), |tx| {
            tx.update_asset(&before, &after)
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { entity: "asset tag", key } if key == "BME-0003"),
        "{err:?}"
    );
    assert_eq!(s.reader().asset(before.id).unwrap(), Some(before));
}

#[test]
fn a_duplicate_username_is_reported_as_such() {
    let mut s = reference_in_memory();
    let mut u = fixture_user(TECH_ANA);
    u.id = user_id(40);
    u.username = "ANA".into();
    let err = s
        .write(&system(), load_time(), |tx| tx.insert_user(&u))
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { entity: "user", key } if key == "ANA"),
        "{err:?}"
    );
}

#[test]
fn settings_and_counters() {
    let mut s = Store::open_in_memory().unwrap();
    let n = s
        .write(&system(), load_time(), |tx| {
            let a = tx.next_counter("wo:2025")?;
            let b = tx.next_counter("wo:2025")?;
            let c = tx.next_counter("wo:2026")?;
            tx.set_setting("pm_window", &0.1)?;
            tx.set_setting("pm_window", &0.15)?;
            Ok::<_, StoreError>((a, b, c))
        })
        .unwrap();
    assert_eq!(n, (1, 2, 1));
    assert_eq!(s.reader().setting::<f64>("pm_window").unwrap(), Some(0.15));
    assert_eq!(s.reader().setting::<f64>("nothing").unwrap(), None);
}
