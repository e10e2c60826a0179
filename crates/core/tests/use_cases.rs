//! The use cases on a small generated hospital in a real database file,
//! with a fixed clock and seeded ids.

use biomend_core::env::{Clock, FixedClock, IdGen};
use biomend_core::workflow::{
    Completion, HoldReason, LaborInput, PartInput, ReadingInput, WorkRecord,
};
use biomend_core::{App, CoreError};
use biomend_domain::Money;
use biomend_domain::RuleError;
use biomend_domain::asset::AssetStatus;
use biomend_domain::checklist::{Answer, ItemKind, Verdict};
use biomend_domain::work_order::*;
use biomend_store::Store;
use chrono::{TimeZone, Utc};
use std::sync::Arc;

mod common;
use common::*;

fn count(app: &App, table: &str) -> u64 {
    app.store().reader().count(table).expect("count")
}

#[test]
fn find_by_scanned_tag_and_search() {
    let f = fixture();
    let tag = some_asset(&f.app);
    let found =
        biomend_core::find_asset::run(&f.app, &format!("{tag}\r\n")).expect("scanner input");
    assert_eq!(found.tag, tag);
    let err = biomend_core::find_asset::run(&f.app, "NO-SUCH-TAG").unwrap_err();
    assert_eq!(err.code(), "not_found");
    let by_maker = biomend_core::search::run(
        &f.app,
        &biomend_core::search::SearchInput {
            text: found.manufacturer.clone(),
            limit: 50,
        },
    )
    .expect("search");
    assert!(!by_maker.is_empty());
    assert!(by_maker.iter().all(|a| {
        a.manufacturer.to_lowercase().contains(
            &found
                .manufacturer
                .to_lowercase()
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
        ) || a
            .model
            .to_lowercase()
            .contains(&found.manufacturer.to_lowercase())
    }));
    let long = "x".repeat(300);
    assert_eq!(
        biomend_core::search::run(
            &f.app,
            &biomend_core::search::SearchInput {
                text: long,
                limit: 5
            }
        )
        .unwrap_err()
        .code(),
        "invalid_input"
    );
}

#[test]
fn my_day_lists_assigned_work_and_due_pms_in_order() {
    let f = fixture();
    let day = biomend_core::my_day::run(
        &f.app,
        &biomend_core::my_day::MyDayInput {
            username: TECH.into(),
            horizon_days: 30,
            max_pms: 500,
        },
    )
    .expect("my day");
    assert!(
        !day.assigned.is_empty() || !day.pms_due.is_empty(),
        "the demo gives the demo technician a day's work"
    );
    assert!(day.assigned.iter().all(|w| w.status.is_open()));
    let ranks: Vec<u8> = day.assigned.iter().map(|w| w.priority.rank()).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "most urgent first: {ranks:?}"
    );
    let dues: Vec<_> = day.pms_due.iter().map(|p| p.due.next_due).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        day.pms_due
            .iter()
            .all(|p| p.due.next_due <= day.today + chrono::Duration::days(30))
    );
    assert!(
        day.pms_due
            .iter()
            .all(|p| p.overdue == (day.today > p.window_end))
    );
}

fn new_corrective(app: &mut App, tag: &str, down: bool) -> WorkOrder {
    biomend_core::corrective::run(
        app,
        &biomend_core::corrective::NewCorrective {
            username: TECH.into(),
            tag: tag.into(),
            problem: "Occlusion alarm with no line attached".into(),
            reported_by: "RN Alvarez, ICU".into(),
            priority: Priority::Urgent,
            assign_to: Some(TECH.into()),
            device_down: down,
        },
    )
    .expect("new work order")
}

fn signed(closure: ClosureCode, record: WorkRecord) -> Completion {
    Completion {
        findings: "Replaced worn part; tested to spec".into(),
        closure,
        record,
        signature: Some("M10 10 L20 20".into()),
    }
}

