//! Bulk loading and the export streams.

mod common;

use biomend_domain::dataset::WorkOrderBundle;
use biomend_store::bulk::LoadCounts;
use biomend_store::{AssetExport, Store, WorkOrderExport};
use common::*;
use tempfile::TempDir;

fn attached(b: &WorkOrderBundle) -> u64 {
    (b.labor.len()
        + b.parts.len()
        + b.vendor_charges.len()
        + b.downtime.len()
        + b.readings.len()
        + b.attempts.len()
        + b.notes.len()
        + usize::from(b.signature.is_some())) as u64
}

#[test]
fn bulk_load_writes_every_record() {
    let d = dataset();
    let mut s = Store::open_in_memory().unwrap();
    s.bulk_load(&d, &system(), load_time()).unwrap();
    let bundles = bundles();
    let mut calls = Vec::new();
    let counts = s
        .bulk_work_orders(bundles.clone(), 2, &system(), load_time(), |n| {
            calls.push(n)
        })
        .unwrap();
    s.optimize().unwrap();
    s.integrity_check().unwrap();

    let r = s.reader();
    for (table, n) in [
        ("sites", d.sites.len()),
        ("buildings", d.buildings.len()),
        ("departments", d.departments.len()),
        ("locations", d.locations.len()),
        ("users", d.users.len()),
        ("user_sites", d.users.iter().map(|u| u.sites.len()).sum()),
        ("manufacturers", d.manufacturers.len()),
        ("device_types", d.device_types.len()),
        ("models", d.models.len()),
        ("checklists", d.checklists.len()),
        ("pm_plans", d.pm_plans.len()),
        ("vendors", d.vendors.len()),
        ("parts", d.parts.len()),
        ("part_stock", d.part_stock.len()),
        ("assets", d.assets.len()),
        ("pm_schedules", d.pm_schedules.len()),
        ("work_orders", bundles.len()),
        ("labor", bundles.iter().map(|b| b.labor.len()).sum()),
        ("part_uses", bundles.iter().map(|b| b.parts.len()).sum()),
        ("readings", bundles.iter().map(|b| b.readings.len()).sum()),
        ("signatures", 1),
    ] {
        assert_eq!(r.count(table).unwrap(), n as u64, "{table}");
    }
    assert_eq!(
        counts,
        LoadCounts {
            work_orders: bundles.len() as u64,
            attached_records: bundles.iter().map(attached).sum(),
        }
    );
    // Five work orders in batches of two: three commits, three calls.
    assert_eq!(calls, [2, 4, 5]);
    // Every record reads back as written.
    for a in &d.assets {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
    }
    for b in &bundles {
        assert_eq!(
            r.work_order_bundle(b.work_order.id).unwrap().as_ref(),
            Some(b)
        );
    }
    assert_eq!(r.users().unwrap().len(), d.users.len());
    assert_eq!(
        r.user_by_username(" ANA ").unwrap(),
        Some(fixture_user(TECH_ANA))
    );
    // One audit row per load and per batch, not per record.
    assert_eq!(r.count("audit_log").unwrap(), 1 + 3);
    let detail = r.asset_detail(asset_id(10)).unwrap().unwrap();
    assert_eq!(detail.parent_tag.as_deref(), Some("BME-0009"));
    assert_eq!(
        r.asset_detail(asset_id(9)).unwrap().unwrap().children,
        ["BME-0010"]
    );
    assert_eq!(
        r.asset_detail(asset_id(1)).unwrap().unwrap().pm[0].plan,
        pm_plan()
    );
}

#[test]
fn a_batch_with_a_dangling_reference_fails_alone() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("biomend.db");
    let mut s = Store::open(&path).unwrap();
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();

    let mut bundles = bundles();
    // The fourth bundle's labor names a technician who does not exist.
    bundles[3].labor[0].technician_id = user_id(77);
    let mut calls = Vec::new();
    let err = s
        .bulk_work_orders(bundles.clone(), 2, &system(), load_time(), |n| {
            calls.push(n)
        })
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("foreign key"),
        "{err}"
    );
    assert_eq!(calls, [2], "only the first batch finished");

    let check = |s: &Store| {
        let r = s.reader();
        assert_eq!(r.count("work_orders").unwrap(), 2);
        for b in &bundles[..2] {
            assert_eq!(
                r.work_order_bundle(b.work_order.id).unwrap().as_ref(),
                Some(b)
            );
        }
        // Nothing of the failed batch: neither its good work order nor the
        // one whose labor failed, nor that labor.
        for b in &bundles[2..] {
            assert_eq!(r.work_order(b.work_order.id).unwrap(), None);
        }
        assert_eq!(r.count("labor").unwrap(), bundles[0].labor.len() as u64);
        assert_eq!(r.count("audit_log").unwrap(), 2);
    };
    check(&s);
    drop(s);
    check(&Store::open(&path).unwrap());
}

