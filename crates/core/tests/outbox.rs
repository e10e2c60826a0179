//! Every changing use case queues exactly one sync mutation describing
//! what it wrote, in its own transaction, on a small generated hospital.

use biomend_core::App;
use biomend_core::env::Clock;
use biomend_core::workflow::{Completion, HoldReason, LaborInput, PartInput, WorkRecord};
use biomend_domain::Money;
use biomend_domain::pm::PmSchedule;
use biomend_domain::work_order::*;
use biomend_protocol::*;

mod common;
use common::*;

fn pending(app: &App) -> Vec<MutationEnvelope> {
    biomend_core::outbox::pending(app, 1000).expect("pending")
}

fn decoded(env: &MutationEnvelope) -> Mutation {
    env.mutation()
        .unwrap_or_else(|e| panic!("seq {}: {e}", env.seq))
}

fn open_corrective(app: &mut App, tag: &str) -> WorkOrder {
    biomend_core::corrective::run(
        app,
        &biomend_core::corrective::NewCorrective {
            username: TECH.into(),
            tag: tag.into(),
            problem: "Occlusion alarm with no line attached".into(),
            reported_by: "RN Alvarez, ICU".into(),
            priority: Priority::Urgent,
            assign_to: None,
            device_down: true,
        },
    )
    .expect("new work order")
}