#[test]
fn corrective_life_cycle_with_rules_enforced_and_nothing_half_written() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let wo = new_corrective(&mut f.app, &tag, true);
    assert_eq!(wo.status, WorkOrderStatus::Open);
    let page = biomend_core::asset_page::run(&f.app, &tag).expect("page");
    assert_eq!(
        page.detail.asset.status,
        AssetStatus::OutOfService,
        "device down takes it out of service"
    );
    assert!(
        f.app
            .store()
            .reader()
            .open_downtime(page.detail.asset.id)
            .expect("downtime")
            .is_some()
    );

    // Completing open (not started) work is an illegal move.
    let labor_before = count(&f.app, "labor");
    let audit_before = count(&f.app, "audit_log");
    let rec = WorkRecord {
        labor: vec![LaborInput {
            minutes: 30,
            note: String::new(),
        }],
        ..Default::default()
    };
    let err = biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(
            ClosureCode::DeviceFailure(FailureArea::Mechanical),
            rec.clone(),
        ),
    )
    .unwrap_err();
    assert!(
        matches!(err, CoreError::Rule(RuleError::IllegalTransition { .. })),
        "{err}"
    );
    assert_eq!(
        count(&f.app, "labor"),
        labor_before,
        "a refused completion writes nothing"
    );
    assert_eq!(count(&f.app, "audit_log"), audit_before);

    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");
    let held = biomend_core::workflow::hold(&mut f.app, TECH, &wo.number, HoldReason::Parts)
        .expect("hold");
    assert_eq!(held.status, WorkOrderStatus::OnHoldParts);
    biomend_core::workflow::resume(&mut f.app, TECH, &wo.number).expect("resume");

    // No signature: refused, nothing written.
    let unsigned = Completion {
        signature: None,
        ..signed(
            ClosureCode::DeviceFailure(FailureArea::Mechanical),
            rec.clone(),
        )
    };
    let err =
        biomend_core::workflow::complete(&mut f.app, TECH, &wo.number, &unsigned).unwrap_err();
    assert!(
        matches!(err, CoreError::Rule(RuleError::MissingSignature)),
        "{err}"
    );
    assert_eq!(count(&f.app, "labor"), labor_before);
    // Preventive-only does not close a repair.
    let err = biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(ClosureCode::PreventiveOnly, rec.clone()),
    )
    .unwrap_err();
    assert!(
        matches!(err, CoreError::Rule(RuleError::ClosureCodeNotAllowed(_))),
        "{err}"
    );
    // A part that is not stocked needs a cost; refused before any write.
    let bad_part = WorkRecord {
        parts: vec![PartInput {
            part_number: "NOT-STOCKED".into(),
            description: "x".into(),
            quantity: 1,
            unit_cost: None,
        }],
        ..rec.clone()
    };
    assert_eq!(
        biomend_core::workflow::complete(
            &mut f.app,
            TECH,
            &wo.number,
            &signed(ClosureCode::UseError, bad_part)
        )
        .unwrap_err()
        .code(),
        "invalid_input"
    );
    assert_eq!(count(&f.app, "labor"), labor_before);

    f.clock.advance(chrono::Duration::minutes(50));
    let full = WorkRecord {
        labor: vec![
            LaborInput {
                minutes: 35,
                note: "diagnosis".into(),
            },
            LaborInput {
                minutes: 10,
                note: "test".into(),
            },
        ],
        parts: vec![PartInput {
            part_number: "LOCAL-1".into(),
            description: "Door latch".into(),
            quantity: 2,
            unit_cost: Some(Money(1_250)),
        }],
        readings: vec![],
        note: Some("Latch spring broken".into()),
    };
    let done = biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(ClosureCode::DeviceFailure(FailureArea::Mechanical), full),
    )
    .expect("complete");
    assert_eq!(done.status, WorkOrderStatus::Completed);
    assert_eq!(
        done.closure,
        Some(ClosureCode::DeviceFailure(FailureArea::Mechanical))
    );
    let b = f
        .app
        .store()
        .reader()
        .work_order_bundle(wo.id)
        .expect("read")
        .expect("exists");
    assert_eq!(b.labor.iter().map(|l| l.minutes).sum::<u32>(), 45);
    assert_eq!(b.parts[0].total(), Money(2_500));
    assert_eq!(b.notes.len(), 1);
    assert!(b.signature.is_some());
    assert_eq!(b.downtime.len(), 1);
    assert!(
        b.downtime[0].ended_at.is_some(),
        "completion ends the downtime"
    );
    let page = biomend_core::asset_page::run(&f.app, &tag).expect("page");
    assert_eq!(page.detail.asset.status, AssetStatus::InService);
    assert_eq!(page.history[0].number, wo.number, "newest work first");
    let audit = f
        .app
        .store()
        .reader()
        .audit_for(wo.id.as_uuid())
        .expect("audit");
    assert!(
        audit.len() >= 5,
        "create, start, hold, resume, complete: {}",
        audit.len()
    );
    assert!(audit.iter().all(|a| a.actor == TECH));

    // Sticky: a completed work order cannot be restarted.
    assert!(biomend_core::workflow::start(&mut f.app, TECH, &wo.number).is_err());
    // Technicians cannot sign off; supervisors can, once.
    assert_eq!(
        biomend_core::sign_off::run(&mut f.app, TECH, &wo.number)
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let queue = biomend_core::sign_off::queue(&f.app, SUPER, 10_000).expect("queue");
    assert!(queue.iter().any(|w| w.number == wo.number));
    let off = biomend_core::sign_off::run(&mut f.app, SUPER, &wo.number).expect("sign off");
    assert_eq!(off.status, WorkOrderStatus::SignedOff);
    assert!(biomend_core::sign_off::run(&mut f.app, SUPER, &wo.number).is_err());
}

