//! The managers' dashboards through the desktop service, on a real demo
//! hospital database file: the figures, the work orders behind them, who
//! may see them, the survey report written to files, and the hospital's
//! settings the figures are judged with.
//!
//! The hospital is generated into the tablet's database by the core's demo
//! use case (the sync protocol does not carry training events, contracts
//! or recalls, which the reports read). Users are enrolled on it through
//! the core's sign-in with a login answer given in-process, so each signs
//! in to the service against the stored verifier, as a tablet does
//! offline; the server is out of scope here (see `service.rs`).

use biomend_analytics::Value;
use biomend_core::App;
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::sync::LoginInput;
use biomend_demo::{
    DemoParams, FAILING_PUMP_MAKER, PUMP_TYPE_CODE, TRAINING_DEPARTMENT, TRAINING_TYPE_CODE,
};
use biomend_desktop::{Config, Desktop};
use biomend_domain::Money;
use biomend_domain::work_order::{WorkOrderKind, WorkOrderStatus};
use biomend_ipc as ipc;
use biomend_protocol::{LoginResponse, UserV1};
use biomend_store::Store;
use chrono::{Duration, NaiveDate};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

const PASSWORD: &str = "demo";
const MANAGER: &str = "demo.manager";
/// Nothing listens here: the sync worker finds the server offline.
const NOWHERE: &str = "http://127.0.0.1:9";

fn params() -> DemoParams {
    DemoParams::scaled(300, 3_000)
}

/// The demo hospital's whole history, as the window names days (both
/// counted), up to the day before the demo's "today".
fn whole_history() -> ipc::Days {
    let p = params();
    ipc::Days {
        from: Some(p.history_start()),
        to: Some(p.as_of - Duration::days(1)),
    }
}

/// The demo database, generated once and copied per test.
fn template() -> &'static PathBuf {
    static T: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.sqlite");
        let p = params();
        let clock = Arc::new(FixedClock::new(
            p.as_of.and_hms_opt(14, 0, 0).unwrap().and_utc(),
        ));
        let mut app = App::new(Store::open(&path).unwrap(), clock, IdGen::seeded(7));
        biomend_core::demo::create(&mut app, &p, |_| {}).unwrap();
        drop(app);
        Store::open(&path).unwrap().optimize().unwrap();
        (dir, path)
    })
    .1
}

struct Tablet {
    dir: tempfile::TempDir,
    db: PathBuf,
    desktop: Desktop,
}

/// A copy of the demo database with `user` enrolled, and the service on it.
fn tablet(user: &str) -> Tablet {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tablet.sqlite");
    std::fs::copy(template(), &db).unwrap();
    enrol(&db, user);
    let desktop = Desktop::start(Config {
        db: db.clone(),
        server_url: Some(NOWHERE.into()),
        ca_cert: None,
        device_name: "dashboard tablet".into(),
        sync_interval: std::time::Duration::from_secs(3600),
    })
    .unwrap();
    Tablet { dir, db, desktop }
}

/// Enrols `user` on the tablet as a server's login answer would, so the
/// service signs them in against the stored verifier.
fn enrol(db: &Path, user: &str) {
    let mut app = App::open(db).unwrap();
    let u = app.user(user).unwrap();
    biomend_core::sync::login_with_ca(
        &mut app,
        &LoginInput {
            server_url: NOWHERE.into(),
            username: user.into(),
            password: PASSWORD.into(),
            device_name: "dashboard tablet".into(),
        },
        None,
        |_, _| {
            Ok(LoginResponse {
                device_id: uuid::Uuid::from_u128(1),
                token: "test-token".into(),
                user: UserV1::from(&u),
            })
        },
    )
    .unwrap();
}

fn sign_in(d: &Desktop, user: &str) -> Result<ipc::Session, ipc::IpcError> {
    d.sign_in(&ipc::SignIn {
        server_url: NOWHERE.into(),
        username: user.into(),
        password: PASSWORD.into(),
    })
}

/// What the window decodes: the view through JSON, as it crosses IPC.
fn crosses<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let json = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(&back, v);
}

fn count(m: &ipc::Measure, input: &str) -> u64 {
    match m.input(input) {
        Some(Value::Count(n)) => *n,
        other => panic!("{input} is not a count in {m:?}: {other:?}"),
    }
}