fn labor(minutes: u32) -> LaborInput {
    LaborInput {
        minutes,
        note: "bench".into(),
    }
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
fn bulk_demo_load_queues_nothing() {
    let f = fixture();
    assert_eq!(
        biomend_core::outbox::pending_count(&f.app).expect("count"),
        0
    );
}

#[test]
fn a_corrective_life_cycle_queues_what_it_wrote_in_order() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let tech = f.app.user(TECH).expect("tech");
    let sup = f.app.user(SUPER).expect("super");
    let opened_at = f.app.now();
    let wo = open_corrective(&mut f.app, &tag);
    f.clock.advance(chrono::Duration::minutes(5));
    let started_at = f.app.now();
    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");
    biomend_core::workflow::hold(&mut f.app, TECH, &wo.number, HoldReason::Parts).expect("hold");
    f.clock.advance(chrono::Duration::hours(2));
    biomend_core::workflow::resume(&mut f.app, TECH, &wo.number).expect("resume");
    biomend_core::workflow::record(
        &mut f.app,
        TECH,
        &wo.number,
        &WorkRecord {
            labor: vec![labor(30)],
            parts: vec![PartInput {
                part_number: "BAT-TEST".into(),
                description: "Battery pack".into(),
                quantity: 2,
                unit_cost: Some(Money(4_550)),
            }],
            note: Some("Waiting on battery".into()),
            ..Default::default()
        },
    )
    .expect("record");
    // Recording nothing changes nothing, and queues nothing.
    biomend_core::workflow::record(&mut f.app, TECH, &wo.number, &WorkRecord::default())
        .expect("empty record");
    f.clock.advance(chrono::Duration::minutes(30));
    let completed_at = f.app.now();
    biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(
            ClosureCode::DeviceFailure(FailureArea::Battery),
            WorkRecord {
                labor: vec![labor(20), labor(15)],
                ..Default::default()
            },
        ),
    )
    .expect("complete");
    biomend_core::sign_off::run(&mut f.app, SUPER, &wo.number).expect("sign off");

    let out = pending(&f.app);
    let names: Vec<String> = out
        .iter()
        .map(|e| format!("{}@{}", e.name, e.version))
        .collect();
    assert_eq!(
        names,
        [
            "create_work_order@1",
            "set_work_order_status@1",
            "set_work_order_status@1",
            "set_work_order_status@1",
            "record_work@1",
            "complete_work_order@1",
            "sign_off_work_order@1",
        ]
    );
    for w in out.windows(2) {
        assert!(w[0].seq < w[1].seq, "seq {} then {}", w[0].seq, w[1].seq);
        assert!(w[0].hlc < w[1].hlc, "hlc {} then {}", w[0].hlc, w[1].hlc);
    }
    let node = out[0].hlc.node;
    assert!(
        out.iter().all(|e| e.hlc.node == node),
        "one device, one node"
    );
    assert_eq!(out[0].hlc.millis, opened_at.timestamp_millis() as u64);

    let r = f.app.store().reader();
    let bundle = r.work_order_bundle(wo.id).expect("bundle").expect("exists");
    let asset_id = wo.asset_id.0;

    // Opened with the device down.
    let Mutation::CreateWorkOrder(c) = decoded(&out[0]) else {
        panic!("not a create")
    };
    assert_eq!(WorkOrder::try_from(c.work_order).expect("wire"), wo);
    let down = c.downtime.expect("downtime");
    assert_eq!(down.id, bundle.downtime[0].id.0);
    assert_eq!(
        Downtime::try_from(down).expect("wire"),
        Downtime {
            ended_at: None,
            ..bundle.downtime[0].clone()
        }
    );
    assert_eq!(
        c.asset_status,
        Some(AssetStatusChange {
            asset_id,
            status: FieldChange::codes("in_service", "out_of_service"),
        })
    );

    // Start takes unassigned work; hold and resume move only the status.
    assert_eq!(
        decoded(&out[1]),
        Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
            work_order_id: wo.id.0,
            status: FieldChange::codes("open", "in_progress"),
            started_at: Some(started_at),
            assigned_to: Some(FieldChange::new(None, Some(tech.id.0))),
        })
    );
    for (env, from, to) in [
        (&out[2], "in_progress", "on_hold_parts"),
        (&out[3], "on_hold_parts", "in_progress"),
    ] {
        assert_eq!(
            decoded(env),
            Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
                work_order_id: wo.id.0,
                status: FieldChange::codes(from, to),
                started_at: None,
                assigned_to: None,
            })
        );
    }

    // Recorded work carries the very rows the store holds.
    let Mutation::RecordWork(rec) = decoded(&out[4]) else {
        panic!("not record_work")
    };
    assert_eq!(rec.work_order_id, wo.id.0);
    assert_eq!(rec.labor.len(), 1);
    let parts: Vec<PartUse> = rec
        .parts
        .into_iter()
        .map(|p| PartUse::try_from(p).expect("wire"))
        .collect();
    assert_eq!(parts, bundle.parts);
    assert_eq!(parts[0].unit_cost, Money(4_550));
    let notes: Vec<WorkNote> = rec
        .notes
        .into_iter()
        .map(|n| WorkNote::try_from(n).expect("wire"))
        .collect();
    assert_eq!(notes, bundle.notes);

    // Completion: its own labor, the signature, downtime ended, back in service.
    let Mutation::CompleteWorkOrder(done) = decoded(&out[5]) else {
        panic!("not complete_work_order")
    };
    assert_eq!(done.work_order_id, wo.id.0);
    assert_eq!(done.status, FieldChange::codes("in_progress", "completed"));
    assert_eq!(done.closure, "failure:battery");
    assert_eq!(done.findings, bundle.work_order.findings);
    assert_eq!(done.completed_at, completed_at);
    assert_eq!(done.assigned_to, None, "already taken at start");
    assert_eq!(done.work.work_order_id, wo.id.0);
    assert_eq!(done.work.labor.len(), 2);
    let mut labor: Vec<Labor> = rec
        .labor
        .into_iter()
        .chain(done.work.labor)
        .map(|l| Labor::try_from(l).expect("wire"))
        .collect();
    labor.sort_by_key(|l| (l.performed_on, l.id));
    assert_eq!(labor, bundle.labor, "every labor row, with its id");
    assert_eq!(
        Signature::try_from(done.signature).expect("wire"),
        bundle.signature.clone().expect("signature")
    );
    assert_eq!(
        done.downtime_ended,
        Some(DowntimeEnd {
            downtime_id: bundle.downtime[0].id.0,
            ended_at: completed_at,
        })
    );
    assert_eq!(bundle.downtime[0].ended_at, Some(completed_at));
    assert_eq!(
        done.asset_status,
        Some(AssetStatusChange {
            asset_id,
            status: FieldChange::codes("out_of_service", "in_service"),
        })
    );
    assert_eq!(done.pm_schedule, None);

    assert_eq!(
        decoded(&out[6]),
        Mutation::SignOffWorkOrder(SignOffWorkOrder {
            work_order_id: wo.id.0,
            status: FieldChange::codes("completed", "signed_off"),
            signed_off_by: sup.id.0,
            signed_off_at: bundle.work_order.signed_off_at.expect("signed off"),
        })
    );
    // The final work order is what the mutations add up to.
    assert_eq!(bundle.work_order.status, WorkOrderStatus::SignedOff);
    assert_eq!(bundle.work_order.assigned_to, Some(tech.id));
    assert_eq!(bundle.work_order.started_at, Some(started_at));
}

