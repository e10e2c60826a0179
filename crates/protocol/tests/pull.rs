//! Pulled rows: every record of a generated hospital survives the trip
//! through a [`Change`] and back to its domain type, and a change that
//! does not fit its kind is refused with a reason.

use biomend_demo::{DemoParams, generate, history};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_protocol::*;

fn hospital() -> (Dataset, Vec<WorkOrderBundle>) {
    let params = DemoParams::scaled(300, 600);
    let data = generate(&params);
    let mut bundles = Vec::new();
    history(&params, &data, |b| bundles.push(b));
    (data, bundles)
}

/// Encodes `record` into a change as the server sends it, parses the
/// change back from its JSON text, and returns the decoded record.
fn through_the_wire(record: Record) -> Record {
    let change = Change::upsert(42, &record);
    let text = serde_json::to_string(&change).unwrap();
    let back: Change = serde_json::from_str(&text).unwrap();
    assert_eq!(back.version, 42);
    assert_eq!(back.kind, record.kind().as_str());
    back.record().unwrap().expect("an upsert carries a body")
}

#[test]
fn every_pulled_kind_round_trips_to_the_domain() {
    let (data, bundles) = hospital();
    let mut seen = std::collections::BTreeSet::new();
    macro_rules! check {
        ($list:expr, $variant:ident, $v1:ty) => {
            for item in &$list {
                let record = Record::$variant(<$v1>::from(item));
                seen.insert(record.kind());
                let Record::$variant(wire) = through_the_wire(record) else {
                    panic!("kind changed on the way");
                };
                let domain = wire.try_into().unwrap();
                assert_eq!(item, &domain);
            }
        };
    }
    check!(data.sites, Site, SiteV1);
    check!(data.buildings, Building, BuildingV1);
    check!(data.departments, Department, DepartmentV1);
    check!(data.locations, Location, LocationV1);
    check!(data.manufacturers, Manufacturer, ManufacturerV1);
    check!(data.device_types, DeviceType, DeviceTypeV1);
    check!(data.models, Model, ModelV1);
    check!(data.safety_editions, SafetyEdition, SafetyEditionV1);
    check!(data.checklists, Checklist, ChecklistV1);
    check!(data.pm_plans, PmPlan, PmPlanV1);
    check!(data.parts, Part, PartV1);
    check!(data.assets, Asset, AssetV1);
    check!(data.pm_schedules, PmSchedule, PmScheduleV1);
    check!(data.vendors, Vendor, VendorV1);
    check!(data.contracts, ServiceContract, ServiceContractV1);
    check!(data.recalls, Recall, RecallV1);
    check!(data.recall_assets, RecallAsset, RecallAssetV1);
    check!(data.network_profiles, NetworkProfile, NetworkProfileV1);
    check!(data.usage_windows, UsageWindow, UsageWindowV1);
    check!(data.training_events, TrainingEvent, TrainingEventV1);
    let settings = [biomend_domain::settings::HospitalSettings {
        name: biomend_domain::settings::ANALYTICS.into(),
        values: [("capital.cyber_weight".to_string(), "0.3".to_string())].into(),
        updated_by: data.users[0].id,
        updated_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
    }];
    check!(settings, HospitalSettings, HospitalSettingsV1);
    // Users travel without their pay rate: it is the server's business.
    for u in &data.users {
        let Record::User(wire) = through_the_wire(Record::User(u.into())) else {
            panic!("kind changed on the way");
        };
        seen.insert(Kind::User);
        let back: biomend_domain::user::User = wire.try_into().unwrap();
        assert_eq!(back.loaded_rate_cents, None);
        assert_eq!(
            back,
            biomend_domain::user::User {
                loaded_rate_cents: None,
                ..u.clone()
            }
        );
    }
    let wos: Vec<_> = bundles.iter().map(|b| b.work_order.clone()).collect();
    let labor: Vec<_> = bundles.iter().flat_map(|b| b.labor.clone()).collect();
    let parts: Vec<_> = bundles.iter().flat_map(|b| b.parts.clone()).collect();
    let downtime: Vec<_> = bundles.iter().flat_map(|b| b.downtime.clone()).collect();
    let readings: Vec<_> = bundles.iter().flat_map(|b| b.readings.clone()).collect();
    let notes: Vec<_> = bundles.iter().flat_map(|b| b.notes.clone()).collect();
    let signatures: Vec<_> = bundles.iter().filter_map(|b| b.signature.clone()).collect();
    let attempts: Vec<_> = bundles.iter().flat_map(|b| b.attempts.clone()).collect();
    let charges: Vec<_> = bundles
        .iter()
        .flat_map(|b| b.vendor_charges.clone())
        .collect();
    check!(charges, VendorCharge, VendorChargeV1);
    check!(wos, WorkOrder, WorkOrderV1);
    check!(labor, Labor, LaborV1);
    check!(parts, PartUse, PartUseV1);
    check!(downtime, Downtime, DowntimeV1);
    check!(readings, Reading, ReadingV1);
    check!(notes, WorkNote, WorkNoteV1);
    check!(signatures, Signature, SignatureV1);
    check!(attempts, PmAttempt, PmAttemptV1);
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        Kind::ALL.to_vec(),
        "the hospital covers every kind"
    );
}

