//! The analytics find the patterns planted in the demo hospital: the
//! failing pump maker ranks worst in its device type's scorecard, the
//! trained unit's CND and use-error calls drop after its training event,
//! and the unsupported-OS devices and the end-of-support model rank high
//! in the capital plan.

use biomend_analytics::capital::{Factor, capital_plan, capital_plan_ranked, priorities, rank};
use biomend_analytics::facts::{AssetFacts, Catalog, MultiFactsBuilder};
use biomend_analytics::kpi::{GroupBy, GroupKey, kpi_report};
use biomend_analytics::profile::profiles;
use biomend_analytics::replace::replacement_candidates;
use biomend_analytics::scorecard::{ScoreMeasure, scorecard};
use biomend_analytics::training::{training_effect, training_windows};
use biomend_analytics::{Period, Settings};
use biomend_demo::{DemoParams, Planted, generate, history, planted};
use biomend_domain::Money;
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::AssetId;
use chrono::Duration;
use std::collections::HashSet;
use std::sync::OnceLock;

struct Demo {
    p: DemoParams,
    data: Dataset,
    planted: Planted,
    /// The whole history, the training event's two windows, and the last
    /// year before `as_of`.
    periods: [Period; 4],
    rows: Vec<Vec<AssetFacts>>,
}

const WHOLE: usize = 0;
const BEFORE: usize = 1;
const AFTER: usize = 2;
const LAST_YEAR: usize = 3;

/// The shipped small hospital, its history streamed once through the
/// fact builders for every period the tests need.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let p = DemoParams::small();
        let data = generate(&p);
        let planted = planted(&p, &data);
        let event = data
            .training_events
            .iter()
            .find(|t| t.id == planted.training_event)
            .expect("planted event");
        let s = Settings::default();
        let (before, after) =
            training_windows(event, s.training_window_days, p.as_of + Duration::days(1)).unwrap();
        let end = p.as_of + Duration::days(1);
        let periods = [
            Period::new(p.history_start(), end).unwrap(),
            before,
            after,
            Period::new(end - Duration::days(365), end).unwrap(),
        ];
        let mut b = MultiFactsBuilder::new(&Catalog::of(&data), &periods, &s);
        history(&p, &data, |bundle| b.add(&bundle));
        let rows = b.finish();
        Demo {
            p,
            data,
            planted,
            periods,
            rows,
        }
    })
}

#[test]
fn failing_pump_maker_ranks_worst_in_its_scorecard() {
    let d = demo();
    let card = scorecard(
        &d.rows[WHOLE],
        d.planted.pump_device_type,
        GroupBy::Manufacturer,
        d.periods[WHOLE],
        &Settings::default(),
    )
    .unwrap();
    let name = |k: &GroupKey| match k {
        GroupKey::Manufacturer(id) => d
            .data
            .manufacturers
            .iter()
            .find(|m| m.id == *id)
            .map_or("?".to_string(), |m| m.name.clone()),
        _ => "?".into(),
    };
    for r in &card.rows {
        println!(
            "{:<24} units {:>4} unit-years {:>7.1} failures/unit-year {:.3} COSR {:.4} MTTR {:.1} h uptime {:.5} CND {:.3} score {:?} rank {:?}",
            name(&r.group),
            r.units,
            r.unit_years,
            r.failures_per_unit_year.value.unwrap_or(f64::NAN),
            r.cosr.value.unwrap_or(f64::NAN),
            r.mttr_hours.value.unwrap_or(f64::NAN),
            r.uptime.value.unwrap_or(f64::NAN),
            r.cnd_rate.value.unwrap_or(f64::NAN),
            r.score.value,
            r.rank
        );
    }
    let ranked: Vec<_> = card.rows.iter().filter(|r| r.rank.is_some()).collect();
    assert!(ranked.len() >= 3, "several pump makers to compare");
    let worst = ranked.last().unwrap();
    assert_eq!(
        worst.group,
        GroupKey::Manufacturer(d.planted.failing_pump_manufacturer),
        "the planted maker ranks last overall"
    );
    let on_failures = worst.rank_on(ScoreMeasure::FailuresPerUnitYear).unwrap();
    assert_eq!(
        on_failures.rank, on_failures.of,
        "and last on failures per unit-year"
    );
    // The planted factor is 3.5× before age effects; the measure sees well
    // over twice the others' average.
    let others: Vec<f64> = ranked[..ranked.len() - 1]
        .iter()
        .map(|r| r.failures_per_unit_year.value.unwrap())
        .collect();
    let mean = others.iter().sum::<f64>() / others.len() as f64;
    assert!(worst.failures_per_unit_year.value.unwrap() >= 2.5 * mean);
}

