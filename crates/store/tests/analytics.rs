//! The analytics queries give, row for row, the facts the analytics crate's
//! `FactsBuilder` computes from the same hospital's work-order bundles:
//! the builder defines what each field means, so agreement proves the SQL.

use biomend_analytics::facts::{AssetFacts, Catalog, MultiFactsBuilder};
use biomend_analytics::training::training_windows;
use biomend_analytics::{Period, Settings};
use biomend_demo::{DemoParams, generate, history};
use biomend_store::{Actor, Store};
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
    let (before, after) = training_windows(event, s.training_window_days).unwrap();
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

    // The catalog read back is the one loaded.
    let cat = r.analytics_catalog().unwrap();
    assert_eq!(cat.assets.len(), data.assets.len());
    assert_eq!(cat.network_profiles.len(), data.network_profiles.len());
    assert_eq!(cat.usage_windows.len(), data.usage_windows.len());
    assert_eq!(cat.training_events.len(), data.training_events.len());
    assert_eq!(cat.recall_assets.len(), data.recall_assets.len());
    assert_eq!(cat.contracts.len(), data.contracts.len());
}