#[test]
fn pm_attempts_readings_and_schedule_moves_on_completion() {
    let mut f = fixture();
    let due = due_pm_without_work(&f.app);
    let tag = due.due.asset.tag.clone();
    let wo = biomend_core::pm::open(
        &mut f.app,
        &biomend_core::pm::OpenPm {
            username: TECH.into(),
            tag: tag.clone(),
            plan_id: Some(due.due.plan_id),
        },
    )
    .expect("open PM");
    assert_eq!(wo.kind, WorkOrderKind::Pm);
    let again = biomend_core::pm::open(
        &mut f.app,
        &biomend_core::pm::OpenPm {
            username: TECH.into(),
            tag: tag.clone(),
            plan_id: Some(due.due.plan_id),
        },
    )
    .expect("reopen");
    assert_eq!(again.id, wo.id, "opening twice returns the same PM");

    let a = biomend_core::pm::attempt(
        &mut f.app,
        TECH,
        &wo.number,
        AttemptOutcome::InUse,
        "patient on pump",
    )
    .expect("attempt");
    assert_eq!(a.outcome, AttemptOutcome::InUse);
    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");

    // Answer every checklist item; a measurement just outside its limit fails.
    let r = f.app.store().reader();
    let plan = r.pm_plan(due.due.plan_id).expect("plan").expect("exists");
    let items = plan
        .checklist_id
        .and_then(|c| r.checklist(c).expect("checklist"))
        .map(|c| c.items)
        .unwrap_or_default();
    let edition = r
        .safety_editions()
        .expect("editions")
        .into_iter()
        .max()
        .and_then(|n| r.safety_edition(&n).expect("edition"));
    let mut readings = Vec::new();
    let mut expect_fail = None;
    for it in &items {
        let answer = match &it.kind {
            ItemKind::PassFail => Answer::Verdict(Verdict::Pass),
            ItemKind::Measurement { limit, .. } => match (limit.min, limit.max) {
                (_, Some(max)) if expect_fail.is_none() => {
                    expect_fail = Some(it.key.clone());
                    Answer::Value(max + 1.0)
                }
                (Some(min), _) => Answer::Value(min),
                (None, Some(max)) => Answer::Value(max),
                (None, None) => Answer::Value(0.0),
            },
            // The newest edition on file is in force; a test it sets no
            // limit for is not applicable.
            ItemKind::Safety { test } => match edition.as_ref().and_then(|e| e.limit_for(*test)) {
                Some(_) => Answer::Value(0.0),
                None => Answer::Verdict(Verdict::NotApplicable),
            },
        };
        readings.push(ReadingInput {
            item_key: it.key.clone(),
            answer,
        });
    }
    let logged = biomend_core::workflow::record(
        &mut f.app,
        TECH,
        &wo.number,
        &WorkRecord {
            readings,
            ..Default::default()
        },
    )
    .expect("readings");
    assert_eq!(logged.len(), items.len());
    for l in &logged {
        let expected = if Some(&l.item_key) == expect_fail.as_ref() {
            Verdict::Fail
        } else if l.value.is_none()
            && items
                .iter()
                .any(|i| i.key == l.item_key && matches!(i.kind, ItemKind::Safety { .. }))
        {
            Verdict::NotApplicable
        } else {
            Verdict::Pass
        };
        assert_eq!(l.verdict, expected, "{}", l.item_key);
    }
    let nan = WorkRecord {
        readings: vec![ReadingInput {
            item_key: items[0].key.clone(),
            answer: Answer::Value(f64::NAN),
        }],
        ..Default::default()
    };
    assert_eq!(
        biomend_core::workflow::record(&mut f.app, TECH, &wo.number, &nan)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let bogus = WorkRecord {
        readings: vec![ReadingInput {
            item_key: "no_such_item".into(),
            answer: Answer::Value(1.0),
        }],
        ..Default::default()
    };
    assert_eq!(
        biomend_core::workflow::record(&mut f.app, TECH, &wo.number, &bogus)
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    let done = biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(
            ClosureCode::PreventiveOnly,
            WorkRecord {
                labor: vec![LaborInput {
                    minutes: 40,
                    note: String::new(),
                }],
                ..Default::default()
            },
        ),
    )
    .expect("complete PM");
    assert_eq!(done.status, WorkOrderStatus::Completed);
    let sched = f
        .app
        .store()
        .reader()
        .pm_schedules(due.due.asset.id)
        .expect("schedules")
        .into_iter()
        .find(|v| v.plan.id == due.due.plan_id)
        .expect("schedule");
    let today = f.clock.now().date_naive();
    assert_eq!(sched.schedule.last_done, Some(today));
    assert_eq!(
        sched.schedule.next_due,
        plan.next_due(due.due.next_due, today)
    );
    assert!(sched.schedule.next_due > due.due.next_due);
}

#[test]
fn roles_are_enforced() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let err = biomend_core::corrective::run(
        &mut f.app,
        &biomend_core::corrective::NewCorrective {
            username: "demo.itsec".into(),
            tag,
            problem: "x".into(),
            reported_by: String::new(),
            priority: Priority::Routine,
            assign_to: None,
            device_down: false,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let err = biomend_core::import::assets(
        &mut f.app,
        TECH,
        std::path::Path::new("/nonexistent.csv"),
        &Default::default(),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.code(),
        "forbidden",
        "technicians do not import inventory"
    );
}

#[test]
fn a_new_database_gets_its_site_administrator_and_safety_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
    ));
    let mut app = App::new(
        Store::open(&dir.path().join("new.sqlite")).expect("open"),
        clock,
        IdGen::seeded(1),
    );
    let init = biomend_core::setup::Init {
        site_code: "main".into(),
        site_name: "Main Hospital".into(),
        admin_username: "admin".into(),
        admin_name: "Pat Admin".into(),
    };
    let admin = biomend_core::setup::init(&mut app, &init).expect("init");
    assert_eq!(admin.role, biomend_domain::user::Role::Admin);
    assert_eq!(
        biomend_core::setup::init(&mut app, &init)
            .unwrap_err()
            .code(),
        "invalid_input",
        "set-up runs once"
    );
    let r = app.store().reader();
    assert_eq!(r.sites().expect("sites")[0].code, "MAIN");
    let in_force: Option<String> = r
        .setting(biomend_core::SETTING_SAFETY_EDITION)
        .expect("setting");
    let e = r
        .safety_edition(&in_force.expect("an edition in force"))
        .expect("read")
        .expect("seeded");
    let open = e
        .limit_for(biomend_domain::checklist::SafetyTest::TouchCurrentGroundOpen)
        .expect("limit");
    assert_eq!(open.limit.check(500.0), Verdict::Pass);
    assert_eq!(open.limit.check(500.5), Verdict::Fail);
    let bad = biomend_core::setup::NewUser {
        username: "bad name!".into(),
        display_name: "x".into(),
        role: biomend_domain::user::Role::Technician,
        sites: vec![],
    };
    assert_eq!(
        biomend_core::setup::add_user(&mut app, "admin", &bad)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let tech = biomend_core::setup::NewUser {
        username: "tech1".into(),
        display_name: "Tech One".into(),
        role: biomend_domain::user::Role::Technician,
        sites: vec!["MAIN".into()],
    };
    let t = biomend_core::setup::add_user(&mut app, "admin", &tech).expect("add");
    assert_eq!(t.sites, admin.sites);
    assert_eq!(
        biomend_core::setup::add_user(&mut app, "tech1", &tech)
            .unwrap_err()
            .code(),
        "forbidden"
    );
}

