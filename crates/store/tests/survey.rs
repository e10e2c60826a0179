//! The survey report's rows on a small generated hospital: what the SQL
//! reads equals what the generated records hold, counted here in plain
//! Rust, and a site's rows add up to the whole.

use biomend_analytics::Period;
use biomend_analytics::survey::SurveyInputs;
use biomend_demo::{DemoParams, generate, history};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::work_order::{WorkOrderKind, WorkOrderStatus};
use biomend_store::{Actor, Store};
use chrono::{Duration, TimeZone, Utc};
use std::collections::HashMap;

#[test]
fn survey_rows_match_the_generated_records() {
    let p = DemoParams {
        assets: 400,
        work_orders: 6_000,
        ..DemoParams::small()
    };
    let data = generate(&p);
    let mut store = Store::open_in_memory().unwrap();
    let actor = Actor::system("test");
    let at = Utc.with_ymd_and_hms(2026, 3, 17, 0, 0, 0).unwrap();
    store.bulk_load(&data, &actor, at).unwrap();
    let mut bundles: Vec<WorkOrderBundle> = Vec::new();
    history(&p, &data, |b| bundles.push(b));
    store
        .bulk_work_orders(bundles.iter().cloned(), 2_000, &actor, at, |_| {})
        .unwrap();
    store.bulk_load_recall_assets(&data, &actor, at).unwrap();

    let end = p.as_of + Duration::days(1);
    let period = Period::new(end - Duration::days(365), end).unwrap();
    let r = store.reader();
    let all = r.survey_inputs(period, None).unwrap();

    // Inventory: every active asset once.
    let active = data.assets.iter().filter(|a| a.status.is_active()).count() as u64;
    assert_eq!(all.inventory.iter().map(|c| c.assets).sum::<u64>(), active);

    // PMs due in the period, not cancelled, with their completions and
    // attempts.
    let live = |b: &&WorkOrderBundle| b.work_order.status != WorkOrderStatus::Cancelled;
    let due: HashMap<&str, &WorkOrderBundle> = bundles
        .iter()
        .filter(live)
        .filter(|b| {
            b.work_order.kind == WorkOrderKind::Pm
                && b.work_order.due_on.is_some_and(|d| period.contains(d))
        })
        .map(|b| (b.work_order.number.as_str(), b))
        .collect();
    assert!(due.len() > 50, "only {} PMs due", due.len());
    assert_eq!(all.pms.len(), due.len());
    let mut with_attempts = 0;
    for pm in &all.pms {
        let b = due[pm.number.as_str()];
        let w = &b.work_order;
        assert_eq!(Some(pm.due_on), w.due_on);
        let done = w
            .completed_at
            .filter(|_| w.status.is_done())
            .map(|t| t.date_naive());
        assert_eq!(pm.completed_on, done, "{}", pm.number);
        let mut attempts: Vec<_> = b
            .attempts
            .iter()
            .map(|a| (a.attempted_at.date_naive(), a.outcome))
            .collect();
        attempts.sort();
        assert_eq!(pm.attempts, attempts, "{}", pm.number);
        assert_eq!(pm.interval_days.is_some(), w.pm_plan_id.is_some());
        if !attempts.is_empty() {
            with_attempts += 1;
        }
    }
    assert!(
        with_attempts > 0,
        "no PM with an attempt: the test proves less"
    );

    // Corrective work orders opened in the period, by closure.
    let mut expected: HashMap<Option<String>, u64> = HashMap::new();
    for b in bundles.iter().filter(live).filter(|b| {
        b.work_order.kind == WorkOrderKind::Corrective
            && period.contains_time(b.work_order.opened_at)
    }) {
        let w = &b.work_order;
        let closure = w.closure.filter(|_| w.status.is_done()).map(|c| c.code());
        *expected.entry(closure).or_default() += 1;
    }
    let mut got: HashMap<Option<String>, u64> = HashMap::new();
    for c in &all.correctives {
        assert!(period.contains(c.month) || c.month < period.from);
        *got.entry(c.closure.map(|x| x.code())).or_default() += c.count;
    }
    assert_eq!(got, expected);
    assert!(expected.contains_key(&Some("cnd".to_string())));

    // Recalls on record during the period, with every matched asset.
    let listed: Vec<_> = data
        .recalls
        .iter()
        .filter(|x| x.received_on < period.to && x.closed_on.is_none_or(|c| c >= period.from))
        .collect();
    assert_eq!(all.recalls.len(), listed.len());
    for x in &listed {
        let row = all.recalls.iter().find(|r| r.number == x.number).unwrap();
        let matched = data
            .recall_assets
            .iter()
            .filter(|a| a.recall_id == x.id)
            .count() as u64;
        assert_eq!(
            row.pending + row.not_affected + row.remediated + row.removed_from_service,
            matched
        );
    }

    // Each site's rows add up to the whole.
    let mut sum = SurveyInputs::default();
    for site in &data.sites {
        let s = r.survey_inputs(period, Some(site.id)).unwrap();
        sum.inventory.extend(s.inventory);
        sum.pms.extend(s.pms);
        sum.correctives.extend(s.correctives);
        for rc in s.recalls {
            match sum.recalls.iter_mut().find(|x| x.number == rc.number) {
                Some(x) => {
                    x.pending += rc.pending;
                    x.not_affected += rc.not_affected;
                    x.remediated += rc.remediated;
                    x.removed_from_service += rc.removed_from_service;
                }
                None => sum.recalls.push(rc),
            }
        }
    }
    assert!(data.sites.len() > 1, "one site proves no scoping");
    let total = |i: &SurveyInputs| {
        (
            i.inventory.iter().map(|c| c.assets).sum::<u64>(),
            i.pms.len(),
            i.correctives.iter().map(|c| c.count).sum::<u64>(),
        )
    };
    assert_eq!(total(&sum), total(&all));
    sum.recalls.sort_by(|a, b| {
        b.received_on
            .cmp(&a.received_on)
            .then_with(|| a.number.cmp(&b.number))
    });
    assert_eq!(sum.recalls, all.recalls);
}
