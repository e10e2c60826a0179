//! The wire format: records convert to and from domain types without loss,
//! every mutation decodes to what was encoded, and one payload is pinned
//! byte for byte so the format cannot change by accident.

use biomend_domain::Money;
use biomend_domain::checklist::{Limit, Reading, Verdict};
use biomend_domain::ids::*;
use biomend_domain::pm::PmSchedule;
use biomend_domain::work_order::*;
use biomend_protocol::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    // Readable fixed UUIDv7-shaped ids: the test number in the last digits.
    Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_0000 | n)
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

const WO: u128 = 1;
const TECH: u128 = 2;
const ASSET: u128 = 3;
const SUPER: u128 = 4;
const PLAN: u128 = 5;

fn work_order() -> WorkOrder {
    WorkOrder {
        reported_by: "RN Patel, 4 West".into(),
        assigned_to: Some(UserId(id(TECH))),
        due_on: Some(day(10)),
        pm_plan_id: Some(PmPlanId(id(PLAN))),
        recall_id: Some(RecallId(id(6))),
        started_at: Some(at(15, 5)),
        findings: "Battery swollen".into(),
        closure: Some(ClosureCode::DeviceFailure(FailureArea::Battery)),
        completed_at: Some(at(16, 0)),
        signed_off_by: Some(UserId(id(SUPER))),
        signed_off_at: Some(at(17, 0)),
        ..WorkOrder::opened(
            WorkOrderId(id(WO)),
            "WO-26-000042".into(),
            AssetId(id(ASSET)),
            WorkOrderKind::Corrective,
            Priority::Urgent,
            "Alarms occlusion with no line attached".into(),
            at(15, 0),
            UserId(id(TECH)),
        )
    }
}

fn labor() -> Labor {
    Labor {
        id: LaborId(id(10)),
        work_order_id: WorkOrderId(id(WO)),
        technician_id: UserId(id(TECH)),
        minutes: 45,
        performed_on: day(2),
        note: "Bench test".into(),
    }
}

fn part_use() -> PartUse {
    PartUse {
        id: PartUseId(id(11)),
        work_order_id: WorkOrderId(id(WO)),
        part_id: Some(PartId(id(12))),
        part_number: "BAT-100".into(),
        description: "Battery pack".into(),
        quantity: 2,
        unit_cost: Money(4_550),
        recorded_by: UserId(id(TECH)),
        recorded_at: at(15, 30),
    }
}

fn reading() -> Reading {
    Reading {
        id: ReadingId(id(13)),
        work_order_id: WorkOrderId(id(WO)),
        item_key: "touch_open".into(),
        prompt: "Touch current, ground open".into(),
        value: Some(0.1 + 0.2),
        unit: Some("µA".into()),
        limit: Some(Limit::at_most(500.0)),
        verdict: Verdict::Pass,
        taken_by: UserId(id(TECH)),
        taken_at: at(15, 40),
    }
}

fn note() -> WorkNote {
    WorkNote {
        id: NoteId(id(14)),
        work_order_id: WorkOrderId(id(WO)),
        author_id: UserId(id(TECH)),
        written_at: at(15, 45),
        text: "Swapped battery; \"OK\" on self-test".into(),
    }
}

fn signature() -> Signature {
    Signature {
        id: SignatureId(id(15)),
        work_order_id: WorkOrderId(id(WO)),
        signer_id: UserId(id(TECH)),
        signer_name: "Dana Tech".into(),
        signed_at: at(16, 0),
        strokes: "M0 0 L10 10".into(),
    }
}

fn attempt() -> PmAttempt {
    PmAttempt {
        id: PmAttemptId(id(16)),
        work_order_id: WorkOrderId(id(WO)),
        technician_id: UserId(id(TECH)),
        attempted_at: at(9, 0),
        outcome: AttemptOutcome::InUse,
        note: "On a patient".into(),
    }
}

fn downtime() -> Downtime {
    Downtime {
        id: DowntimeId(id(17)),
        asset_id: AssetId(id(ASSET)),
        work_order_id: Some(WorkOrderId(id(WO))),
        started_at: at(15, 0),
        ended_at: None,
        partial_factor: 0.5,
    }
}