#[test]
fn a_reimport_updates_tags_already_there_and_says_what_changed() {
    let mut f = fixture();
    let taken = some_asset(&f.app);
    let id = f
        .app
        .store()
        .reader()
        .asset_id_by_tag(&taken)
        .expect("read")
        .expect("asset");
    let before = f
        .app
        .store()
        .reader()
        .asset(id)
        .expect("read")
        .expect("asset");
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("two.csv");
    std::fs::write(
        &csv,
        format!(
            "Asset Tag,Mfr,Model,Dept,Serial #\r\n{},Acme,Widget 1,Intensive Care Unit,\r\nNEW-0001,Acme,Widget 1,Intensive Care Unit,SN-1\r\n",
            taken.to_lowercase()
        ),
    )
    .expect("write csv");
    let assets = count(&f.app, "assets");
    let pending = f.app.store().reader().pending_count().expect("count");
    let out =
        biomend_core::import::assets(&mut f.app, "demo.admin", &csv, &Default::default(), false)
            .expect("import");
    assert!(out.committed, "{:?}", out.problems);
    assert_eq!((out.created, out.updated, out.unchanged), (1, 1, 0));
    assert_eq!(out.changes.len(), 1);
    assert_eq!(out.changes[0].line, 2);
    assert!(
        out.changes[0].fields.contains(&"model"),
        "{:?}",
        out.changes
    );
    assert_eq!(
        count(&f.app, "assets"),
        assets + 1,
        "the tag is not duplicated"
    );
    let after = f
        .app
        .store()
        .reader()
        .asset(id)
        .expect("read")
        .expect("asset");
    assert_ne!(
        after.model_id, before.model_id,
        "the model follows the file"
    );
    assert_eq!(
        after.serial, before.serial,
        "a blank cell keeps the stored serial"
    );
    assert_eq!(after.notes, before.notes);
    // The import is queued for the server in the same transaction.
    let queued = f
        .app
        .store()
        .reader()
        .pending_mutations(100_000)
        .expect("outbox");
    assert_eq!(
        f.app.store().reader().pending_count().expect("count"),
        pending + 1
    );
    let m = queued.last().expect("queued");
    assert_eq!(m.name, "import_assets");
    let payload = m.payload_value().expect("payload");
    assert_eq!(payload["assets"].as_array().expect("assets").len(), 2);
    assert_eq!(payload["part"], 1);
    assert_eq!(payload["parts"], 1);
    // Importing the same file again changes nothing and queues nothing.
    let out =
        biomend_core::import::assets(&mut f.app, "demo.admin", &csv, &Default::default(), false)
            .expect("import");
    assert_eq!((out.created, out.updated, out.unchanged), (0, 0, 2));
    assert_eq!(
        f.app.store().reader().pending_count().expect("count"),
        pending + 1
    );
    let hits = biomend_core::search::run(
        &f.app,
        &biomend_core::search::SearchInput {
            text: "acme widget".into(),
            limit: 10,
        },
    )
    .expect("search");
    assert_eq!(
        hits.len(),
        2,
        "imported and updated assets are searchable at once"
    );
}

