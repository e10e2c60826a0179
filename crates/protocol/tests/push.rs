//! The push request and answer: their JSON is pinned by golden files, and
//! a field a version does not define is refused.

use biomend_protocol::*;
use chrono::{TimeZone, Utc};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_0000 | n)
}

fn request() -> PushRequest {
    let m = Mutation::SignOffWorkOrder(SignOffWorkOrder {
        work_order_id: id(2),
        status: FieldChange::codes("completed", "signed_off"),
        signed_off_by: id(3),
        signed_off_at: Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap(),
    });
    PushRequest {
        // The envelope's shape has not changed since protocol 1.
        protocol_version: 1,
        schema_version: 5,
        device_id: id(0xd1),
        mutations: vec![MutationEnvelope {
            id: id(1),
            seq: 7,
            name: m.name().into(),
            version: m.version(),
            hlc: Hlc::tick(None, 1_772_463_600_000, 0xdead_beef),
            payload: m.to_payload(),
        }],
    }
}

fn response() -> PushResponse {
    PushResponse {
        results: vec![
            MutationResult {
                seq: 7,
                id: id(1),
                outcome: Outcome::Applied,
            },
            MutationResult {
                seq: 8,
                id: id(4),
                outcome: Outcome::Duplicate,
            },
            MutationResult {
                seq: 9,
                id: id(5),
                outcome: Outcome::Rejected {
                    code: "work_order_cancelled".into(),
                    message: "WO-000123 was cancelled on the server".into(),
                },
            },
        ],
        expected_seq: None,
    }
}

/// Compared as JSON values: key order is not part of the format, but every
/// name, nesting and type is.
fn assert_golden<T>(value: &T, golden: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let now = serde_json::to_value(value).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(golden).unwrap();
    assert_eq!(
        now,
        parsed,
        "now encodes as:\n{}",
        serde_json::to_string_pretty(&now).unwrap()
    );
    let back: T = serde_json::from_str(golden).unwrap();
    assert_eq!(&back, value);
}

#[test]
fn push_request_matches_its_golden_json() {
    assert_golden(&request(), include_str!("golden/push_request_v1.json"));
    assert_eq!(
        request().mutations[0].mutation().unwrap().name(),
        "sign_off_work_order"
    );
}

#[test]
fn push_response_matches_its_golden_json() {
    assert_golden(&response(), include_str!("golden/push_response_v1.json"));
}

#[test]
fn a_gap_answer_names_the_expected_seq() {
    let gap = PushResponse {
        results: vec![],
        expected_seq: Some(4),
    };
    let json = serde_json::to_value(&gap).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "results": [], "expected_seq": 4 })
    );
    assert_eq!(serde_json::from_value::<PushResponse>(json).unwrap(), gap);
}

#[test]
fn error_bodies_carry_a_stable_code() {
    let e = ErrorBody {
        code: CLIENT_TOO_OLD.into(),
        message: "Biomend 0.1 is too old for this server; please update".into(),
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": "client_too_old",
            "message": "Biomend 0.1 is too old for this server; please update"
        })
    );
    assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), e);
    assert_eq!(
        e.to_string(),
        "Biomend 0.1 is too old for this server; please update (client_too_old)"
    );
}

#[test]
fn unknown_fields_and_outcomes_are_refused() {
    let extra = r#"{"results": [], "expected_seq": null, "cursor": 3}"#;
    assert!(serde_json::from_str::<PushResponse>(extra).is_err());
    let extra_outcome = r#"{"seq": 1, "id": "019caf10-3180-7000-8000-000000000001",
        "outcome": {"kind": "applied", "note": "x"}}"#;
    assert!(serde_json::from_str::<MutationResult>(extra_outcome).is_err());
    let unknown = r#"{"seq": 1, "id": "019caf10-3180-7000-8000-000000000001",
        "outcome": {"kind": "merged"}}"#;
    assert!(serde_json::from_str::<MutationResult>(unknown).is_err());
    let request = r#"{"protocol_version": 1, "schema_version": 5,
        "device_id": "019caf10-3180-7000-8000-0000000000d1", "mutations": [], "token": "x"}"#;
    assert!(serde_json::from_str::<PushRequest>(request).is_err());
    let half_rejected = r#"{"seq": 1, "id": "019caf10-3180-7000-8000-000000000001",
        "outcome": {"kind": "rejected", "code": "x"}}"#;
    assert!(serde_json::from_str::<MutationResult>(half_rejected).is_err());
    let applied_with_code = r#"{"seq": 1, "id": "019caf10-3180-7000-8000-000000000001",
        "outcome": {"kind": "applied", "code": "x"}}"#;
    assert!(serde_json::from_str::<MutationResult>(applied_with_code).is_err());
}

#[test]
fn set_hospital_settings_matches_its_golden_json() {
    let m = Mutation::SetHospitalSettings(SetHospitalSettings {
        name: "analytics".into(),
        changes: [
            (
                "capital.cyber_weight".to_string(),
                FieldChange::new(None, Some("0.3".to_string())),
            ),
            (
                "repeat_repair_days".to_string(),
                FieldChange::new(Some("10".to_string()), None),
            ),
        ]
        .into(),
        updated_at: Utc.with_ymd_and_hms(2026, 11, 24, 9, 30, 0).unwrap(),
    });
    assert_eq!((m.name(), m.version()), ("set_hospital_settings", 1));
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/set_hospital_settings_v1.json")).unwrap();
    assert_eq!(m.to_payload(), golden);
    assert_eq!(
        Mutation::decode("set_hospital_settings", 1, &golden).unwrap(),
        m
    );
}