#[test]
fn trained_unit_shows_the_drop() {
    let d = demo();
    let event = d
        .data
        .training_events
        .iter()
        .find(|t| t.id == d.planted.training_event)
        .unwrap();
    let e = training_effect(
        event,
        (d.periods[BEFORE], &d.rows[BEFORE]),
        (d.periods[AFTER], &d.rows[AFTER]),
    );
    let calls = |w: &biomend_analytics::training::Window| {
        w.cnd_and_use_error_rate
            .inputs
            .iter()
            .take(3)
            .map(|i| match i.value {
                biomend_analytics::Value::Count(n) => n,
                _ => 0,
            })
            .sum::<u64>()
    };
    println!(
        "before: {} calls of {} closed ({:?}); after: {} of {} ({:?}); uptime {:?} → {:?}",
        calls(&e.before),
        e.before.closed_corrective,
        e.before.cnd_and_use_error_rate.value,
        calls(&e.after),
        e.after.closed_corrective,
        e.after.cnd_and_use_error_rate.value,
        e.before.uptime.value,
        e.after.uptime.value,
    );
    assert_eq!(
        (e.department, e.device_type),
        (
            d.planted.training_department,
            d.planted.training_device_type
        )
    );
    // Units bought during the windows join the after window, so the two
    // may differ in size; rates and per-unit-year figures allow for that.
    assert!(e.before.assets > 0 && e.after.assets >= e.before.assets);
    assert!(
        calls(&e.before) >= 15,
        "enough calls before to be a pattern"
    );
    assert!(calls(&e.before) >= 3 * calls(&e.after).max(1));
    let (b, a) = (
        e.before.cnd_and_use_error_rate.value.unwrap(),
        e.after.cnd_and_use_error_rate.value.unwrap_or(0.0),
    );
    assert!(
        b >= 2.0 * a,
        "the share of such calls halves at least: {b} → {a}"
    );
    assert!(e.cnd_and_use_error_rate_change.value.unwrap() < 0.0);
    let (pb, pa) = (
        e.before.cnd_and_use_error_per_unit_year.value.unwrap(),
        e.after.cnd_and_use_error_per_unit_year.value.unwrap(),
    );
    assert!(pb >= 3.0 * pa, "calls per unit-year drop: {pb} → {pa}");
}