#[test]
fn kinds_have_stable_codes() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(*k));
    }
    assert_eq!(Kind::parse("Asset"), None);
    assert_eq!(Kind::Asset.as_str(), "asset");
    assert_eq!(Kind::PmSchedule.as_str(), "pm_schedule");
}

#[test]
fn kinds_added_after_the_first_protocol_name_their_version() {
    for k in Kind::ALL {
        assert!(
            (1..=PROTOCOL_VERSION).contains(&k.since()),
            "{} arrives in protocol {}",
            k.as_str(),
            k.since()
        );
    }
    // Protocol 1 devices must keep receiving what they always did.
    let first: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| k.since() == 1)
        .map(|k| k.as_str())
        .collect();
    assert_eq!(first.len(), 22);
    assert!(first.contains(&"work_order") && !first.contains(&"training_event"));
}

#[test]
fn settings_values_are_bounded_on_the_wire() {
    let text = format!(
        r#"{{"name":"analytics","values":{{"k":"{}"}},"updated_by":"0190d3a4-0000-7000-8000-000000000001","updated_at":"2026-11-24T10:00:00Z"}}"#,
        "9".repeat(biomend_domain::settings::MAX_VALUE_LEN + 1)
    );
    let wire: HospitalSettingsV1 = serde_json::from_str(&text).unwrap();
    let err = biomend_domain::settings::HospitalSettings::try_from(wire).unwrap_err();
    assert!(err.to_string().contains("setting k"), "{err}");
}

#[test]
fn a_tombstone_has_no_record() {
    let text =
        r#"{"version":7,"kind":"asset","key":"0190d3a4-0000-7000-8000-000000000001","body":null}"#;
    let change: Change = serde_json::from_str(text).unwrap();
    assert_eq!(change.record().unwrap(), None);
}

#[test]
fn changes_that_do_not_fit_their_kind_are_refused() {
    let (data, _) = hospital();
    let site = Record::Site((&data.sites[0]).into());
    let key = site.key();

    // An unknown kind.
    let text = format!(r#"{{"version":1,"kind":"spaceship","key":"{key}","body":{{}}}}"#);
    let change: Change = serde_json::from_str(&text).unwrap();
    assert!(matches!(
        change.record(),
        Err(ProtocolError::BadCode {
            field: "change.kind",
            ..
        })
    ));

    // A body with a field the kind does not define.
    let body = site.to_json().replace('{', r#"{"extra":1,"#);
    let text = format!(r#"{{"version":1,"kind":"site","key":"{key}","body":{body}}}"#);
    let change: Change = serde_json::from_str(&text).unwrap();
    let err = change.record().unwrap_err();
    assert!(err.to_string().contains("extra"), "{err}");

    // A key that is not the body's.
    let text = format!(
        r#"{{"version":1,"kind":"site","key":"someone-else","body":{}}}"#,
        site.to_json()
    );
    let change: Change = serde_json::from_str(&text).unwrap();
    assert!(matches!(
        change.record(),
        Err(ProtocolError::BadRecord { .. })
    ));

    // An asset whose risk score is off its scale.
    let mut asset = AssetV1::from(&data.assets[0]);
    asset.risk.function = 99;
    let err = biomend_domain::asset::Asset::try_from(asset).unwrap_err();
    assert!(
        matches!(err, ProtocolError::BadValue { field: "risk", .. }),
        "{err}"
    );
}

#[test]
fn login_secrets_stay_out_of_debug_output() {
    let req = LoginRequest {
        protocol_version: PROTOCOL_VERSION,
        username: "demo.tech".into(),
        password: "correct horse battery staple".into(),
        device_name: "ICU tablet 3".into(),
        next_seq: 41,
    };
    let shown = format!("{req:?}");
    assert!(
        shown.contains("demo.tech") && !shown.contains("horse"),
        "{shown}"
    );
}

#[test]
fn a_login_request_carries_the_next_seq_and_an_older_apps_request_still_parses() {
    let req = LoginRequest {
        protocol_version: PROTOCOL_VERSION,
        username: "demo.tech".into(),
        password: "pw".into(),
        device_name: "ICU tablet 3".into(),
        next_seq: 41,
    };
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(json["next_seq"], 41);
    assert_eq!(serde_json::from_value::<LoginRequest>(json).unwrap(), req);

    // An app from before the field: it means "from 1".
    let old: LoginRequest = serde_json::from_str(
        r#"{"protocol_version":1,"username":"demo.tech","password":"pw","device_name":"t"}"#,
    )
    .unwrap();
    assert_eq!(old.next_seq, 0);
    // A new tablet sends nothing extra, so a server that predates the
    // field still takes its sign-in.
    let fresh = LoginRequest { next_seq: 0, ..req };
    assert!(
        serde_json::to_value(&fresh)
            .unwrap()
            .get("next_seq")
            .is_none()
    );
}