/// Every work order behind a count, page by page.
fn drill_all(
    d: &Desktop,
    scope: ipc::Scope,
    drill: ipc::Drill,
    period: ipc::Period,
) -> (u64, Vec<ipc::WorkOrderSummary>) {
    let mut items = Vec::new();
    loop {
        let page = d
            .drill_down(&ipc::DrillArgs {
                scope,
                drill,
                period,
                offset: items.len() as u32,
                limit: 50,
            })
            .unwrap();
        assert_eq!(page.offset as usize, items.len());
        let n = page.items.len();
        items.extend(page.items);
        if n < 50 {
            return (page.total, items);
        }
    }
}

#[test]
fn a_manager_sees_every_dashboard_and_the_failing_pump_maker_ranks_worst() {
    let t = tablet(MANAGER);
    let d = &t.desktop;
    let s = sign_in(d, MANAGER).unwrap();
    assert!(s.sees_kpis && s.sees_reports, "{s:?}");

    let k = d
        .kpi_report(&ipc::KpiArgs {
            by: ipc::GroupBy::Manufacturer,
            days: whole_history(),
        })
        .unwrap();
    assert!(k.groups.len() >= 3);
    // The window's last day is counted: the half-open period ends the day after.
    assert_eq!(k.period.to, params().as_of);
    assert!(k.groups.iter().all(|g| g.name != "(unknown)"));
    let total: u32 = k.groups.iter().map(|g| g.kpis.assets).sum();
    assert!(total > 200, "{total} assets covered");
    // Each figure explains itself.
    let g = &k.groups[0];
    assert!(g.kpis.uptime.formula.contains("covered hours"));
    assert!(!g.kpis.mtbf_hours.inputs.is_empty());

    let types = d.device_types().unwrap();
    assert!(types.iter().any(|t| t.code == PUMP_TYPE_CODE));
    let card = d
        .scorecard(&ipc::ScorecardArgs {
            device_type: PUMP_TYPE_CODE.into(),
            by: ipc::GroupBy::Manufacturer,
            days: whole_history(),
        })
        .unwrap();
    assert!(card.device_type.starts_with(PUMP_TYPE_CODE));
    assert_eq!(card.names.len(), card.card.rows.len());
    let ranked: Vec<(usize, u32)> = card
        .card
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.rank.map(|k| (i, k)))
        .collect();
    assert!(ranked.len() >= 3, "several makers ranked: {:?}", card.names);
    let worst = ranked.iter().max_by_key(|(_, k)| *k).unwrap().0;
    assert_eq!(card.names[worst], FAILING_PUMP_MAKER);
    assert!(card.card.rows[worst].score.formula.contains("rank"));

    let plan = d
        .capital_plan(&ipc::CapitalArgs {
            yearly_budget: Money(50_000_000),
            years: 3,
            days: ipc::Days::default(),
        })
        .unwrap();
    assert_eq!(plan.plan.years.len(), 3);
    assert!(!plan.top.is_empty());
    assert!(plan.top.iter().all(|p| p.factors.len() == 7));
    assert!(
        plan.plan.years.iter().all(|y| y.spent <= y.budget),
        "a year never spends more than its budget"
    );

    let events = d.training_events().unwrap();
    let planted = events
        .iter()
        .find(|e| {
            e.department == TRAINING_DEPARTMENT && e.device_type.starts_with(TRAINING_TYPE_CODE)
        })
        .expect("the planted training event is listed");
    let effect = d
        .training_effect(&ipc::TrainingArgs {
            id: planted.event.id,
        })
        .unwrap();
    let calls = |w: &ipc::Window| {
        let m = &w.cnd_and_use_error_rate;
        count(m, "could not duplicate") + count(m, "use error") + count(m, "abuse / damage")
    };
    assert!(
        calls(&effect.effect.after) < calls(&effect.effect.before),
        "the calls drop after the training: {} before, {} after",
        calls(&effect.effect.before),
        calls(&effect.effect.after)
    );

    let tag = &plan.top[0].tag;
    let advice = d
        .repair_or_replace(&ipc::ReplaceArgs {
            tag: tag.clone(),
            repair_estimate: Some(Money(250_000)),
            days: ipc::Days::default(),
        })
        .unwrap();
    assert_eq!(&advice.tag, tag);
    assert_eq!(advice.advice.repair_rules.len(), 2);
    assert_eq!(advice.advice.candidate_rules.len(), 4);

    // Every view reaches the window intact (no non-finite number lost).
    crosses(&k);
    crosses(&card);
    crosses(&plan);
    crosses(&events);
    crosses(&effect);
    crosses(&advice);
}