fn schedule(next: u32, last: Option<u32>) -> PmSchedule {
    PmSchedule {
        asset_id: AssetId(id(ASSET)),
        plan_id: PmPlanId(id(PLAN)),
        next_due: day(next),
        last_done: last.map(day),
    }
}

#[test]
fn records_round_trip_through_their_wire_form() {
    fn round<D, W>(d: D)
    where
        D: Clone + PartialEq + std::fmt::Debug + TryFrom<W, Error = ProtocolError>,
        W: for<'a> From<&'a D> + serde::Serialize + serde::de::DeserializeOwned,
    {
        let wire = W::from(&d);
        let json = serde_json::to_string(&wire).unwrap();
        let back: W = serde_json::from_str(&json).unwrap();
        assert_eq!(D::try_from(back).unwrap(), d, "{json}");
    }
    round::<_, WorkOrderV1>(work_order());
    round::<_, WorkOrderV1>(WorkOrder::opened(
        WorkOrderId(id(WO)),
        "WO-26-000043".into(),
        AssetId(id(ASSET)),
        WorkOrderKind::Pm,
        Priority::Scheduled,
        "Scheduled maintenance".into(),
        at(8, 0),
        UserId(id(TECH)),
    ));
    round::<_, LaborV1>(labor());
    round::<_, PartUseV1>(part_use());
    round::<_, PartUseV1>(PartUse {
        part_id: None,
        ..part_use()
    });
    round::<_, ReadingV1>(reading());
    round::<_, ReadingV1>(Reading {
        value: None,
        unit: None,
        limit: None,
        verdict: Verdict::NotApplicable,
        ..reading()
    });
    round::<_, ReadingV1>(Reading {
        limit: Some(Limit {
            min: None,
            max: None,
        }),
        value: Some(-1e-300),
        ..reading()
    });
    round::<_, WorkNoteV1>(note());
    round::<_, SignatureV1>(signature());
    round::<_, PmAttemptV1>(attempt());
    round::<_, DowntimeV1>(downtime());
    round::<_, DowntimeV1>(Downtime {
        ended_at: Some(at(16, 0)),
        work_order_id: None,
        ..downtime()
    });
    round::<_, PmScheduleV1>(schedule(10, Some(1)));
    round::<_, PmScheduleV1>(schedule(10, None));
}

#[test]
fn codes_travel_as_strings_and_money_as_cents() {
    let w = WorkOrderV1::from(&work_order());
    assert_eq!(
        (w.kind.as_str(), w.status.as_str(), w.priority.as_str()),
        ("corrective", "open", "urgent")
    );
    assert_eq!(w.closure.as_deref(), Some("failure:battery"));
    assert_eq!(PartUseV1::from(&part_use()).unit_cost_cents, 4_550);
    assert_eq!(ReadingV1::from(&reading()).verdict, "pass");
    assert_eq!(PmAttemptV1::from(&attempt()).outcome, "in_use");
}

#[test]
fn an_unknown_code_names_its_field_and_value() {
    let bad = |f: &dyn Fn(&mut WorkOrderV1)| {
        let mut w = WorkOrderV1::from(&work_order());
        f(&mut w);
        WorkOrder::try_from(w).unwrap_err()
    };
    assert_eq!(
        bad(&|w| w.status = "paused".into()),
        ProtocolError::BadCode {
            field: "work_order.status",
            value: "paused".into()
        }
    );
    assert_eq!(
        bad(&|w| w.kind = "magic".into()),
        ProtocolError::BadCode {
            field: "work_order.kind",
            value: "magic".into()
        }
    );
    assert_eq!(
        bad(&|w| w.priority = "whenever".into()),
        ProtocolError::BadCode {
            field: "work_order.priority",
            value: "whenever".into()
        }
    );
    let err = bad(&|w| w.closure = Some("failure:warp_core".into()));
    assert_eq!(
        err.to_string(),
        "work_order.closure: unknown code 'failure:warp_core'"
    );
    let mut r = ReadingV1::from(&reading());
    r.verdict = "maybe".into();
    assert_eq!(
        Reading::try_from(r).unwrap_err(),
        ProtocolError::BadCode {
            field: "reading.verdict",
            value: "maybe".into()
        }
    );
    let mut a = PmAttemptV1::from(&attempt());
    a.outcome = "lost".into();
    assert_eq!(
        PmAttempt::try_from(a).unwrap_err(),
        ProtocolError::BadCode {
            field: "pm_attempt.outcome",
            value: "lost".into()
        }
    );
}