#[test]
fn unsupported_os_and_end_of_support_rank_high_in_the_capital_plan() {
    let d = demo();
    let s = Settings::default();
    let ps = profiles(&Catalog::of(&d.data), d.p.as_of, &s);
    let ranked = priorities(&ps, &d.rows[LAST_YEAR], d.p.as_of, &s).unwrap();
    let n = ranked.len();
    let unsupported: HashSet<AssetId> = d.planted.unsupported_os_assets.iter().copied().collect();
    let eos: HashSet<AssetId> = d
        .data
        .assets
        .iter()
        .filter(|a| a.model_id == d.planted.end_of_support_model && a.status.is_active())
        .map(|a| a.id)
        .collect();
    let positions = |set: &HashSet<AssetId>| -> Vec<usize> {
        ranked
            .iter()
            .enumerate()
            .filter(|(_, p)| set.contains(&p.asset_id))
            .map(|(i, _)| i)
            .collect()
    };
    let median = |v: &[usize]| v[v.len() / 2];
    let (u, e) = (positions(&unsupported), positions(&eos));
    println!(
        "{n} assets; unsupported OS: {} ranked, median position {}, worst {}; end-of-support model: {} ranked, median {}, worst {}",
        u.len(),
        median(&u),
        u.last().unwrap(),
        e.len(),
        median(&e),
        e.last().unwrap()
    );
    for p in ranked.iter().take(5) {
        println!("{} {:.1}", p.tag, p.score.value);
    }
    assert!(u.len() >= 10 && !e.is_empty());
    // Every unsupported-OS unit is in the top tenth, and half are in the
    // top twentieth.
    assert!(
        *u.last().unwrap() < n / 10,
        "unsupported OS within the top 10%"
    );
    assert!(median(&u) < n / 20);
    assert!(
        *e.last().unwrap() < n / 5,
        "end-of-support model within the top 20%"
    );
    assert!(median(&e) < n / 20);
    // The support factor is what lifts them, and it says so.
    let top = ranked
        .iter()
        .find(|p| unsupported.contains(&p.asset_id))
        .unwrap();
    assert_eq!(top.factor(Factor::Support).unwrap().value.value, 1.0);

    // The lean ranking gives the same scores in the same order, and the
    // same plan, as the explained priorities.
    let lean = rank(&ps, &d.rows[LAST_YEAR], d.p.as_of, &s).unwrap();
    assert_eq!(lean.len(), n);
    for (l, p) in lean.iter().zip(&ranked) {
        assert_eq!(
            (l.profile.key.asset_id, l.score),
            (p.asset_id, p.score.value)
        );
    }
    assert_eq!(lean[0].priority(d.p.as_of, &s.capital), ranked[0]);

    // A budget for about a tenth of those units a year, over three years:
    // the planted devices are funded first.
    let plan = capital_plan(&ranked, Money(50_000_000), 3, &s).unwrap();
    assert_eq!(
        capital_plan_ranked(&lean, Money(50_000_000), 3, &s).unwrap(),
        plan
    );
    let funded: Vec<AssetId> = plan
        .years
        .iter()
        .flat_map(|y| y.items.iter().map(|i| i.asset_id))
        .collect();
    let planted_funded = funded
        .iter()
        .filter(|a| unsupported.contains(a) || eos.contains(a))
        .count();
    println!(
        "plan: {} funded over 3 years, {} of them planted; spent {:?}",
        funded.len(),
        planted_funded,
        plan.years.iter().map(|y| y.spent).collect::<Vec<_>>()
    );
    assert!(
        planted_funded * 2 >= funded.len(),
        "most of the funded devices are the planted ones"
    );
    for y in &plan.years {
        assert!(y.spent <= y.budget);
    }
}

#[test]
fn the_end_of_support_model_is_a_replacement_candidate() {
    let d = demo();
    let s = Settings::default();
    let ps = profiles(&Catalog::of(&d.data), d.p.as_of, &s);
    let list = replacement_candidates(&ps, &d.rows[LAST_YEAR], d.p.as_of, &s);
    let eos: HashSet<AssetId> = d
        .data
        .assets
        .iter()
        .filter(|a| a.model_id == d.planted.end_of_support_model)
        .map(|a| a.id)
        .collect();
    let hits = list.iter().filter(|c| eos.contains(&c.asset_id)).count();
    println!(
        "{} candidates, {hits} of the end-of-support model",
        list.len()
    );
    assert!(hits > 0);
}

#[test]
fn kpis_cover_every_asset_once_per_grouping() {
    let d = demo();
    let s = Settings::default();
    let rows = &d.rows[LAST_YEAR];
    let period = d.periods[LAST_YEAR];
    for by in [
        GroupBy::Site,
        GroupBy::Department,
        GroupBy::DeviceType,
        GroupBy::Model,
        GroupBy::Manufacturer,
    ] {
        let r = kpi_report(rows, by, period, &s);
        let assets: u32 = r.iter().map(|g| g.kpis.assets).sum();
        assert_eq!(assets as usize, rows.len(), "{by:?}");
    }
    let all = &kpi_report(rows, GroupBy::All, period, &s)[0].kpis;
    println!(
        "last year: uptime {:?}, PM high-risk {:?} (with attempts {:?}), other {:?}, CND {:?}, use error {:?}, repeats {:?}, COSR {:?} spread {:?}",
        all.uptime.value,
        all.pm_high_risk.rate.value,
        all.pm_high_risk.with_attempts_rate.value,
        all.pm_other.rate.value,
        all.cnd_rate.value,
        all.use_error_rate.value,
        all.repeat_repair_rate.value,
        all.cosr.value,
        all.cosr_spread
    );
    // Plausible ranges for a working hospital, not exact values.
    let up = all.uptime.value.unwrap();
    assert!(up > 0.95 && up < 1.0);
    let pm = all.pm_high_risk.rate.value.unwrap();
    assert!(pm > 0.5 && pm <= 1.0);
    assert!(all.pm_high_risk.counts.attempted_in_use + all.pm_other.counts.attempted_in_use > 0);
    let cosr = all.cosr.value.unwrap();
    assert!(cosr > 0.01 && cosr < 0.30, "COSR {cosr}");
}