#[test]
fn an_import_naming_an_unknown_site_imports_nothing_and_says_where() {
    let mut f = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("site.csv");
    std::fs::write(
        &csv,
        "Asset Tag,Mfr,Model,Dept,Site\r\nNEW-0201,Acme,Widget 1,ICU,Nowhere General\r\n",
    )
    .expect("write csv");
    let assets = count(&f.app, "assets");
    let out =
        biomend_core::import::assets(&mut f.app, "demo.admin", &csv, &Default::default(), false)
            .expect("import");
    assert!(!out.committed);
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    let p = &out.problems[0];
    assert_eq!(p.line, 2);
    assert_eq!(p.column.as_deref(), Some("Site"));
    assert_eq!(p.value.as_deref(), Some("Nowhere General"));
    assert!(
        p.reason.contains("not a site of this hospital"),
        "{}",
        p.reason
    );
    assert_eq!(count(&f.app, "assets"), assets);
}

#[test]
fn an_import_is_audited_by_one_row_naming_its_file_and_every_asset() {
    let mut f = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("three.csv");
    std::fs::write(
        &csv,
        "Asset Tag,Mfr,Model,Dept,IP Address\r\n\
         NEW-0101,Acme,Widget 1,Intensive Care Unit,10.0.0.1\r\n\
         NEW-0102,Acme,Widget 1,Intensive Care Unit,\r\n\
         NEW-0103,Acme,Widget 2,Intensive Care Unit,\r\n",
    )
    .expect("write csv");
    let audit_before = count(&f.app, "audit_log");
    let out =
        biomend_core::import::assets(&mut f.app, "demo.admin", &csv, &Default::default(), false)
            .expect("import");
    assert!(out.committed, "{:?}", out.problems);
    assert_eq!(out.imported, 3);
    let r = f.app.store().reader();
    let audit = r
        .audit_for(out.import_id.expect("an import id"))
        .expect("audit");
    assert_eq!(audit.len(), 1);
    let row = &audit[0];
    assert_eq!(
        (row.actor.as_str(), row.action.as_str()),
        ("demo.admin", "import")
    );
    let after = row.after.as_ref().expect("after");
    assert_eq!(after["file"], csv.display().to_string());
    assert_eq!(after["rows_read"], 3);
    assert_eq!(after["imported"], 3);
    let ids: Vec<String> = ["NEW-0101", "NEW-0102", "NEW-0103"]
        .iter()
        .map(|t| {
            r.asset_by_tag(t)
                .expect("read")
                .expect("imported")
                .id
                .to_string()
        })
        .collect();
    assert_eq!(
        after["assets"],
        serde_json::json!(ids),
        "each asset traces to its import"
    );
    assert_eq!(after["network_profiles"], 1);
    // Records the import created on the way (the manufacturer, its models)
    // keep their own audit rows; the assets are audited by the import's.
    let new_rows = count(&f.app, "audit_log") - audit_before;
    assert!((2..=6).contains(&new_rows), "{new_rows} audit rows");
}