fn record_work() -> RecordWork {
    RecordWork {
        work_order_id: id(WO),
        labor: vec![(&labor()).into()],
        parts: vec![(&part_use()).into()],
        readings: vec![(&reading()).into()],
        notes: vec![(&note()).into()],
    }
}

fn complete() -> CompleteWorkOrder {
    CompleteWorkOrder {
        work_order_id: id(WO),
        status: FieldChange::codes("in_progress", "completed"),
        findings: "Battery swollen".into(),
        closure: "failure:battery".into(),
        completed_at: at(16, 0),
        assigned_to: None,
        work: record_work(),
        signature: (&signature()).into(),
        downtime_ended: Some(DowntimeEnd {
            downtime_id: id(17),
            ended_at: at(16, 0),
        }),
        asset_status: Some(AssetStatusChange {
            asset_id: id(ASSET),
            status: FieldChange::codes("out_of_service", "in_service"),
        }),
        pm_schedule: Some(FieldChange::new(
            (&schedule(10, None)).into(),
            (&schedule(10, Some(2))).into(),
        )),
    }
}

/// One of every mutation, with optional parts both filled and empty.
fn every_mutation() -> Vec<Mutation> {
    vec![
        Mutation::CreateWorkOrder(CreateWorkOrder {
            work_order: (&work_order()).into(),
            downtime: Some((&downtime()).into()),
            asset_status: Some(AssetStatusChange {
                asset_id: id(ASSET),
                status: FieldChange::codes("in_service", "out_of_service"),
            }),
        }),
        Mutation::CreateWorkOrder(CreateWorkOrder {
            work_order: (&work_order()).into(),
            downtime: None,
            asset_status: None,
        }),
        Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
            work_order_id: id(WO),
            status: FieldChange::codes("open", "in_progress"),
            started_at: Some(at(15, 5)),
            assigned_to: Some(FieldChange::new(None, Some(id(TECH)))),
        }),
        Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
            work_order_id: id(WO),
            status: FieldChange::codes("in_progress", "on_hold_parts"),
            started_at: None,
            assigned_to: None,
        }),
        Mutation::RecordWork(record_work()),
        Mutation::RecordWork(RecordWork {
            work_order_id: id(WO),
            ..RecordWork::default()
        }),
        Mutation::CompleteWorkOrder(complete()),
        Mutation::CompleteWorkOrder(CompleteWorkOrder {
            assigned_to: Some(FieldChange::new(None, Some(id(TECH)))),
            downtime_ended: None,
            asset_status: None,
            pm_schedule: None,
            ..complete()
        }),
        Mutation::SignOffWorkOrder(SignOffWorkOrder {
            work_order_id: id(WO),
            status: FieldChange::codes("completed", "signed_off"),
            signed_off_by: id(SUPER),
            signed_off_at: at(17, 0),
        }),
        Mutation::RecordPmAttempt(RecordPmAttempt {
            attempt: (&attempt()).into(),
        }),
        Mutation::UpdateAsset(UpdateAsset {
            asset_id: id(ASSET),
            status: Some(FieldChange::codes("in_service", "missing")),
            location_id: Some(FieldChange::new(None, Some(id(77)))),
            department_id: Some(FieldChange::new(id(5), id(6))),
            serial: Some(FieldChange::new(Some("SN-1".into()), None)),
            risk: Some(FieldChange::new(
                EmScoreV1 {
                    function: 10,
                    physical_risk: 5,
                    maintenance: 3,
                    incident_history: 0,
                },
                EmScoreV1 {
                    function: 10,
                    physical_risk: 5,
                    maintenance: 3,
                    incident_history: 2,
                },
            )),
            notes: Some(FieldChange::new(String::new(), "Lives in bay 4".into())),
        }),
        Mutation::UpdateAsset(UpdateAsset {
            asset_id: id(ASSET),
            notes: Some(FieldChange::new("a".into(), "b".into())),
            ..UpdateAsset::default()
        }),
        Mutation::SetHospitalSettings(SetHospitalSettings {
            name: "analytics".into(),
            changes: [(
                "capital.risk_weight".to_string(),
                FieldChange::new(Some("0.2".into()), Some("0.4".into())),
            )]
            .into(),
            updated_at: Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap(),
        }),
        Mutation::ImportAssets(ImportAssets {
            import_id: id(90),
            file: "inventory.csv".into(),
            part: 1,
            parts: 2,
            departments: vec![DepartmentV1 {
                id: id(5),
                site_id: id(1),
                name: "Medical ICU".into(),
                short_name: Some("MICU".into()),
                cost_center: None,
            }],
            manufacturers: vec![ManufacturerV1 {
                id: id(8),
                name: "Novamed".into(),
            }],
            ..ImportAssets::default()
        }),
    ]
}

