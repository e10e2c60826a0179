//! The analytics queries give, row for row, the facts the analytics crate's
//! `FactsBuilder` computes from the same hospital's work-order bundles:
//! the builder defines what each field means, so agreement proves the SQL.

use biomend_analytics::facts::{AssetFacts, Catalog, MultiFactsBuilder};
use biomend_analytics::profile::profiles;
use biomend_analytics::training::training_windows;
use biomend_analytics::{Period, Settings};
use biomend_demo::{DemoParams, generate, history};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::LaborId;
use biomend_domain::work_order::{Labor, WorkOrderStatus};
use biomend_store::{Actor, PullMode, PulledRow, Replicated, Store};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn assert_same(period: Period, mut sql: Vec<AssetFacts>, mut built: Vec<AssetFacts>) {
    assert_eq!(sql.len(), built.len(), "rows for {period}");
    sql.sort_by_key(|f| f.key.asset_id);
    built.sort_by_key(|f| f.key.asset_id);
    let mut busy = 0;
    for (s, b) in sql.iter_mut().zip(built.iter_mut()) {
        let what = format!("asset {:?} over {period}", b.key.asset_id);
        assert_eq!(s.key, b.key, "{what}");
        assert_eq!(s.risk_class, b.risk_class, "{what}");
        assert_eq!(s.acquisition_cost, b.acquisition_cost, "{what}");
        assert_eq!(s.corrective, b.corrective, "{what}: corrective counts");
        assert_eq!(s.repairs, b.repairs, "{what}: repairs");
        assert_eq!(s.pm, b.pm, "{what}: PM outcomes");
        assert_eq!(s.cost, b.cost, "{what}: service cost");
        s.recalls.sort();
        b.recalls.sort();
        assert_eq!(s.recalls, b.recalls, "{what}: recalls");
        for (name, x, y) in [
            ("covered hours", s.covered_hours, b.covered_hours),
            ("downtime hours", s.downtime_hours, b.downtime_hours),
            (
                "weighted downtime",
                s.weighted_downtime_hours,
                b.weighted_downtime_hours,
            ),
            ("repair hours", s.repair_hours, b.repair_hours),
            ("repair labor", s.repair_labor_hours, b.repair_labor_hours),
            ("labor hours", s.labor_hours, b.labor_hours),
            (
                "unrated labor",
                s.unrated_labor_hours,
                b.unrated_labor_hours,
            ),
        ] {
            assert!(close(x, y), "{what}: {name} {x} from SQL, {y} built");
        }
        if b.corrective.closed > 0 && b.pm.due() > 0 && b.downtime_hours > 0.0 {
            busy += 1;
        }
    }
    // A comparison of empty rows would prove nothing.
    assert!(busy >= 3, "only {busy} assets with work over {period}");
}

#[test]
fn facts_from_sql_equal_facts_from_bundles() {
    let p = DemoParams {
        assets: 500,
        work_orders: 8_000,
        ..DemoParams::small()
    };
    let data = generate(&p);
    let mut store = Store::open_in_memory().unwrap();
    let actor = Actor::system("test");
    let at = Utc.with_ymd_and_hms(2026, 3, 17, 0, 0, 0).unwrap();
    store.bulk_load(&data, &actor, at).unwrap();
    let mut bundles = Vec::new();
    history(&p, &data, |b| bundles.push(b));
    store
        .bulk_work_orders(bundles.iter().cloned(), 2_000, &actor, at, |_| {})
        .unwrap();
    store.bulk_load_recall_assets(&data, &actor, at).unwrap();

    let s = Settings::default();
    let end = p.as_of + Duration::days(1);
    let event = data
        .training_events
        .iter()
        .max_by_key(|t| t.held_on)
        .unwrap();
    let (before, after) = training_windows(event, s.training_window_days, end).unwrap();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let periods = [
        Period::new(p.history_start(), end).unwrap(),
        Period::new(end - Duration::days(365), end).unwrap(),
        before,
        after,
        // A short period mid-history: records straddle both ends.
        Period::new(d(2024, 2, 10), d(2024, 3, 27)).unwrap(),
    ];
    let mut b = MultiFactsBuilder::new(&Catalog::of(&data), &periods, &s);
    for bundle in &bundles {
        b.add(bundle);
    }
    let built = b.finish();
    let r = store.reader();
    for (period, rows) in periods.iter().zip(built) {
        assert_same(*period, r.asset_facts(*period, &s).unwrap(), rows);
    }

    // A fallback labor rate and another repeat window change the same
    // fields in the same way.
    let s2 = Settings {
        fallback_loaded_rate_cents: Some(9_000),
        repeat_repair_days: 30,
        ..Settings::default()
    };
    let mut b = MultiFactsBuilder::new(&Catalog::of(&data), &periods[1..2], &s2);
    for bundle in &bundles {
        b.add(bundle);
    }
    let built = b.finish().pop().unwrap();
    assert_same(periods[1], r.asset_facts(periods[1], &s2).unwrap(), built);

    // The rollup the bulk load kept is the one a rebuild sums.
    let kept = store.analytics_rollup_rows().unwrap();
    assert!(kept.len() > 1_000, "only {} rollup rows", kept.len());
    store.rebuild_analytics_rollup().unwrap();
    assert_eq!(store.analytics_rollup_rows().unwrap(), kept);
    let r = store.reader();

    // The catalog read back is the one loaded.
    let cat = r.analytics_catalog().unwrap();
    assert_eq!(cat.assets.len(), data.assets.len());
    assert_eq!(cat.network_profiles.len(), data.network_profiles.len());
    assert_eq!(cat.usage_windows.len(), data.usage_windows.len());
    assert_eq!(cat.training_events.len(), data.training_events.len());
    assert_eq!(cat.recall_assets.len(), data.recall_assets.len());
    assert_eq!(cat.contracts.len(), data.contracts.len());
}

