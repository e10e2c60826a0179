//! Work orders: round trips, history, "my day", sign-off, PM due, stock.

mod common;

use biomend_domain::Money;
use biomend_domain::asset::AssetStatus;
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::work_order::*;
use biomend_store::{Store, StoreError};
use common::*;
use rusqlite::Connection;
use std::path::Path;
use tempfile::TempDir;

/// Battery stock at the main site, read with a plain connection (the
/// store has no stock screen yet).
fn on_hand(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT on_hand FROM part_stock WHERE part_id = ?1 AND site_id = ?2",
            [part_id(BATTERY_PART).0, site_id(1).0],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_full_work_order_round_trips() {
    let mut s = reference_in_memory();
    let b = full_bundle();
    s.write(&system(), load_time(), |tx| write_bundle(tx, &b))
        .unwrap();
    let got = s.reader().work_order_bundle(b.work_order.id).unwrap();
    assert_eq!(got.as_ref(), Some(&b));
    let got = got.unwrap();
    assert_eq!(got.readings[0].limit, None);
    assert!(got.readings[2].limit.unwrap().min.is_none());
    assert_eq!(
        s.reader()
            .work_order_by_number(" WO-2025-00001 ")
            .unwrap()
            .as_ref(),
        Some(&b.work_order)
    );
    assert_eq!(
        s.reader().work_order_bundle(work_order_id(9)).unwrap(),
        None
    );
    // Every attached record was audited under the work order's action.
    assert_eq!(s.reader().audit_for(b.work_order.id.0).unwrap().len(), 1);
    assert_eq!(
        s.reader().audit_for(labor_id(1).0).unwrap()[0].entity,
        "labor"
    );
}

#[test]
fn updating_a_work_order_changes_only_its_mutable_fields() {
    let mut s = reference_in_memory();
    let wo = work_order(2);
    s.write(&system(), load_time(), |tx| tx.insert_work_order(&wo))
        .unwrap();
    let mut done = wo.clone();
    done.status = WorkOrderStatus::Completed;
    done.started_at = Some(at(2025, 2, 2, 9, 0));
    done.completed_at = Some(at(2025, 2, 2, 9, 45));
    done.closure = Some(ClosureCode::PreventiveOnly);
    done.findings = "Passed all checks".into();
    s.write(&system(), load_time(), |tx| {
        tx.update_work_order(&wo, &done)
    })
    .unwrap();
    assert_eq!(s.reader().work_order(wo.id).unwrap(), Some(done.clone()));
    let log = s.reader().audit_for(wo.id.0).unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );
    assert_eq!(log[1].before.as_ref().unwrap()["status"], "open");
    assert_eq!(log[1].after.as_ref().unwrap()["closure"], "preventive");

    let mut ghost = done.clone();
    ghost.id = work_order_id(99);
    let err = s
        .write(&system(), load_time(), |tx| {
            tx.update_work_order(&ghost, &ghost)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

#[test]
fn the_database_refuses_completed_work_without_a_closure_code() {
    let mut s = reference_in_memory();
    for status in [WorkOrderStatus::Completed, WorkOrderStatus::SignedOff] {
        let mut wo = work_order(4);
        wo.status = status;
        wo.closure = None;
        let err = s
            .write(&system(), load_time(), |tx| tx.insert_work_order(&wo))
            .unwrap_err();
        assert!(err.to_string().contains("CHECK constraint"), "{err}");
    }
    // Nor may an update drop it.
    let wo = work_order(4);
    s.write(&system(), load_time(), |tx| tx.insert_work_order(&wo))
        .unwrap();
    let mut bad = wo.clone();
    bad.closure = None;
    assert!(
        s.write(&system(), load_time(), |tx| tx.update_work_order(&wo, &bad))
            .is_err()
    );
    assert_eq!(s.reader().work_order(wo.id).unwrap(), Some(wo));
}

#[test]
fn asset_history_is_newest_first_with_totals() {
    let mut s = reference_in_memory();
    let b = full_bundle();
    let mut later = WorkOrderBundle::new(work_order(2));
    later.labor.push(Labor {
        id: labor_id(20),
        work_order_id: later.work_order.id,
        technician_id: user_id(TECH_ANA),
        minutes: 30,
        performed_on: day(2025, 2, 2),
        note: String::new(),
    });
    s.write(&system(), load_time(), |tx| {
        write_bundle(tx, &later)?;
        write_bundle(tx, &b)
    })
    .unwrap();
    let h = s.reader().asset_history(asset_id(1), 10).unwrap();
    assert_eq!(
        h.iter().map(|w| w.id).collect::<Vec<_>>(),
        [work_order_id(2), work_order_id(1)]
    );
    let first = &h[1];
    assert_eq!(first.asset_tag, "BME-0001");
    assert_eq!(
        first.labor_minutes,
        b.labor.iter().map(|l| i64::from(l.minutes)).sum::<i64>()
    );
    assert_eq!(
        first.parts_cost,
        b.parts.iter().fold(Money::ZERO, |m, p| m + p.total())
    );
    assert_eq!(first.parts_cost, Money(2 * 12_950));
    assert_eq!(
        first.vendor_cost,
        b.vendor_charges
            .iter()
            .fold(Money::ZERO, |m, v| m + v.total())
    );
    assert_eq!(first.vendor_cost, Money(25_750));
    assert_eq!(first.assigned_to.as_deref(), Some("Ana Ortiz"));
    assert_eq!(first.closure, b.work_order.closure);
    let second = &h[0];
    assert_eq!(second.labor_minutes, 30);
    assert_eq!(second.parts_cost, Money::ZERO);
    assert_eq!(second.vendor_cost, Money::ZERO);
    assert_eq!(s.reader().asset_history(asset_id(1), 1).unwrap().len(), 1);
    assert!(
        s.reader()
            .asset_history(asset_id(2), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn open_work_is_ordered_by_priority_then_due_date() {
    let mut s = loaded_in_memory();
    // Ana: WO 1 (signed off), 2 (scheduled, due 02-20), 3 (urgent, on hold,
    // due 02-28), 5 (urgent, no due date). Add an emergency due later and
    // an urgent due earlier, and a cancelled one.
    let mut emergency = work_order(5);
    emergency.id = work_order_id(30);
    emergency.number = "WO-2025-00030".into();
    emergency.priority = Priority::Emergency;
    emergency.due_on = Some(day(2025, 12, 31));
    let mut urgent_early = work_order(5);
    urgent_early.id = work_order_id(31);
    urgent_early.number = "WO-2025-00031".into();
    urgent_early.due_on = Some(day(2025, 2, 10));
    let mut cancelled = work_order(5);
    cancelled.id = work_order_id(32);
    cancelled.number = "WO-2025-00032".into();
    cancelled.priority = Priority::Emergency;
    cancelled.status = WorkOrderStatus::Cancelled;
    s.write(&system(), load_time(), |tx| {
        tx.insert_work_order(&emergency)?;
        tx.insert_work_order(&urgent_early)?;
        tx.insert_work_order(&cancelled)
    })
    .unwrap();

    let mine = s.reader().open_work_assigned(user_id(TECH_ANA)).unwrap();
    assert_eq!(
        mine.iter().map(|w| w.number.as_str()).collect::<Vec<_>>(),
        [
            "WO-2025-00030",
            "WO-2025-00031",
            "WO-2025-00003",
            "WO-2025-00005",
            "WO-2025-00002"
        ]
    );
    assert!(mine.iter().all(|w| w.status.is_open()));
    // Bo's only work is completed.
    assert!(
        s.reader()
            .open_work_assigned(user_id(TECH_BO))
            .unwrap()
            .is_empty()
    );
    let on_monitor = s.reader().open_work_on_asset(asset_id(8)).unwrap();
    assert_eq!(on_monitor.len(), 1);
    assert_eq!(on_monitor[0].status, WorkOrderStatus::OnHoldParts);
}

#[test]
fn sign_off_queue_holds_completed_work_oldest_first() {
    let mut s = loaded_in_memory();
    let q = s.reader().sign_off_queue(10).unwrap();
    assert_eq!(
        q.iter().map(|w| w.id).collect::<Vec<_>>(),
        [work_order_id(4)]
    );
    assert_eq!(q[0].labor_minutes, 60);
    assert_eq!(q[0].assigned_to.as_deref(), Some("Bo Lindqvist"));

    // An earlier completion queues ahead of it.
    let mut older = work_order(4);
    older.id = work_order_id(33);
    older.number = "WO-2025-00033".into();
    older.completed_at = Some(at(2025, 2, 4, 8, 0));
    s.write(&system(), load_time(), |tx| tx.insert_work_order(&older))
        .unwrap();
    let q = s.reader().sign_off_queue(10).unwrap();
    assert_eq!(
        q.iter().map(|w| w.id).collect::<Vec<_>>(),
        [work_order_id(33), work_order_id(4)]
    );
    assert_eq!(s.reader().sign_off_queue(1).unwrap().len(), 1);

    // Signing off removes it.
    let wo = work_order(4);
    let mut signed = wo.clone();
    signed.status = WorkOrderStatus::SignedOff;
    signed.signed_off_by = Some(user_id(SUPERVISOR));
    signed.signed_off_at = Some(at(2025, 2, 5, 8, 0));
    s.write(&system(), load_time(), |tx| {
        tx.update_work_order(&wo, &signed)
    })
    .unwrap();
    let q = s.reader().sign_off_queue(10).unwrap();
    assert_eq!(
        q.iter().map(|w| w.id).collect::<Vec<_>>(),
        [work_order_id(33)]
    );
}

#[test]
fn pm_due_follows_the_users_area() {
    let mut s = loaded_in_memory();
    let until = day(2025, 3, 31);
    let due = |s: &Store, user: u8| {
        s.reader()
            .pm_due_in_area(user_id(user), until, 100)
            .unwrap()
            .into_iter()
            .map(|d| d.asset.tag)
            .collect::<Vec<_>>()
    };
    // No area set: every department of the user's site. Pumps 5 (retired)
    // and 6 (missing) are left out.
    let all = due(&s, TECH_ANA);
    assert_eq!(all, ["BME-0001", "BME-0002", "BME-0003", "BME-0004"]);

    // An area narrows it.
    s.write(&system(), load_time(), |tx| {
        tx.set_user_area(user_id(TECH_BO), &[department_id(ED)])
    })
    .unwrap();
    assert_eq!(due(&s, TECH_BO), ["BME-0004"]);
    assert_eq!(due(&s, TECH_ANA), all, "other users are unaffected");
    // Setting it again replaces it.
    s.write(&system(), load_time(), |tx| {
        tx.set_user_area(user_id(TECH_BO), &[department_id(ICU)])
    })
    .unwrap();
    assert_eq!(due(&s, TECH_BO), ["BME-0001", "BME-0002", "BME-0003"]);
    // Clearing it falls back to the sites.
    s.write(&system(), load_time(), |tx| {
        tx.set_user_area(user_id(TECH_BO), &[])
    })
    .unwrap();
    assert_eq!(due(&s, TECH_BO), all);

    // The due date bounds it, ordered by due date.
    let soon = s
        .reader()
        .pm_due_in_area(user_id(TECH_ANA), day(2025, 1, 25), 100)
        .unwrap();
    assert_eq!(
        soon.iter().map(|d| d.next_due).collect::<Vec<_>>(),
        [day(2025, 1, 15), day(2025, 1, 25)]
    );
    assert_eq!(soon[0].plan_id, plan_id(PUMP_PM));
    assert_eq!(soon[0].plan_name, pm_plan().name);
    assert_eq!(soon[0].interval_months, 12);
    assert_eq!(soon[0].last_done, Some(day(2024, 1, 15)));

    // The open PM work order on pump 1 is reported; none on the others.
    assert_eq!(
        soon[0].open_work_order,
        Some((work_order_id(2), "WO-2025-00002".to_string()))
    );
    assert_eq!(soon[1].open_work_order, None);

    // A user with no sites and no area sees nothing.
    let mut nobody = fixture_user(MANAGER);
    nobody.id = user_id(41);
    nobody.username = "nobody".into();
    nobody.sites.clear();
    s.write(&system(), load_time(), |tx| tx.insert_user(&nobody))
        .unwrap();
    assert!(due(&s, 41).is_empty());
    assert_eq!(
        s.reader()
            .pm_due_in_area(user_id(TECH_ANA), until, 2)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn retiring_an_asset_drops_its_pm() {
    let mut s = loaded_in_memory();
    let before = asset(3);
    let mut after = before.clone();
    after.status = AssetStatus::Retired;
    s.write(&system(), load_time(), |tx| {
        tx.update_asset(&before, &after)
    })
    .unwrap();
    let tags: Vec<_> = s
        .reader()
        .pm_due_in_area(user_id(TECH_ANA), day(2025, 12, 31), 100)
        .unwrap()
        .into_iter()
        .map(|d| d.asset.tag)
        .collect();
    assert_eq!(tags, ["BME-0001", "BME-0002", "BME-0004"]);
}

#[test]
fn using_a_stocked_part_takes_it_from_the_work_orders_site() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("biomend.db");
    let mut s = Store::open(&path).unwrap();
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();
    let on_hand = |_: &Store| on_hand(&path);
    assert_eq!(on_hand(&s), 12);
    let b = full_bundle(); // uses 2 batteries
    s.write(&system(), load_time(), |tx| write_bundle(tx, &b))
        .unwrap();
    assert_eq!(on_hand(&s), 10);

    // A part bought locally (no part id) leaves stock alone.
    let local = PartUse {
        id: part_use_id(2),
        part_id: None,
        part_number: "LOCAL-1".into(),
        description: "Door latch spring".into(),
        quantity: 1,
        unit_cost: Money(300),
        ..b.parts[0].clone()
    };
    // A failed action gives its stock back.
    let again = PartUse {
        id: part_use_id(3),
        ..b.parts[0].clone()
    };
    let _ = s
        .write(&system(), load_time(), |tx| {
            tx.insert_part_use(&again)?;
            tx.insert_part_use(&again) // same id twice: fails
        })
        .unwrap_err();
    assert_eq!(on_hand(&s), 10);
    s.write(&system(), load_time(), |tx| tx.insert_part_use(&local))
        .unwrap();
    assert_eq!(on_hand(&s), 10);
}