#[test]
fn a_refused_action_queues_nothing() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let wo = open_corrective(&mut f.app, &tag);
    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");
    let before = pending(&f.app);
    assert_eq!(before.len(), 2);
    let unsigned = Completion {
        signature: None,
        ..signed(
            ClosureCode::DeviceFailure(FailureArea::Mechanical),
            WorkRecord {
                labor: vec![labor(30)],
                ..Default::default()
            },
        )
    };
    let err =
        biomend_core::workflow::complete(&mut f.app, TECH, &wo.number, &unsigned).unwrap_err();
    assert_eq!(err.code(), "rule_violation");
    // Illegal moves and forbidden users are refused the same way.
    assert!(biomend_core::sign_off::run(&mut f.app, SUPER, &wo.number).is_err());
    assert!(biomend_core::sign_off::run(&mut f.app, TECH, &wo.number).is_err());
    assert_eq!(pending(&f.app), before);
    let r = f.app.store().reader();
    assert_eq!(
        r.sync_value(biomend_core::outbox::SYNC_LAST_HLC)
            .expect("hlc")
            .expect("set"),
        before[1].hlc.to_string(),
        "a refused action does not advance the clock either"
    );
}

#[test]
fn the_hlc_never_goes_backwards_when_the_device_clock_does() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let wo = open_corrective(&mut f.app, &tag);
    let first = pending(&f.app)[0].hlc;
    // The tablet's clock is set back a day.
    f.clock.advance(chrono::Duration::days(-1));
    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");
    biomend_core::workflow::hold(&mut f.app, TECH, &wo.number, HoldReason::Vendor).expect("hold");
    let out = pending(&f.app);
    assert_eq!(out.len(), 3);
    assert!(first < out[1].hlc && out[1].hlc < out[2].hlc, "{out:#?}");
    assert_eq!(
        out[1].hlc.millis, first.millis,
        "held at the latest time seen"
    );
    assert_eq!(
        (out[1].hlc.counter, out[2].hlc.counter),
        (first.counter + 1, first.counter + 2)
    );
    // The record itself keeps the device's time; only the order is fixed.
    let Mutation::SetWorkOrderStatus(s) = decoded(&out[1]) else {
        panic!("not a status change")
    };
    assert_eq!(s.started_at, Some(f.clock.now()));
    // When the clock catches up, wall time leads again.
    f.clock.advance(chrono::Duration::days(2));
    biomend_core::workflow::resume(&mut f.app, TECH, &wo.number).expect("resume");
    let last = pending(&f.app)[3].hlc;
    assert_eq!(
        (last.millis, last.counter),
        (f.clock.now().timestamp_millis() as u64, 0)
    );
}

#[test]
fn pm_open_attempt_and_completion_queue_their_mutations() {
    let mut f = fixture();
    let due = due_pm_without_work(&f.app);
    let open = biomend_core::pm::OpenPm {
        username: TECH.into(),
        tag: due.due.asset.tag.clone(),
        plan_id: Some(due.due.plan_id),
    };
    let wo = biomend_core::pm::open(&mut f.app, &open).expect("open PM");
    // Opening it again writes nothing, so queues nothing.
    biomend_core::pm::open(&mut f.app, &open).expect("reopen");
    let a = biomend_core::pm::attempt(
        &mut f.app,
        TECH,
        &wo.number,
        AttemptOutcome::NotLocated,
        "not in the room",
    )
    .expect("attempt");
    biomend_core::workflow::start(&mut f.app, TECH, &wo.number).expect("start");
    let before: PmSchedule = f
        .app
        .store()
        .reader()
        .pm_schedules(wo.asset_id)
        .expect("schedules")
        .into_iter()
        .find(|v| v.plan.id == due.due.plan_id)
        .expect("schedule")
        .schedule;
    biomend_core::workflow::complete(
        &mut f.app,
        TECH,
        &wo.number,
        &signed(
            ClosureCode::PreventiveOnly,
            WorkRecord {
                labor: vec![labor(40)],
                ..Default::default()
            },
        ),
    )
    .expect("complete PM");

    let out = pending(&f.app);
    let names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "create_work_order",
            "record_pm_attempt",
            "set_work_order_status",
            "complete_work_order",
        ]
    );
    let Mutation::CreateWorkOrder(c) = decoded(&out[0]) else {
        panic!("not a create")
    };
    assert_eq!(WorkOrder::try_from(c.work_order).expect("wire"), wo);
    assert_eq!((c.downtime, c.asset_status), (None, None));
    assert_eq!(
        decoded(&out[1]),
        Mutation::RecordPmAttempt(RecordPmAttempt {
            attempt: (&a).into()
        })
    );
    let Mutation::CompleteWorkOrder(done) = decoded(&out[3]) else {
        panic!("not complete_work_order")
    };
    let after: PmSchedule = f
        .app
        .store()
        .reader()
        .pm_schedules(wo.asset_id)
        .expect("schedules")
        .into_iter()
        .find(|v| v.plan.id == due.due.plan_id)
        .expect("schedule")
        .schedule;
    assert_ne!(before, after);
    assert_eq!(
        done.pm_schedule,
        Some(FieldChange::new((&before).into(), (&after).into()))
    );
    assert_eq!(done.closure, "preventive");
}