#[test]
fn a_bad_dataset_loads_nothing() {
    let mut d = dataset();
    d.assets[0].model_id = model_id(99);
    let mut s = Store::open_in_memory().unwrap();
    assert!(s.bulk_load(&d, &system(), load_time()).is_err());
    for t in ["sites", "users", "models", "assets", "audit_log"] {
        assert_eq!(s.reader().count(t).unwrap(), 0, "{t}");
    }
}

#[test]
fn asset_export_streams_every_asset_with_names() {
    let s = loaded_in_memory();
    let mut rows: Vec<AssetExport> = Vec::new();
    let n = s
        .reader()
        .for_each_asset_export(|r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 10);
    assert_eq!(
        rows.iter()
            .map(|r| r.asset.tag.as_str())
            .collect::<Vec<_>>(),
        ASSETS.map(|a| a.0),
        "ordered by tag"
    );
    for (i, row) in rows.iter().enumerate() {
        let a = asset(i as u8 + 1);
        assert_eq!(row.asset, a);
        let (_, m, d, l, _, _) = ASSETS[i];
        let model = model(m);
        assert_eq!(row.model, model.name);
        assert_eq!(
            row.manufacturer,
            if m == SIGMA { "Baxter" } else { "Philips" }
        );
        let dt = device_type(if m == SIGMA { PUMP_TYPE } else { MONITOR_TYPE });
        assert_eq!(row.device_type_code, dt.code);
        assert_eq!(row.device_type, dt.name);
        assert_eq!(row.life_support, dt.life_support);
        assert_eq!(row.site, "Main Campus");
        assert_eq!(row.department, department(d).name);
        match l {
            Some(l) => {
                let loc = &locations()[usize::from(l) - 1];
                assert_eq!(row.building.as_deref(), Some("North Tower"));
                assert_eq!(row.floor.as_deref(), Some(loc.floor.as_str()));
                assert_eq!(row.room.as_deref(), Some(loc.room.as_str()));
            }
            None => {
                assert_eq!(
                    (&row.building, &row.floor, &row.room),
                    (&None, &None, &None)
                );
            }
        }
        assert_eq!(row.contract, None);
        assert_eq!(row.network, None);
        assert_eq!(
            row.parent_tag.as_deref(),
            if i == 9 { Some("BME-0009") } else { None }
        );
    }

    // An error from the callback stops the stream and is returned.
    let mut seen = 0;
    let err = s.reader().for_each_asset_export(|_| {
        seen += 1;
        if seen == 3 {
            Err(biomend_store::StoreError::NotFound {
                entity: "test",
                key: "stop".into(),
            })
        } else {
            Ok(())
        }
    });
    assert!(err.is_err());
    assert_eq!(seen, 3);
}

#[test]
fn work_order_export_streams_every_work_order_with_names() {
    let s = loaded_in_memory();
    let mut rows: Vec<WorkOrderExport> = Vec::new();
    let n = s
        .reader()
        .for_each_work_order_export(|r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
    let bundles = bundles();
    assert_eq!(n, bundles.len() as u64);
    assert_eq!(rows.len(), bundles.len());
    // Oldest first.
    for (row, b) in rows.iter().zip(&bundles) {
        let w = &b.work_order;
        assert_eq!(row.summary.id, w.id);
        assert_eq!(row.summary.number, w.number);
        assert_eq!(row.summary.status, w.status);
        assert_eq!(row.summary.priority, w.priority);
        assert_eq!(row.summary.opened_at, w.opened_at);
        assert_eq!(row.summary.closure, w.closure);
        assert_eq!(
            row.summary.labor_minutes,
            b.labor.iter().map(|l| i64::from(l.minutes)).sum::<i64>()
        );
        assert_eq!(row.reported_by, w.reported_by);
        assert_eq!(row.findings, w.findings);
        assert_eq!(row.started_at, w.started_at);
        assert_eq!(row.signed_off_at, w.signed_off_at);
        // The export row is the same summary the lists show.
        assert_eq!(
            s.reader().work_order_summary(w.id).unwrap().as_ref(),
            Some(&row.summary)
        );
        let tag = s.reader().asset(w.asset_id).unwrap().unwrap().tag;
        assert_eq!(row.summary.asset_tag, tag);
    }
    assert_eq!(rows[0].signed_off_by.as_deref(), Some("Sam Okafor"));
    assert_eq!(rows[0].summary.assigned_to.as_deref(), Some("Ana Ortiz"));
    assert_eq!(rows[3].summary.assigned_to.as_deref(), Some("Bo Lindqvist"));
    assert!(rows[1..].iter().all(|r| r.signed_off_by.is_none()));
}
