//! Export → import gives back the same values with no problems, and the
//! work-order export writes the documented forms.

use biomend_domain::Money;
use biomend_domain::asset::{AssetStatus, Ownership};
use biomend_domain::risk::{EmScore, RiskClass};
use biomend_domain::work_order::{
    ClosureCode, FailureArea, Priority, WorkOrderKind, WorkOrderStatus,
};
use biomend_interchange::{
    AssetExportRow, AssetImportRow, ImportOptions, NetworkImport, RiskInput, WorkOrderExportRow,
    read_assets_csv, write_assets_csv, write_work_orders_csv,
};
use chrono::{NaiveDate, TimeZone, Utc};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn full_row() -> AssetExportRow {
    AssetExportRow {
        tag: "BME-0012".into(),
        serial: Some("SN-44,12".into()),
        manufacturer: "Hill-Rom".into(),
        model: "Centrella \"Smart+\"".into(),
        device_type_code: Some("10-347".into()),
        device_type: Some("Beds, Electric".into()),
        site: Some("Main Campus".into()),
        department: "4 West Médecine".into(),
        building: Some("Tower A".into()),
        floor: Some("4".into()),
        room: Some("4.112".into()),
        ownership: Some(Ownership::Rental),
        status: Some(AssetStatus::InRepair),
        acquired_on: Some(date(2019, 12, 31)),
        acquisition_cost: Some(Money(1_250_000)),
        warranty_end: Some(date(2024, 2, 29)),
        expected_life_years: Some(12),
        risk: Some(EmScore::new(9, 5, 3, -1).unwrap()),
        risk_class: Some(RiskClass::HighRisk),
        life_support: Some(false),
        parent_tag: Some("SYS-001".into()),
        contract: Some("HR-2024-17".into()),
        hostname: Some("bed-4w-112".into()),
        ip: Some("10.20.30.40".into()),
        mac: Some("00:1A:2B:3C:4D:5E".into()),
        vlan: Some(120),
        os_name: Some("Windows 10 IoT".into()),
        os_version: Some("21H2".into()),
        firmware: Some("=2.1.4".into()),
        notes: Some("Rail sensor replaced,\nsee WO-1142.\n-check yearly".into()),
    }
}

fn minimal_row() -> AssetExportRow {
    AssetExportRow {
        tag: "-17".into(),
        manufacturer: "@Zoll".into(),
        model: "X".into(),
        department: "ED".into(),
        acquisition_cost: Some(Money(7)),
        ..Default::default()
    }
}

fn expected_import(e: &AssetExportRow, line: u64) -> AssetImportRow {
    let network = NetworkImport {
        hostname: e.hostname.clone(),
        ip: e.ip.clone(),
        mac: e.mac.clone(),
        vlan: e.vlan,
        os_name: e.os_name.clone(),
        os_version: e.os_version.clone(),
        firmware: e.firmware.clone(),
    };
    AssetImportRow {
        line,
        tag: e.tag.clone(),
        serial: e.serial.clone(),
        manufacturer: e.manufacturer.clone(),
        model: e.model.clone(),
        device_type_code: e.device_type_code.clone(),
        device_type_name: e.device_type.clone(),
        site: e.site.clone(),
        department: e.department.clone(),
        building: e.building.clone(),
        floor: e.floor.clone(),
        room: e.room.clone(),
        ownership: e.ownership,
        status: e.status,
        acquired_on: e.acquired_on,
        acquisition_cost: e.acquisition_cost,
        warranty_end: e.warranty_end,
        expected_life_years: e.expected_life_years,
        risk: e.risk.map(RiskInput::Parts),
        life_support: e.life_support,
        parent_tag: e.parent_tag.clone(),
        notes: e.notes.clone(),
        network: (network != NetworkImport::default()).then_some(network),
    }
}

#[test]
fn exported_assets_reimport_unchanged() {
    let rows = vec![full_row(), minimal_row()];
    let mut buf = Vec::new();
    let n = write_assets_csv(&mut buf, rows.clone()).unwrap();
    assert_eq!(n, 2);
    let text = String::from_utf8(buf.clone()).unwrap();
    assert!(text.contains(",12500.00,"), "plain money: {text}");
    assert!(text.contains(",2019-12-31,"), "ISO dates: {text}");
    assert!(text.contains("'=2.1.4"), "formula guard: {text}");

    let r = read_assets_csv(&buf[..], &ImportOptions::default()).unwrap();
    assert!(r.problems.is_empty(), "{r}");
    assert_eq!(r.rows_read, 2);
    // The full row spans two physical lines but is one spreadsheet row.
    assert_eq!(
        r.good,
        vec![expected_import(&rows[0], 2), expected_import(&rows[1], 3)]
    );
    // Only the export-only columns are unread.
    let unread: Vec<_> = r
        .columns
        .iter()
        .filter(|c| c.field.is_none())
        .map(|c| c.header.as_str())
        .collect();
    assert_eq!(unread, ["Risk Class", "Contract"]);
}

#[test]
fn work_orders_export_iso_timestamps_and_plain_money() {
    let opened = Utc.with_ymd_and_hms(2024, 3, 5, 14, 3, 0).unwrap();
    let row = WorkOrderExportRow {
        number: "WO-24-0042".into(),
        asset_tag: "BME-0012".into(),
        department: Some("ICU".into()),
        kind: WorkOrderKind::Corrective,
        status: WorkOrderStatus::SignedOff,
        priority: Priority::Urgent,
        opened_at: opened,
        reported_by: Some("RN Lee".into()),
        assigned_to: Some("J. Ortiz".into()),
        due_on: Some(date(2024, 3, 6)),
        started_at: Some(opened + chrono::Duration::minutes(30)),
        completed_at: Some(opened + chrono::Duration::hours(3)),
        closure_code: Some(ClosureCode::DeviceFailure(FailureArea::Battery)),
        labor_minutes: 95,
        parts_cost: Money(8_950),
        vendor_cost: Money(0),
        downtime_hours: Some(3.0),
        problem: "Alarm: \"battery low\", won't hold charge".into(),
        findings: "+ replaced battery pack".into(),
        signed_off_by: Some("K. Patel".into()),
        signed_off_at: Some(opened + chrono::Duration::days(1)),
    };
    let mut buf = Vec::new();
    assert_eq!(write_work_orders_csv(&mut buf, [row]).unwrap(), 1);
    let text = String::from_utf8(buf).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "WO Number,Asset Tag,Department,Kind,Status,Priority,Opened At,Reported By,Assigned To,Due On,Started At,Completed At,Closure Code,Labor Minutes,Parts Cost,Vendor Cost,Downtime Hours,Problem,Findings,Signed Off By,Signed Off At"
    );
    assert_eq!(
        lines.next().unwrap(),
        "WO-24-0042,BME-0012,ICU,corrective,signed_off,urgent,2024-03-05T14:03:00Z,RN Lee,J. Ortiz,2024-03-06,2024-03-05T14:33:00Z,2024-03-05T17:03:00Z,failure:battery,95,89.50,0.00,3.00,\"Alarm: \"\"battery low\"\", won't hold charge\",'+ replaced battery pack,K. Patel,2024-03-06T14:03:00Z"
    );
}