#[test]
fn every_mutation_decodes_to_what_was_encoded() {
    let mut names = Vec::new();
    for m in every_mutation() {
        let text = serde_json::to_string(&m.to_payload()).unwrap();
        let payload: serde_json::Value = serde_json::from_str(&text).unwrap();
        let back = Mutation::decode(m.name(), m.version(), &payload).unwrap();
        assert_eq!(back, m, "{}@{}: {text}", m.name(), m.version());
        if !names.contains(&(m.name(), m.version())) {
            names.push((m.name(), m.version()));
        }
    }
    assert_eq!(names, SUPPORTED, "every supported mutation is covered");
}

#[test]
fn unknown_names_and_versions_are_unsupported() {
    let payload = every_mutation()[0].to_payload();
    assert_eq!(
        Mutation::decode("create_work_order", 2, &payload),
        Err(ProtocolError::Unsupported {
            name: "create_work_order".into(),
            version: 2
        })
    );
    let err = Mutation::decode("delete_everything", 1, &payload).unwrap_err();
    assert_eq!(err.to_string(), "unsupported mutation delete_everything@1");
}

#[test]
fn a_payload_of_the_wrong_shape_is_malformed() {
    let payload = every_mutation()[0].to_payload();
    match Mutation::decode("sign_off_work_order", 1, &payload) {
        Err(ProtocolError::Malformed { name, version, .. }) => {
            assert_eq!((name.as_str(), version), ("sign_off_work_order", 1));
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    // A field this version does not define is refused, not dropped.
    let mut extra = Mutation::SignOffWorkOrder(SignOffWorkOrder {
        work_order_id: id(WO),
        status: FieldChange::codes("completed", "signed_off"),
        signed_off_by: id(SUPER),
        signed_off_at: at(17, 0),
    })
    .to_payload();
    extra["reason"] = "looks fine".into();
    let err = Mutation::decode("sign_off_work_order", 1, &extra).unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
}

/// The wire format of `complete_work_order@1`, pinned. If this fails, the
/// format changed: ship the change as a new version instead.
#[test]
fn complete_work_order_v1_matches_its_golden_json() {
    let golden = include_str!("golden/complete_work_order_v1.json");
    let m = Mutation::CompleteWorkOrder(complete());
    let payload = m.to_payload();
    let parsed: serde_json::Value = serde_json::from_str(golden).unwrap();
    // Compared as JSON values: key order is not part of the format, but
    // every name, nesting and type (a float stays a float) is.
    assert_eq!(
        payload,
        parsed,
        "now encodes as:\n{}",
        serde_json::to_string_pretty(&payload).unwrap()
    );
    assert_eq!(
        Mutation::decode("complete_work_order", 1, &parsed).unwrap(),
        m
    );
}

#[test]
fn envelopes_carry_name_version_hlc_and_payload() {
    let m = every_mutation()
        .into_iter()
        .find(|m| m.name() == "record_pm_attempt")
        .unwrap();
    let env = MutationEnvelope {
        id: id(99),
        seq: 7,
        name: m.name().into(),
        version: m.version(),
        hlc: Hlc::tick(None, 1_772_463_600_000, 0xdead_beef),
        payload: m.to_payload(),
    };
    let json = serde_json::to_value(&env).unwrap();
    assert_eq!(json["hlc"], "0000019caf103180-00000000-deadbeef");
    assert_eq!(json["name"], "record_pm_attempt");
    assert_eq!(json["version"], 1);
    let back: MutationEnvelope = serde_json::from_value(json).unwrap();
    assert_eq!(back, env);
    assert_eq!(back.mutation().unwrap(), m);
    assert_eq!(PROTOCOL_VERSION, 2);
}