#[test]
fn a_drill_down_lists_exactly_the_work_orders_a_figure_counted() {
    let t = tablet(MANAGER);
    let d = &t.desktop;
    sign_in(d, MANAGER).unwrap();
    let k = d
        .kpi_report(&ipc::KpiArgs {
            by: ipc::GroupBy::Manufacturer,
            days: whole_history(),
        })
        .unwrap();
    let period = k.period;
    let in_period = |w: &ipc::WorkOrderSummary| period.contains_time(w.opened_at);
    let mut checked = 0;
    for g in &k.groups {
        let scope = ipc::Scope::group(g.key);
        let kp = &g.kpis;
        let cases = [
            (
                ipc::Drill::ClosedCorrective,
                count(&kp.cnd_rate, "closed corrective work orders"),
            ),
            (ipc::Drill::Cnd, count(&kp.cnd_rate, "could not duplicate")),
            (
                ipc::Drill::UseError,
                count(&kp.use_error_rate, "use error")
                    + count(&kp.use_error_rate, "abuse / damage"),
            ),
            (ipc::Drill::Failures, count(&kp.mtbf_hours, "failures")),
            (
                ipc::Drill::Repeats,
                count(&kp.repeat_repair_rate, "repeat repairs"),
            ),
        ];
        for (drill, figure) in cases {
            let (total, items) = drill_all(d, scope, drill, period);
            assert_eq!(total, figure, "{} {drill:?}", g.name);
            assert_eq!(items.len() as u64, figure, "{} {drill:?}", g.name);
            let ids: HashSet<_> = items.iter().map(|w| w.id).collect();
            assert_eq!(ids.len(), items.len(), "no work order listed twice");
            for w in &items {
                assert_eq!(w.kind, WorkOrderKind::Corrective);
                assert!(w.status.is_done(), "{w:?}");
                assert!(in_period(w), "{w:?}");
                if drill != ipc::Drill::Repeats && drill != ipc::Drill::ClosedCorrective {
                    assert!(drill.counts_corrective(w.closure), "{drill:?}: {w:?}");
                }
            }
            checked += figure;
        }
        for (risk, pm) in [
            (ipc::PmRisk::HighRisk, &kp.pm_high_risk),
            (ipc::PmRisk::LifeSupport, &kp.pm_life_support),
            (ipc::PmRisk::Other, &kp.pm_other),
        ] {
            let (due, items) = drill_all(d, scope, ipc::Drill::PmDue(risk), period);
            assert_eq!(due, u64::from(pm.counts.due()), "{} {risk:?}", g.name);
            assert_eq!(due, count(&pm.rate, "due"));
            assert!(
                items.iter().all(|w| w.kind == WorkOrderKind::Pm
                    && w.due_on.is_some_and(|day| period.contains(day)))
            );
            let (late, _) = drill_all(d, scope, ipc::Drill::PmNotOnTime(risk), period);
            assert_eq!(late, u64::from(pm.counts.due() - pm.counts.on_time));
            checked += due;
        }
        // Service cost and downtime list work whose records fall inside the period.
        let (_, costed) = drill_all(d, scope, ipc::Drill::ServiceCost, period);
        assert!(
            costed
                .iter()
                .all(|w| w.status != WorkOrderStatus::Cancelled)
        );
    }
    assert!(
        checked > 500,
        "the drill-downs covered {checked} work orders"
    );

    // A scorecard row drills within its device type; the whole fleet's
    // failures split exactly over the manufacturers' lists.
    let all = d
        .kpi_report(&ipc::KpiArgs {
            by: ipc::GroupBy::All,
            days: whole_history(),
        })
        .unwrap();
    let (fleet, _) = drill_all(d, ipc::Scope::default(), ipc::Drill::Failures, period);
    assert_eq!(fleet, count(&all.groups[0].kpis.mtbf_hours, "failures"));
    let card = d
        .scorecard(&ipc::ScorecardArgs {
            device_type: PUMP_TYPE_CODE.into(),
            by: ipc::GroupBy::Manufacturer,
            days: whole_history(),
        })
        .unwrap();
    for row in &card.card.rows {
        let scope = ipc::Scope::within_type(row.group, card.device_type_id);
        let (n, _) = drill_all(d, scope, ipc::Drill::Failures, period);
        assert_eq!(n, count(&row.failures_per_unit_year, "failures"));
    }

    // Pages are bounded.
    let e = d
        .drill_down(&ipc::DrillArgs {
            scope: ipc::Scope::default(),
            drill: ipc::Drill::ClosedCorrective,
            period,
            offset: 0,
            limit: 5_000,
        })
        .unwrap_err();
    assert_eq!(e.code, ipc::codes::INVALID);
}

