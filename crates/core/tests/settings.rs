//! The hospital's settings: the reports judge with what a manager saved,
//! a refused change leaves nothing behind, and a saved one queues exactly
//! one mutation carrying what each key was before.

mod common;

use biomend_analytics::drill::{Drill, Scope};
use biomend_analytics::kpi::{GroupBy, GroupKey};
use biomend_analytics::settings::{Section, SettingKind};
use biomend_core::CoreError;
use biomend_core::analytics as reports;
use biomend_core::settings;
use biomend_domain::Money;
use biomend_domain::settings::ANALYTICS;
use biomend_protocol::{FieldChange, Mutation, SetHospitalSettings};
use common::*;
use std::collections::BTreeMap;

const MANAGER: &str = "demo.manager";
const ADMIN: &str = "demo.admin";

fn changes(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(String::from)))
        .collect()
}

fn pending(app: &biomend_core::App) -> Vec<Mutation> {
    biomend_core::outbox::pending(app, 1000)
        .expect("pending")
        .iter()
        .map(|e| e.mutation().expect("decodes"))
        .collect()
}

#[test]
fn the_capital_weights_saved_decide_the_plans_scores_and_order() {
    let mut f = fixture();
    let p = reports::period(&f.app, None, None).unwrap();
    let budget = Money(50_000_000);
    let before = reports::capital(&f.app, MANAGER, budget, 3, p).unwrap();

    // Only cyber exposure counts: every score is 100 × its cyber factor.
    let mut only_cyber: Vec<(&str, Option<&str>)> = [
        "capital.risk_weight",
        "capital.age_weight",
        "capital.cosr_weight",
        "capital.support_weight",
        "capital.recall_weight",
        "capital.utilization_weight",
    ]
    .into_iter()
    .map(|k| (k, Some("0")))
    .collect();
    only_cyber.push(("capital.cyber_weight", Some("1")));
    settings::save(&mut f.app, MANAGER, &changes(&only_cyber)).unwrap();

    let after = reports::capital(&f.app, MANAGER, budget, 3, p).unwrap();
    assert!(!after.top.is_empty());
    for pr in &after.top {
        let cyber = pr
            .factor(biomend_analytics::capital::Factor::Cyber)
            .expect("cyber factor");
        assert_eq!(cyber.weight, 1.0);
        assert!(
            (pr.score.value - 100.0 * cyber.value.value).abs() < 1e-9,
            "{}: {} vs cyber {}",
            pr.tag,
            pr.score.value,
            cyber.value.value
        );
        for other in pr.factors.iter().filter(|x| x.factor != cyber.factor) {
            assert_eq!(other.points, 0.0, "{}: {:?}", pr.tag, other.factor);
        }
    }
    // The order follows the new score: highest first.
    assert!(
        after
            .top
            .windows(2)
            .all(|w| w[0].score.value >= w[1].score.value)
    );
    let tags = |r: &reports::CapitalReport| r.top.iter().map(|x| x.tag.clone()).collect::<Vec<_>>();
    assert_ne!(tags(&before), tags(&after), "the ranking changed");
    // The default weights mix every factor: no score there is cyber alone.
    assert!(before.top.iter().any(|pr| {
        let cyber = pr
            .factor(biomend_analytics::capital::Factor::Cyber)
            .unwrap();
        (pr.score.value - 100.0 * cyber.value.value).abs() > 1e-6
    }));
}

#[test]
fn the_repeat_window_saved_decides_what_counts_as_a_repeat() {
    let mut f = fixture();
    let p = reports::period(&f.app, None, None).unwrap();
    let repeats = |app: &biomend_core::App| {
        let drill = reports::drill_down(
            app,
            MANAGER,
            Scope::group(GroupKey::All),
            Drill::Repeats,
            p,
            0,
            1,
        )
        .unwrap();
        let kpi = reports::kpi(app, MANAGER, GroupBy::All, p).unwrap();
        let rate = kpi.groups[0].item.repeat_repair_rate.value.expect("a rate");
        (drill.total, rate)
    };
    let (week, week_rate) = repeats(&f.app);
    settings::save(
        &mut f.app,
        MANAGER,
        &changes(&[("repeat_repair_days", Some("90"))]),
    )
    .unwrap();
    let (quarter, quarter_rate) = repeats(&f.app);
    assert!(week > 0, "the demo hospital has repeat repairs");
    assert!(
        quarter > week,
        "{quarter} repeats in 90 days vs {week} in 7"
    );
    // Same closed corrective work in the denominator: the rates move by
    // the same ratio as the counts.
    assert!(
        (quarter_rate / week_rate - quarter as f64 / week as f64).abs() < 1e-9,
        "{quarter_rate} / {week_rate} vs {quarter} / {week}"
    );
    // Back to the default: the week's count again.
    settings::save(&mut f.app, ADMIN, &changes(&[("repeat_repair_days", None)])).unwrap();
    assert_eq!(repeats(&f.app).0, week);
}