/// The facts the builder computes from `bundles` for each period.
fn built(
    data: &biomend_domain::dataset::Dataset,
    bundles: &[WorkOrderBundle],
    periods: &[Period],
    s: &Settings,
) -> Vec<Vec<AssetFacts>> {
    let mut b = MultiFactsBuilder::new(&Catalog::of(data), periods, s);
    for bundle in bundles {
        b.add(bundle);
    }
    b.finish()
}

/// Edits through the write transaction and a pull run keep the rollup
/// equal to the records: the facts still equal the builder's, and the
/// rollup equals a rebuild from scratch.
#[test]
fn rollup_follows_edits_and_pulls() {
    let p = DemoParams {
        assets: 300,
        work_orders: 5_000,
        ..DemoParams::small()
    };
    let mut data = generate(&p);
    let mut store = Store::open_in_memory().unwrap();
    let actor = Actor::system("test");
    let at = Utc.with_ymd_and_hms(2026, 3, 17, 0, 0, 0).unwrap();
    store.bulk_load(&data, &actor, at).unwrap();
    let mut bundles = Vec::new();
    history(&p, &data, |b| bundles.push(b));
    let split = bundles.len() * 7 / 10;
    store
        .bulk_work_orders(bundles[..split].iter().cloned(), 1_000, &actor, at, |_| {})
        .unwrap();
    let s = Settings::default();
    let end = p.as_of + Duration::days(1);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let periods = [
        Period::new(end - Duration::days(365), end).unwrap(),
        Period::new(d(2024, 2, 10), d(2024, 3, 27)).unwrap(),
        Period::new(d(2025, 6, 3), d(2025, 6, 20)).unwrap(),
    ];

    // A corrective with labor is cancelled, and labor is added to another
    // work order, each as a user action.
    let cancel = bundles[..split]
        .iter()
        .rposition(|b| {
            b.work_order.status.is_done() && !b.labor.is_empty() && !b.downtime.is_empty()
        })
        .unwrap();
    let add_to = bundles[..split]
        .iter()
        .rposition(|b| {
            b.work_order.status.is_done()
                && !b.labor.is_empty()
                && !b.downtime.is_empty()
                && b.work_order.asset_id != bundles[cancel].work_order.asset_id
        })
        .unwrap();
    let extra = Labor {
        id: LaborId::new(1, [7; 10]),
        work_order_id: bundles[add_to].work_order.id,
        technician_id: bundles[add_to].labor[0].technician_id,
        minutes: 95,
        performed_on: bundles[add_to].labor[0].performed_on,
        note: String::new(),
    };
    let before = bundles[cancel].work_order.clone();
    let mut after = before.clone();
    after.status = WorkOrderStatus::Cancelled;
    // The reports' catalog is read once until the database changes.
    let cached = store.analytics_catalog().unwrap();
    assert!(std::sync::Arc::ptr_eq(
        &cached,
        &store.analytics_catalog().unwrap()
    ));
    let profiled = store.analytics_profiles(p.as_of, &s).unwrap();
    assert!(std::sync::Arc::ptr_eq(
        &profiled,
        &store.analytics_profiles(p.as_of, &s).unwrap()
    ));
    // Another day is profiled anew.
    let tomorrow = store
        .analytics_profiles(p.as_of + Duration::days(400), &s)
        .unwrap();
    assert_ne!(
        tomorrow.iter().map(|x| x.age_years).collect::<Vec<_>>(),
        profiled.iter().map(|x| x.age_years).collect::<Vec<_>>()
    );
    // So are the inventory rows the facts start from: an asset that moves
    // to another department is grouped there at once.
    let year = periods[0];
    assert_eq!(
        store.asset_facts(year, &s).unwrap(),
        store.reader().asset_facts(year, &s).unwrap()
    );
    let asset = data
        .assets
        .iter()
        .find(|a| a.status.is_active())
        .unwrap()
        .clone();
    let renamed = biomend_domain::asset::Asset {
        notes: "moved to the loan pool".into(),
        department_id: data
            .departments
            .iter()
            .find(|d| d.id != asset.department_id)
            .unwrap()
            .id,
        ..asset.clone()
    };
    *data.assets.iter_mut().find(|a| a.id == asset.id).unwrap() = renamed.clone();
    store
        .write(&actor, at, |tx| {
            tx.update_work_order(&before, &after)?;
            tx.insert_labor(&extra)?;
            tx.update_asset(&asset, &renamed)
        })
        .unwrap();
    let fresh = store.analytics_catalog().unwrap();
    assert!(!std::sync::Arc::ptr_eq(&cached, &fresh));
    assert_eq!(
        fresh
            .assets
            .iter()
            .find(|a| a.id == asset.id)
            .unwrap()
            .notes,
        "moved to the loan pool"
    );
    let reprofiled = store.analytics_profiles(p.as_of, &s).unwrap();
    assert_eq!(
        *reprofiled,
        profiles(&fresh.catalog(), p.as_of, &s),
        "profiles follow the changed catalog"
    );
    assert_eq!(
        reprofiled
            .iter()
            .find(|x| x.key.asset_id == asset.id)
            .unwrap()
            .key
            .department_id,
        renamed.department_id
    );
    let moved = store.asset_facts(year, &s).unwrap();
    assert_eq!(moved, store.reader().asset_facts(year, &s).unwrap());
    assert_eq!(
        moved
            .iter()
            .find(|f| f.key.asset_id == asset.id)
            .unwrap()
            .key
            .department_id,
        renamed.department_id
    );
    bundles[cancel].work_order = after;
    bundles[add_to].labor.push(extra);

    // A first (empty) pull sets the cursor, so the next one is an
    // incremental run, which re-sums only what it touches.
    store
        .pull_run(at, PullMode::Incremental, |run| run.apply_page(&[], 1))
        .unwrap();
    // The rest of the history arrives by pull, with a user row (whose
    // rate never travels: the device's stays).
    let mut rows = vec![PulledRow::Upsert(Replicated::User(
        biomend_domain::user::User {
            loaded_rate_cents: None,
            ..data.users[0].clone()
        },
    ))];
    for b in &bundles[split..] {
        rows.push(PulledRow::Upsert(Replicated::WorkOrder(
            b.work_order.clone(),
        )));
        rows.extend(
            b.downtime
                .iter()
                .cloned()
                .map(|x| PulledRow::Upsert(Replicated::Downtime(x))),
        );
        rows.extend(
            b.labor
                .iter()
                .cloned()
                .map(|x| PulledRow::Upsert(Replicated::Labor(x))),
        );
        rows.extend(
            b.parts
                .iter()
                .cloned()
                .map(|x| PulledRow::Upsert(Replicated::PartUse(x))),
        );
        rows.extend(
            b.attempts
                .iter()
                .cloned()
                .map(|x| PulledRow::Upsert(Replicated::PmAttempt(x))),
        );
        rows.extend(
            b.vendor_charges
                .iter()
                .cloned()
                .map(|x| PulledRow::Upsert(Replicated::VendorCharge(x))),
        );
    }
    store
        .pull_run(at, PullMode::Incremental, |run| run.apply_page(&rows, 2))
        .unwrap();
    store.bulk_load_recall_assets(&data, &actor, at).unwrap();

    let r = store.reader();
    for (period, rows) in periods.iter().zip(built(&data, &bundles, &periods, &s)) {
        assert_same(*period, r.asset_facts(*period, &s).unwrap(), rows);
    }
    let kept = store.analytics_rollup_rows().unwrap();
    store.rebuild_analytics_rollup().unwrap();
    assert_eq!(store.analytics_rollup_rows().unwrap(), kept);
}