#[test]
fn a_technician_is_refused_and_a_supervisor_sees_only_kpis() {
    let t = tablet("demo.tech");
    let d = &t.desktop;
    let s = sign_in(d, "demo.tech").unwrap();
    assert!(!s.sees_kpis && !s.sees_reports);
    let forbidden = |r: Result<(), ipc::IpcError>| {
        let e = r.unwrap_err();
        assert_eq!(e.code, ipc::codes::FORBIDDEN, "{e:?}");
    };
    let kpi = ipc::KpiArgs {
        by: ipc::GroupBy::Site,
        days: ipc::Days::default(),
    };
    forbidden(d.kpi_report(&kpi).map(|_| ()));
    forbidden(d.device_types().map(|_| ()));
    forbidden(
        d.scorecard(&ipc::ScorecardArgs {
            device_type: PUMP_TYPE_CODE.into(),
            by: ipc::GroupBy::Manufacturer,
            days: ipc::Days::default(),
        })
        .map(|_| ()),
    );
    forbidden(
        d.capital_plan(&ipc::CapitalArgs {
            yearly_budget: Money(100),
            years: 1,
            days: ipc::Days::default(),
        })
        .map(|_| ()),
    );
    forbidden(d.training_events().map(|_| ()));
    let period = ipc::Period::new(params().history_start(), params().as_of).unwrap();
    forbidden(
        d.drill_down(&ipc::DrillArgs {
            scope: ipc::Scope::default(),
            drill: ipc::Drill::Failures,
            period,
            offset: 0,
            limit: 10,
        })
        .map(|_| ()),
    );
    forbidden(
        d.survey_report(&ipc::SurveyArgs::default(), Some(t.dir.path()))
            .map(|_| ()),
    );

    // The supervisor of the same tablet sees KPIs and the work behind them.
    d.sign_out().unwrap();
    enrol(&t.db, "demo.super");
    let s = sign_in(d, "demo.super").unwrap();
    assert!(s.sees_kpis && !s.sees_reports);
    assert!(!d.kpi_report(&kpi).unwrap().groups.is_empty());
    d.drill_down(&ipc::DrillArgs {
        scope: ipc::Scope::default(),
        drill: ipc::Drill::Failures,
        period,
        offset: 0,
        limit: 10,
    })
    .unwrap();
    forbidden(d.training_events().map(|_| ()));
}