#[test]
fn a_refused_change_writes_and_queues_nothing_and_names_the_key() {
    let mut f = fixture();
    for (bad, key) in [
        (
            changes(&[
                ("repeat_repair_days", Some("14")),
                ("capital.cyber_weight", Some("-1")),
            ]),
            "capital.cyber_weight",
        ),
        (
            changes(&[("capital.cyber_wieght", Some("0.1"))]),
            "capital.cyber_wieght",
        ),
        (
            changes(&[("repeat_repair_days", Some("a week"))]),
            "repeat_repair_days",
        ),
        (
            changes(&[("risk.high_risk_threshold", Some("10"))]),
            "risk.high_risk_threshold",
        ),
        (changes(&[("no.such.key", None)]), "no.such.key"),
    ] {
        let e = settings::save(&mut f.app, MANAGER, &bad).unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{e}");
        assert!(e.to_string().starts_with(key), "{e}");
        assert!(
            f.app
                .store()
                .reader()
                .hospital_settings(ANALYTICS)
                .unwrap()
                .is_none()
        );
        assert!(pending(&f.app).is_empty(), "{key}");
    }
    let e = settings::save(
        &mut f.app,
        MANAGER,
        &changes(&[("repeat_repair_days", Some("a week"))]),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "repeat_repair_days: 'a week' is not a whole number of days"
    );
}

#[test]
fn technicians_may_not_see_or_change_settings_and_supervisors_only_see() {
    let mut f = fixture();
    assert!(matches!(
        settings::view(&f.app, TECH),
        Err(CoreError::Forbidden(_))
    ));
    for who in [TECH, SUPER] {
        let e = settings::save(
            &mut f.app,
            who,
            &changes(&[("repeat_repair_days", Some("14"))]),
        )
        .unwrap_err();
        assert!(matches!(e, CoreError::Forbidden(_)), "{who}: {e}");
    }
    assert!(pending(&f.app).is_empty());
    let v = settings::view(&f.app, SUPER).unwrap();
    assert!(!v.can_change);
    assert!(settings::view(&f.app, MANAGER).unwrap().can_change);
}

#[test]
fn a_save_queues_one_mutation_from_what_was_stored() {
    let mut f = fixture();
    settings::save(
        &mut f.app,
        MANAGER,
        &changes(&[
            ("capital.cyber_weight", Some(" 0.30 ")),
            ("repeat_repair_days", Some("14")),
        ]),
    )
    .unwrap();
    let now = f.app.now();
    let first = pending(&f.app);
    assert_eq!(
        first,
        vec![Mutation::SetHospitalSettings(SetHospitalSettings {
            name: "analytics".into(),
            changes: [
                (
                    "capital.cyber_weight".to_string(),
                    FieldChange::new(None, Some("0.3".to_string()))
                ),
                (
                    "repeat_repair_days".to_string(),
                    FieldChange::new(None, Some("14".to_string()))
                ),
            ]
            .into(),
            updated_at: now,
        })]
    );

    // The second save starts from what the first stored; a key set to the
    // value it has already is no change.
    settings::save(
        &mut f.app,
        ADMIN,
        &changes(&[
            ("capital.cyber_weight", Some("0.4")),
            ("repeat_repair_days", Some("14")),
            ("capital.carry_over", None),
        ]),
    )
    .unwrap();
    let all = pending(&f.app);
    assert_eq!(all.len(), 2);
    let Mutation::SetHospitalSettings(second) = &all[1] else {
        panic!("{:?}", all[1]);
    };
    assert_eq!(
        second.changes,
        [(
            "capital.cyber_weight".to_string(),
            FieldChange::new(Some("0.3".to_string()), Some("0.4".to_string()))
        )]
        .into()
    );

    // Saving what is stored already writes and queues nothing.
    let saved = settings::save(
        &mut f.app,
        ADMIN,
        &changes(&[("capital.cyber_weight", Some("0.40"))]),
    )
    .unwrap();
    assert!(saved.changed.is_empty());
    assert_eq!(pending(&f.app).len(), 2);
}

#[test]
fn the_view_lists_every_setting_with_its_default_and_who_saved() {
    let mut f = fixture();
    let v = settings::view(&f.app, MANAGER).unwrap();
    assert!(v.items.iter().all(|i| i.is_default && i.value == i.default));
    assert_eq!((v.updated_by.as_deref(), v.updated_at), (None, None));
    let saved = settings::save(
        &mut f.app,
        MANAGER,
        &changes(&[
            ("pm_window.fraction", Some("0.2")),
            ("risk.high_risk_threshold", Some("18")),
            // Already its default and not set: no change.
            ("capital.risk_weight", None),
        ]),
    )
    .unwrap();
    assert_eq!(
        saved.changed,
        vec!["pm_window.fraction", "risk.high_risk_threshold"]
    );
    let v = saved.settings;
    let item = |key: &str| v.items.iter().find(|i| i.key == key).unwrap().clone();
    let w = item("pm_window.fraction");
    assert_eq!(w.section, Section::PmCompletion);
    assert_eq!(w.kind, SettingKind::Fraction);
    assert_eq!((w.value.as_str(), w.default.as_str()), ("0.2", "0.1"));
    assert!(!w.is_default);
    let untouched = item("capital.risk_weight");
    assert!(untouched.is_default);
    assert_eq!(untouched.value, "0.2");
    assert_eq!(v.updated_by.as_deref(), Some("Diane Marsh"));
    assert_eq!(v.updated_at, Some(f.app.now()));
    // The technicians' screens judge with the same settings.
    let policies = f.app.policies().unwrap();
    assert_eq!(policies.pm_window.fraction, 0.2);
    assert_eq!(policies.risk.high_risk_threshold, 18);
}