#[test]
fn the_survey_report_is_written_as_pdf_and_html() {
    let t = tablet(MANAGER);
    let d = &t.desktop;
    // Signed out: nothing is written.
    let e = d
        .survey_report(&ipc::SurveyArgs::default(), None)
        .unwrap_err();
    assert_eq!(e.code, ipc::codes::NOT_SIGNED_IN);
    sign_in(d, MANAGER).unwrap();
    let out = t.dir.path().join("Documents").join("Biomend reports");
    let last = params().as_of - Duration::days(1);
    let first = last - Duration::days(364);
    let w = d
        .survey_report(
            &ipc::SurveyArgs {
                days: ipc::Days {
                    from: Some(first),
                    to: Some(last),
                },
                site: None,
            },
            Some(&out),
        )
        .unwrap();
    assert_eq!((w.from, w.to), (first, last));
    assert_eq!(Path::new(&w.folder), out);
    let pdf = std::fs::read(&w.pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF file");
    assert!(w.pages >= 1);
    let html = std::fs::read_to_string(&w.html).unwrap();
    assert!(html.to_ascii_lowercase().contains("<html"));
    assert!(html.contains(&first.to_string()));
    assert!(Path::new(&w.pdf).starts_with(&out) && Path::new(&w.html).starts_with(&out));

    // Without a folder from the shell, beside the database.
    let w = d
        .survey_report(
            &ipc::SurveyArgs {
                days: ipc::Days {
                    from: Some(first),
                    to: Some(last),
                },
                site: None,
            },
            None,
        )
        .unwrap();
    assert!(Path::new(&w.pdf).starts_with(t.db.parent().unwrap()));
    assert!(std::fs::read(&w.pdf).unwrap().starts_with(b"%PDF"));
    // A period that has not begun is refused with its field.
    let e = d
        .survey_report(
            &ipc::SurveyArgs {
                days: ipc::Days {
                    from: Some(NaiveDate::from_ymd_opt(2999, 1, 1).unwrap()),
                    to: Some(NaiveDate::from_ymd_opt(2999, 2, 1).unwrap()),
                },
                site: None,
            },
            None,
        )
        .unwrap_err();
    assert_eq!(e.code, ipc::codes::INVALID);
}

#[test]
fn a_manager_changes_the_settings_the_reports_judge_with() {
    let t = tablet(MANAGER);
    let d = &t.desktop;
    sign_in(d, MANAGER).unwrap();
    let v = d.settings().unwrap();
    crosses(&v);
    assert!(v.can_change);
    let titles: Vec<&str> = v.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "PM completion",
            "Risk",
            "Repeat repairs",
            "Labor",
            "Repair vs replace",
            "Scorecard",
            "Capital plan",
            "Training effect"
        ]
    );
    assert!(v.items().all(|i| i.is_default && i.value == i.default));
    assert_eq!(v.updated_by, None);

    let repeats = || {
        let k = d
            .kpi_report(&ipc::KpiArgs {
                by: ipc::GroupBy::All,
                days: whole_history(),
            })
            .unwrap();
        count(&k.groups[0].kpis.repeat_repair_rate, "repeat repairs")
    };
    let week = repeats();
    let saved = d
        .save_settings(&ipc::SaveSettings {
            changes: [("repeat_repair_days".to_string(), Some("60".to_string()))].into(),
        })
        .unwrap();
    crosses(&saved);
    assert_eq!(saved.changed, ["repeat_repair_days"]);
    let item = saved.settings.item("repeat_repair_days").unwrap();
    assert_eq!((item.value.as_str(), item.is_default), ("60", false));
    assert_eq!(saved.settings.updated_by.as_deref(), Some("Diane Marsh"));
    assert!(repeats() > week, "a longer window counts more repeats");
    assert_eq!(d.status().unwrap().pending, 1, "queued for the server");

    // A refused value names its key and changes nothing.
    let e = d
        .save_settings(&ipc::SaveSettings {
            changes: [
                ("repeat_repair_days".to_string(), None),
                ("capital.cyber_weight".to_string(), Some("-1".to_string())),
            ]
            .into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ipc::codes::INVALID);
    assert!(e.message.starts_with("capital.cyber_weight: "), "{e:?}");
    assert_eq!(
        d.settings()
            .unwrap()
            .item("repeat_repair_days")
            .unwrap()
            .value,
        "60"
    );
    assert_eq!(d.status().unwrap().pending, 1);

    // A supervisor reads them but may not change them; a technician
    // does neither.
    d.sign_out().unwrap();
    enrol(&t.db, "demo.super");
    sign_in(d, "demo.super").unwrap();
    assert!(!d.settings().unwrap().can_change);
    let change = ipc::SaveSettings {
        changes: [("repeat_repair_days".to_string(), None)].into(),
    };
    assert_eq!(
        d.save_settings(&change).unwrap_err().code,
        ipc::codes::FORBIDDEN
    );
    d.sign_out().unwrap();
    enrol(&t.db, "demo.tech");
    sign_in(d, "demo.tech").unwrap();
    assert_eq!(d.settings().unwrap_err().code, ipc::codes::FORBIDDEN);
    assert_eq!(
        d.save_settings(&change).unwrap_err().code,
        ipc::codes::FORBIDDEN
    );
}
