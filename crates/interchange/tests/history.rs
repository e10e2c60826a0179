//! Work-history import: a messy hand-written CSV shaped like an old CMMS
//! export, a workbook built here, and the plan's bundles field by field.

use biomend_domain::Money;
use biomend_domain::ids::{AssetId, PmPlanId, UserId, VendorId};
use biomend_domain::work_order::{
    ClosureCode, FailureArea, Priority, WorkOrderKind, WorkOrderStatus,
};
use biomend_interchange::{
    ClosureMap, HistoryAsset, HistoryDowntime, HistoryField, HistoryLookup, HistoryMapping,
    HistoryOptions, HistoryPlan, HistoryPlanOptions, HistoryReport, HistoryStatus, ImportError,
    history_namespace, plan_history, read_history, read_history_csv, read_history_xlsx,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use std::collections::HashMap;
use uuid::Uuid;

const HEADER: [&str; 17] = [
    "Equipment Control #",
    "WO #",
    "WO Type",
    "Date Opened",
    "Date Completed",
    "Problem",
    "Action Taken",
    "Result Code",
    "Labor Hours",
    "Parts Cost",
    "Outside Service Cost",
    "Vendor",
    "Downtime Hours",
    "Down Start",
    "Down End",
    "Technician",
    "Cost Center",
];

/// The messy export: a title and a date above the header, a BOM, CRLF, a
/// quoted newline, US dates with and without times, `$` money, a
/// Windows-1252 name, and one planted problem per bad row.
fn messy_csv() -> Vec<u8> {
    let rows: [[&str; 17]; 17] = [
        // 4: good; mapped code F12, a period of downtime, hours of labor.
        [
            "10042",
            "WO-1001",
            "Repair",
            "03/04/2023 08:15",
            "03/04/2023 11:45",
            "\"Occlusion alarm\r\nwith no line attached\"",
            "Replaced door latch",
            "F12",
            "1.5",
            "\"$1,234.56\"",
            "",
            "",
            "",
            "03/04/2023 08:15",
            "03/04/2023 11:45",
            "Pat Jones",
            "ICU",
        ],
        // 5: unknown closure code.
        [
            "10043",
            "WO-1002",
            "CM",
            "3/10/2023",
            "3/11/2023",
            "No power",
            "Reseated fuse",
            "ZZ9",
            "0.5",
            "",
            "",
            "",
            "",
            "",
            "",
            "Pat Jones",
            "ICU",
        ],
        // 6: good PM without a code: the default closes it.
        [
            "10044",
            "WO-1003",
            "Scheduled Maintenance",
            "4/1/2023",
            "4/1/2023",
            "",
            "PM per procedure",
            "",
            "1.0",
            "",
            "",
            "",
            "",
            "",
            "",
            "JOS\u{e9}",
            "OR",
        ],
        // 7: completed before opened.
        [
            "10045",
            "WO-1004",
            "Repair",
            "4/10/2023",
            "4/5/2023",
            "Cracked housing",
            "",
            "abuse",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 8: negative labor.
        [
            "10046", "WO-1005", "SM", "5/1/2023", "5/1/2023", "", "", "", "-2", "", "", "", "", "",
            "", "", "",
        ],
        // 9: a number already used in row 4.
        [
            "10047", "WO-1001", "Repair", "5/2/2023", "5/2/2023", "Beeping", "", "cnd", "", "", "",
            "", "", "", "", "", "",
        ],
        // 10: unknown kind.
        [
            "10048",
            "WO-1006",
            "Lunch Break",
            "5/3/2023",
            "5/3/2023",
            "",
            "",
            "cnd",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 11: good here; its tag is not in the inventory the plan sees.
        [
            "10049",
            "WO-1007",
            "Incoming Inspection",
            "6/1/2023",
            "6/2/2023",
            "",
            "Passed",
            "preventive",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 12: good open work.
        [
            "10050",
            "WO-1008",
            "Repair",
            "6/5/2023",
            "",
            "Screen flicker",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 13: empty tag.
        [
            "", "WO-1009", "Repair", "6/6/2023", "6/6/2023", "", "", "cnd", "", "", "", "", "", "",
            "", "", "",
        ],
        // 14: good; our own code in capitals, a vendor, h:mm labor,
        // downtime as hours.
        [
            "10051",
            "WO-1010",
            "Repair",
            "6/7/2023",
            "6/8/2023",
            "Battery will not hold charge",
            "Sent to vendor; no fault found",
            "CND",
            "0:45",
            "",
            "$450.00",
            "Acme Service Co",
            "4",
            "",
            "",
            "Sam Roe",
            "",
        ],
        // 15: an impossible date.
        [
            "10052",
            "WO-1011",
            "Repair",
            "2/30/2023",
            "3/1/2023",
            "",
            "",
            "cnd",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 16: a code mapped to preventive on a repair.
        [
            "10053", "WO-1012", "Repair", "7/1/2023", "7/1/2023", "", "", "PMONLY", "", "", "", "",
            "", "", "", "", "",
        ],
        // 17: an unquoted comma in money pushes a value past the header.
        [
            "10054",
            "WO-1013",
            "Repair",
            "7/2/2023",
            "7/2/2023",
            "",
            "",
            "cnd",
            "",
            "$1,234.56",
            "",
            "",
            "",
            "",
            "",
            "",
            "ICU",
        ],
        // 18: a completed repair without a code.
        [
            "10055",
            "WO-1014",
            "Repair",
            "7/5/2023",
            "7/5/2023",
            "Leaks",
            "Tightened",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        // 20 (after a blank row): good, without a number.
        [
            "10056",
            "",
            "Repair",
            "8/1/2023",
            "8/1/2023",
            "Alarm too quiet",
            "Showed staff the volume setting",
            "use_error",
            "0.25",
            "",
            "",
            "",
            "",
            "",
            "",
            "Pat Jones",
            "",
        ],
        // 21: parts cost beyond the bound.
        [
            "10057",
            "WO-1015",
            "Repair",
            "8/2/2023",
            "8/2/2023",
            "",
            "",
            "cnd",
            "",
            "\"$2,000,000.00\"",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    let mut lines = vec![
        "\u{feff}Biomed Work History Export,,,".to_string(),
        "Exported 03/01/2024,,,".to_string(),
        HEADER.join(","),
    ];
    for (i, r) in rows.iter().enumerate() {
        if i == 15 {
            lines.push(String::new());
        }
        lines.push(r.join(","));
    }
    let text = lines.join("\r\n") + "\r\n";
    // "JOSé" in Windows-1252: one byte 0xE9, not UTF-8.
    let mut bytes = Vec::new();
    for ch in text.chars() {
        if ch == '\u{e9}' {
            bytes.push(0xE9);
        } else {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
    }
    bytes
}

fn options() -> HistoryOptions {
    HistoryOptions {
        closure_map: ClosureMap::from_spec("F12=failure:mechanical, PMONLY=preventive").unwrap(),
        ..HistoryOptions::default()
    }
}

fn read_messy() -> HistoryReport {
    read_history_csv(messy_csv().as_slice(), &options()).expect("file-level read succeeds")
}

fn assert_problem(r: &HistoryReport, line: u64, column: Option<&str>, reason_part: &str) {
    assert!(
        r.problems_at(line)
            .any(|p| p.column.as_deref() == column && p.reason.contains(reason_part)),
        "expected a problem at row {line}, column {column:?}, mentioning {reason_part:?}; report:\n{r}"
    );
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn utc(y: i32, m: u32, dd: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, dd, h, min, 0).unwrap()
}

#[test]
fn messy_csv_reports_every_planted_problem_and_keeps_the_rest() {
    let r = read_messy();
    assert_eq!(r.rows_read, 17, "{r}");
    let good: Vec<u64> = r.good.iter().map(|g| g.line).collect();
    assert_eq!(good, vec![4, 6, 11, 12, 14, 20], "{r}");

    assert_problem(
        &r,
        5,
        Some("Result Code"),
        "no mapping for closure code 'ZZ9'; add --closure-map ZZ9=<code>",
    );
    let p = r.problems_at(5).next().unwrap();
    assert_eq!(p.value.as_deref(), Some("ZZ9"));
    assert_problem(
        &r,
        7,
        Some("Date Completed"),
        "before the opening date (2023-04-10)",
    );
    assert_problem(&r, 8, Some("Labor Hours"), "is negative");
    assert_problem(
        &r,
        9,
        Some("WO #"),
        "duplicates the work-order number in row 4",
    );
    assert_problem(&r, 10, Some("WO Type"), "not a known work-order kind");
    assert_problem(
        &r,
        13,
        Some("Equipment Control #"),
        "the asset tag is required",
    );
    assert_problem(&r, 15, Some("Date Opened"), "February 2023 has no day 30");
    assert_problem(
        &r,
        16,
        Some("Result Code"),
        "maps to 'preventive', which does not fit corrective work",
    );
    assert_problem(&r, 17, None, "the row has 18 fields but the header has 17");
    assert_problem(
        &r,
        18,
        Some("Result Code"),
        "a completed corrective work order needs a closure code",
    );
    assert_problem(&r, 21, Some("Parts Cost"), "is more than $1,000,000.00");
    let lines: std::collections::BTreeSet<u64> = r.problems.iter().map(|p| p.line).collect();
    assert_eq!(
        lines.into_iter().collect::<Vec<_>>(),
        vec![5, 7, 8, 9, 10, 13, 15, 16, 17, 18, 21],
        "{r}"
    );

    // Row 4: a quoted newline, times kept, mapped code, hours → minutes.
    let a = &r.good[0];
    assert_eq!(a.tag, "10042");
    assert_eq!(a.number.as_deref(), Some("WO-1001"));
    assert_eq!(a.kind, WorkOrderKind::Corrective);
    assert_eq!(a.status, HistoryStatus::Completed);
    assert_eq!(a.opened.date, d(2023, 3, 4));
    assert_eq!(a.opened.time, NaiveTime::from_hms_opt(8, 15, 0));
    assert_eq!(a.problem, "Occlusion alarm\r\nwith no line attached");
    assert_eq!(
        a.closure,
        Some(ClosureCode::DeviceFailure(FailureArea::Mechanical))
    );
    assert_eq!(a.closure_old.as_deref(), Some("F12"));
    assert_eq!(a.labor_minutes, 90);
    assert_eq!(a.parts_cost, Money(123_456));
    assert!(matches!(
        a.downtime,
        Some(HistoryDowntime::Period { end: Some(_), .. })
    ));
    // Row 6: the PM default, a Windows-1252 name.
    let pm = &r.good[1];
    assert_eq!(pm.kind, WorkOrderKind::Pm);
    assert_eq!(pm.closure, Some(ClosureCode::PreventiveOnly));
    assert_eq!(pm.closure_old, None);
    assert_eq!(pm.technician.as_deref(), Some("JOSé"));
    // Row 12: open work.
    let open = &r.good[3];
    assert_eq!(open.status, HistoryStatus::Open);
    assert_eq!((open.completed, open.closure), (None, None));
    // Row 14: h:mm labor, vendor money, downtime hours.
    let v = &r.good[4];
    assert_eq!(v.labor_minutes, 45);
    assert_eq!(v.vendor_cost, Money(45_000));
    assert_eq!(v.closure, Some(ClosureCode::CouldNotDuplicate));
    assert_eq!(v.downtime, Some(HistoryDowntime::Minutes(240)));

    assert_eq!(r.header_of(HistoryField::Closure), Some("Result Code"));
    for note in [
        "the header is row 3",
        "column 'Cost Center' is not read",
        "1 completed pm work order(s) had no closure code and were closed as 'preventive'",
        "1 work order(s) have no completion date and are imported as open work",
        "1 PM work order(s) have no due date",
    ] {
        assert!(
            r.notes.iter().any(|n| n.contains(note)),
            "missing note {note:?}: {:#?}",
            r.notes
        );
    }
}

struct Inventory {
    assets: HashMap<&'static str, HistoryAsset>,
    taken: Vec<&'static str>,
}

const IMPORTER: UserId = UserId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001));
const PAT: UserId = UserId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002));
const ACME: VendorId = VendorId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0003));
const PLAN: PmPlanId = PmPlanId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0004));

fn asset_id(n: u128) -> AssetId {
    AssetId(Uuid::from_u128(
        0x0190_0000_0000_7000_8000_0000_0000_1000 + n,
    ))
}

fn inventory() -> Inventory {
    let a = |n, plan| HistoryAsset {
        id: asset_id(n),
        pm_plan_id: plan,
    };
    Inventory {
        assets: HashMap::from([
            ("10042", a(42, None)),
            ("10044", a(44, Some(PLAN))),
            ("10050", a(50, None)),
            ("10051", a(51, None)),
            ("10056", a(56, None)),
        ]),
        taken: Vec::new(),
    }
}

impl HistoryLookup for Inventory {
    fn asset(&self, tag: &str) -> Option<HistoryAsset> {
        self.assets.get(tag).copied()
    }
    fn number_taken(&self, number: &str) -> bool {
        self.taken.iter().any(|t| t.eq_ignore_ascii_case(number))
    }
    fn technician(&self, name: &str) -> Option<UserId> {
        (name == "Pat Jones").then_some(PAT)
    }
    fn vendor(&self, name: &str) -> Option<VendorId> {
        (name == "Acme Service Co").then_some(ACME)
    }
}

fn now() -> DateTime<Utc> {
    utc(2024, 3, 1, 12, 0)
}

fn plan_options() -> HistoryPlanOptions {
    let mut o = HistoryPlanOptions::new(
        now(),
        IMPORTER,
        "OldCMMS",
        history_namespace(Uuid::from_u128(7), "OldCMMS"),
    );
    o.utc_offset = FixedOffset::west_opt(5 * 3600).unwrap();
    o
}

fn plan_with(
    report: &HistoryReport,
    inv: &impl HistoryLookup,
    seed: u128,
    opts: &HistoryPlanOptions,
) -> HistoryPlan {
    let mut n = seed;
    let mut ids = || {
        n += 1;
        Uuid::from_u128(n)
    };
    plan_history(report, inv, &mut ids, opts)
}

#[test]
fn plan_builds_complete_bundles() {
    let r = read_messy();
    let opts = plan_options();
    let plan = plan_with(
        &r,
        &inventory(),
        0x0190_0000_0000_7000_8000_0000_0000_9000,
        &opts,
    );
    assert_eq!(plan.problems.len(), 1, "{:#?}", plan.problems);
    let p = &plan.problems[0];
    assert_eq!(p.line, 11);
    assert_eq!(p.column.as_deref(), Some("Equipment Control #"));
    assert_eq!(p.value.as_deref(), Some("10049"));
    assert!(p.reason.contains("not in Biomend's inventory"), "{p}");
    assert_eq!(plan.bundles.len(), 5);

    // Row 4: a signed-off repair with labor, parts, downtime and signature.
    let b = &plan.bundles[0];
    let w = &b.work_order;
    let opened = utc(2023, 3, 4, 13, 15);
    let done = utc(2023, 3, 4, 16, 45);
    assert_eq!(w.number, "WO-1001");
    assert_eq!(w.asset_id, asset_id(42));
    assert_eq!(w.kind, WorkOrderKind::Corrective);
    assert_eq!(w.status, WorkOrderStatus::SignedOff);
    assert_eq!(w.priority, Priority::Routine);
    assert_eq!(w.problem, "Occlusion alarm\r\nwith no line attached");
    assert_eq!(w.reported_by, "");
    assert_eq!(w.opened_at, opened);
    assert_eq!(w.created_by, IMPORTER);
    assert_eq!(w.assigned_to, Some(PAT));
    assert_eq!((w.due_on, w.pm_plan_id, w.recall_id), (None, None, None));
    assert_eq!(w.started_at, Some(opened));
    assert_eq!(w.findings, "Replaced door latch");
    assert_eq!(
        w.closure,
        Some(ClosureCode::DeviceFailure(FailureArea::Mechanical))
    );
    assert_eq!(w.completed_at, Some(done));
    assert_eq!(w.signed_off_by, Some(IMPORTER));
    assert_eq!(w.signed_off_at, Some(now()));
    assert_eq!(w.id.0.get_version_num(), 7);
    let (secs, _) = w.id.0.get_timestamp().unwrap().to_unix();
    assert_eq!(secs as i64, opened.timestamp());
    assert_eq!(b.labor.len(), 1);
    let l = &b.labor[0];
    assert_eq!(
        (
            l.work_order_id,
            l.technician_id,
            l.minutes,
            l.performed_on,
            l.note.as_str()
        ),
        (w.id, PAT, 90, d(2023, 3, 4), "")
    );
    assert_eq!(b.parts.len(), 1);
    let pu = &b.parts[0];
    assert_eq!(pu.work_order_id, w.id);
    assert_eq!(pu.part_id, None);
    assert_eq!(pu.quantity, 1);
    assert_eq!(pu.unit_cost, Money(123_456));
    assert_eq!(pu.total(), Money(123_456));
    assert_eq!(pu.description, "Parts total from OldCMMS");
    assert_eq!((pu.recorded_by, pu.recorded_at), (PAT, done));
    assert!(b.vendor_charges.is_empty());
    assert_eq!(b.downtime.len(), 1);
    let dt = &b.downtime[0];
    assert_eq!(
        (
            dt.asset_id,
            dt.work_order_id,
            dt.started_at,
            dt.ended_at,
            dt.partial_factor
        ),
        (asset_id(42), Some(w.id), opened, Some(done), 1.0)
    );
    assert!(b.readings.is_empty() && b.attempts.is_empty());
    assert_eq!(b.notes.len(), 1);
    let n = &b.notes[0];
    assert_eq!(
        (n.work_order_id, n.author_id, n.written_at),
        (w.id, IMPORTER, now())
    );
    assert_eq!(
        n.text,
        "Imported from OldCMMS: work order WO-1001, row 4. Closure code 'F12' mapped to failure:mechanical."
    );
    let s = b.signature.as_ref().unwrap();
    assert_eq!(
        (
            s.work_order_id,
            s.signer_id,
            s.signer_name.as_str(),
            s.signed_at,
            s.strokes.as_str()
        ),
        (w.id, PAT, "Pat Jones", done, "")
    );

    // Row 6: a PM closed by the default, its technician unknown.
    let b = &plan.bundles[1];
    let w = &b.work_order;
    let noon = utc(2023, 4, 1, 17, 0);
    assert_eq!(w.number, "WO-1003");
    assert_eq!(w.kind, WorkOrderKind::Pm);
    assert_eq!(w.status, WorkOrderStatus::SignedOff);
    assert_eq!(w.priority, Priority::Scheduled);
    assert_eq!(w.pm_plan_id, Some(PLAN));
    assert_eq!(w.closure, Some(ClosureCode::PreventiveOnly));
    assert_eq!((w.opened_at, w.completed_at), (noon, Some(noon)));
    assert_eq!(w.assigned_to, None);
    assert_eq!(w.findings, "PM per procedure");
    assert_eq!(b.labor.len(), 1);
    assert_eq!(
        (
            b.labor[0].technician_id,
            b.labor[0].minutes,
            b.labor[0].note.as_str()
        ),
        (IMPORTER, 60, "by JOSé")
    );
    assert!(b.parts.is_empty() && b.vendor_charges.is_empty() && b.downtime.is_empty());
    assert_eq!(
        b.notes[0].text,
        "Imported from OldCMMS: work order WO-1003, row 6. No closure code there; closed as preventive, the default for pm work. Technician: JOSé."
    );
    let s = b.signature.as_ref().unwrap();
    assert_eq!(
        (s.signer_id, s.signer_name.as_str(), s.signed_at),
        (IMPORTER, "JOSé", noon)
    );

    // Row 12: open work has no closure, completion or signature.
    let b = &plan.bundles[2];
    let w = &b.work_order;
    assert_eq!(w.number, "WO-1008");
    assert_eq!(w.status, WorkOrderStatus::Open);
    assert_eq!(w.opened_at, utc(2023, 6, 5, 17, 0));
    assert_eq!(
        (
            w.started_at,
            w.closure,
            w.completed_at,
            w.signed_off_by,
            w.signed_off_at
        ),
        (None, None, None, None, None)
    );
    assert_eq!(w.problem, "Screen flicker");
    assert!(b.labor.is_empty() && b.parts.is_empty() && b.downtime.is_empty());
    assert!(b.signature.is_none());
    assert_eq!(b.notes.len(), 1);

    // Row 14: a vendor charge and downtime counted in hours.
    let b = &plan.bundles[3];
    let w = &b.work_order;
    let opened = utc(2023, 6, 7, 17, 0);
    let done = utc(2023, 6, 8, 17, 0);
    assert_eq!(w.number, "WO-1010");
    assert_eq!(w.closure, Some(ClosureCode::CouldNotDuplicate));
    assert_eq!((w.opened_at, w.completed_at), (opened, Some(done)));
    assert_eq!(
        (
            b.labor[0].technician_id,
            b.labor[0].minutes,
            b.labor[0].performed_on
        ),
        (IMPORTER, 45, d(2023, 6, 8))
    );
    assert_eq!(b.vendor_charges.len(), 1);
    let vc = &b.vendor_charges[0];
    assert_eq!(
        (
            vc.work_order_id,
            vc.vendor_id,
            vc.labor_cost,
            vc.parts_cost,
            vc.travel_cost
        ),
        (w.id, ACME, Money(45_000), Money::ZERO, Money::ZERO)
    );
    assert_eq!((vc.total(), vc.invoiced_on), (Money(45_000), d(2023, 6, 8)));
    assert_eq!(
        (b.downtime[0].started_at, b.downtime[0].ended_at),
        (opened, Some(utc(2023, 6, 7, 21, 0)))
    );
    assert_eq!(
        b.notes[0].text,
        "Imported from OldCMMS: work order WO-1010, row 14. Technician: Sam Roe. Vendor: Acme Service Co."
    );

    // Row 20: no number: the id comes from the source, the number from it.
    let b = &plan.bundles[4];
    let w = &b.work_order;
    assert_eq!(
        w.id.0,
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_9001)
    );
    assert!(
        w.number.starts_with("IMP-") && w.number.len() == 20,
        "{}",
        w.number
    );
    assert_eq!(w.closure, Some(ClosureCode::UseError));
    assert_eq!(b.labor[0].minutes, 15);
    assert!(
        b.notes[0]
            .text
            .contains("row 20 (no number there; numbered IMP-")
    );

    assert!(
        plan.notes.iter().any(|n| n.contains("'JOSé', 'Sam Roe'")),
        "{:#?}",
        plan.notes
    );

    // Every attached record points at its own work order, every id is unique.
    let mut ids = std::collections::HashSet::new();
    for b in &plan.bundles {
        let wid = b.work_order.id;
        assert!(ids.insert(wid.0));
        assert!(
            b.labor
                .iter()
                .all(|l| l.work_order_id == wid && ids.insert(l.id.0))
        );
        assert!(
            b.parts
                .iter()
                .all(|p| p.work_order_id == wid && ids.insert(p.id.0))
        );
        assert!(
            b.vendor_charges
                .iter()
                .all(|v| v.work_order_id == wid && ids.insert(v.id.0))
        );
        assert!(
            b.downtime
                .iter()
                .all(|d| d.work_order_id == Some(wid) && ids.insert(d.id.0))
        );
        assert!(
            b.notes
                .iter()
                .all(|n| n.work_order_id == wid && ids.insert(n.id.0))
        );
        assert!(
            b.signature
                .iter()
                .all(|s| s.work_order_id == wid && ids.insert(s.id.0))
        );
    }
}

#[test]
fn numbered_ids_are_stable_across_runs_and_id_sources() {
    let r = read_messy();
    let opts = plan_options();
    let a = plan_with(&r, &inventory(), 1_000, &opts);
    let b = plan_with(&r, &inventory(), 5_000_000, &opts);
    // Numbered rows: the whole bundle is the same; the unnumbered one
    // differs only through the id source.
    assert_eq!(a.bundles[..4], b.bundles[..4]);
    assert_ne!(a.bundles[4].work_order.id, b.bundles[4].work_order.id);
    // Pinned, so a change to the derivation (which would duplicate history
    // imported by older versions) fails here.
    assert_eq!(
        a.bundles[0].work_order.id.to_string(),
        pinned_first_id(),
        "the id derivation changed"
    );
    // Another hospital's (or system's) namespace gives other ids.
    let mut other = plan_options();
    other.namespace = history_namespace(Uuid::from_u128(8), "OldCMMS");
    let c = plan_with(&r, &inventory(), 1_000, &other);
    assert_ne!(a.bundles[0].work_order.id, c.bundles[0].work_order.id);
    assert_eq!(
        history_namespace(Uuid::from_u128(7), "Old CMMS"),
        history_namespace(Uuid::from_u128(7), "oldcmms")
    );
}

fn pinned_first_id() -> String {
    // Row 4 of the messy file (WO-1001, opened 2023-03-04 13:15 UTC) in
    // the test namespace, as the derivation first produced it.
    "0186acc2-e820-74e2-9a92-c815c88b7375".to_string()
}

#[test]
fn plan_refuses_used_numbers_future_work_and_unknown_vendors() {
    let r = read_messy();
    let mut inv = inventory();
    inv.taken = vec!["wo-1001"];
    let mut opts = plan_options();
    opts.now = utc(2023, 6, 8, 12, 0);
    let plan = plan_with(&r, &inv, 0, &opts);
    let at = |line: u64| {
        plan.problems
            .iter()
            .filter(|p| p.line == line)
            .map(|p| format!("{}: {}", p.column.as_deref().unwrap_or("-"), p.reason))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        at(4),
        vec!["WO #: is already the number of a work order in Biomend (imported before?)"]
    );
    assert_eq!(
        at(14),
        vec!["Date Completed: is in the future; history must be past work"]
    );
    assert_eq!(
        at(20)[0],
        "Date Opened: is in the future; history must be past work"
    );

    // A vendor cost with no vendor Biomend knows and no fallback.
    struct NoVendors(Inventory);
    impl HistoryLookup for NoVendors {
        fn asset(&self, tag: &str) -> Option<HistoryAsset> {
            self.0.asset(tag)
        }
        fn number_taken(&self, n: &str) -> bool {
            self.0.number_taken(n)
        }
    }
    let plan = plan_with(&r, &NoVendors(inventory()), 0, &plan_options());
    let p = plan.problems.iter().find(|p| p.line == 14).unwrap();
    assert_eq!(p.column.as_deref(), Some("Outside Service Cost"));
    assert!(p.reason.contains("'Acme Service Co' is not one"), "{p}");
    let mut fallback = plan_options();
    fallback.fallback_vendor = Some(ACME);
    fallback.sign_off = false;
    let plan = plan_with(&r, &NoVendors(inventory()), 0, &fallback);
    assert!(plan.problems.iter().all(|p| p.line != 14));
    let b = plan
        .bundles
        .iter()
        .find(|b| b.work_order.number == "WO-1010")
        .unwrap();
    assert_eq!(b.vendor_charges[0].vendor_id, ACME);
    assert_eq!(b.work_order.status, WorkOrderStatus::Completed);
    assert_eq!(b.work_order.signed_off_by, None);
    assert!(plan.notes.iter().any(|n| n.contains("'Acme Service Co'")));
}

#[test]
fn status_column_cancellation_and_open_rules() {
    let csv = "Tag,WO,Type,Status,Opened,Closed,Closure Code,Down Start,Down End\n\
        T1,1,Repair,Closed,2023-01-02,,cnd,,\n\
        T2,2,Repair,Open,2023-01-02,2023-01-03,,,\n\
        T3,3,Repair,Void,2023-01-02,,,,\n\
        T4,4,Repair,,2023-01-02,2023-01-02,DUP,,\n\
        T5,5,Repair,,2023-01-02,,cnd,,\n\
        T6,6,Repair,,2023-01-02,2023-01-02,cnd,,2023-01-02 10:00\n\
        T7,7,PM,Complete,2023-01-02 09:00,2023-01-02 08:00,,2023-01-02 10:00,2023-01-02 09:00\n\
        T8,8,Repair,Wibble,2023-01-02,2023-01-02,cnd,,\n";
    let mut opts = HistoryOptions::default();
    opts.closure_map.add_spec("DUP=cancelled").unwrap();
    let r = read_history_csv(csv.as_bytes(), &opts).unwrap();
    assert_problem(
        &r,
        2,
        Some("Status"),
        "says the work is done, but the row has no completion date",
    );
    assert_problem(
        &r,
        3,
        Some("Status"),
        "says the work is open, but the row has a completion date",
    );
    assert_problem(
        &r,
        6,
        Some("Closure Code"),
        "is a closure code on open work",
    );
    assert_problem(
        &r,
        7,
        Some("Down End"),
        "is a downtime end without a downtime start",
    );
    assert_problem(
        &r,
        8,
        Some("Closed"),
        "is before the opening date (2023-01-02 09:00)",
    );
    assert_problem(
        &r,
        8,
        Some("Down End"),
        "is before the downtime start (2023-01-02 10:00)",
    );
    assert_problem(&r, 9, Some("Status"), "is not a known status");
    let good: Vec<(u64, HistoryStatus)> = r.good.iter().map(|g| (g.line, g.status)).collect();
    assert_eq!(
        good,
        vec![(4, HistoryStatus::Cancelled), (5, HistoryStatus::Cancelled)],
        "{r}"
    );
    assert!(r.good.iter().all(|g| g.closure.is_none()));

    // With open work refused, a row without a completion date is a problem.
    let opts = HistoryOptions {
        allow_open: false,
        ..HistoryOptions::default()
    };
    let r = read_history_csv(
        "Tag,Type,Opened,Closed\nT1,cm,1/2/2023,\n".as_bytes(),
        &opts,
    )
    .unwrap();
    assert_problem(&r, 2, Some("Closed"), "open work is not imported");
}

#[test]
fn header_rules_mapping_and_default_kind() {
    // No kind column: an error naming it, unless a default kind is given.
    let csv = "Asset Tag,Opened,Completed,Minutes,Code\nT1,1/2/2023,1/2/2023,30,cnd\n";
    let e = read_history_csv(csv.as_bytes(), &HistoryOptions::default()).unwrap_err();
    assert!(
        matches!(e, ImportError::MissingHistoryColumns { ref missing, .. } if missing == &[HistoryField::Kind]),
        "{e}"
    );
    assert!(e.to_string().contains("kind (e.g. 'WO Type'"), "{e}");
    let opts = HistoryOptions {
        default_kind: Some(WorkOrderKind::Corrective),
        mapping: Some(HistoryMapping::parse("Code=closure_code").unwrap()),
        ..HistoryOptions::default()
    };
    let r = read_history_csv(csv.as_bytes(), &opts).unwrap();
    assert_eq!(r.good.len(), 1, "{r}");
    assert_eq!(r.good[0].kind, WorkOrderKind::Corrective);
    assert_eq!(r.good[0].labor_minutes, 30);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("every row is corrective work"))
    );
    // Cells over the limit and rows over the limit.
    let long = format!(
        "Tag,Type,Opened,Problem\nT1,cm,1/2/2023,{}\n",
        "x".repeat(100)
    );
    let opts = HistoryOptions {
        max_cell_bytes: 50,
        ..HistoryOptions::default()
    };
    let r = read_history_csv(long.as_bytes(), &opts).unwrap();
    assert_problem(&r, 2, Some("Problem"), "longer than the 50-byte cell limit");
    let opts = HistoryOptions {
        max_rows: 1,
        ..HistoryOptions::default()
    };
    let two = "Tag,Type,Opened\nT1,cm,1/2/2023\nT2,cm,1/2/2023\n";
    assert!(matches!(
        read_history_csv(two.as_bytes(), &opts),
        Err(ImportError::TooManyRows { max: 1, .. })
    ));
}

#[test]
fn xlsx_history_keeps_typed_cells_and_times() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.xlsx");
    let mut wb = Workbook::new();
    let stamp = Format::new().set_num_format("mm/dd/yyyy hh:mm");
    let day = Format::new().set_num_format("mm/dd/yyyy");
    let money = Format::new().set_num_format("$#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name("Work Orders").unwrap();
    let headers = [
        "Control Number",
        "Work Order Number",
        "Type",
        "Request Date",
        "Completion Date",
        "Complaint",
        "Resolution",
        "Failure Code",
        "Labor Min",
        "Parts Cost",
        "Down Start",
        "Down End",
        "Tech",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let dt = |y, m, dd, h, min| {
        ExcelDateTime::from_ymd(y, m, dd)
            .unwrap()
            .and_hms(h, min, 0)
            .unwrap()
    };
    // Row 2: numbers for tag and number, a date-time and a date cell.
    ws.write_number(1, 0, 10042.0).unwrap();
    ws.write_number(1, 1, 5001.0).unwrap();
    ws.write_string(1, 2, "PM").unwrap();
    ws.write_datetime_with_format(1, 3, dt(2023, 4, 5, 9, 30), &stamp)
        .unwrap();
    ws.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2023, 4, 5).unwrap(), &day)
        .unwrap();
    ws.write_string(1, 6, "Performed PM").unwrap();
    ws.write_number(1, 8, 45.0).unwrap();
    ws.write_number_with_format(1, 9, 12.5, &money).unwrap();
    // Row 3: a serial number with a time fraction, a text date-time,
    // downtime from date-time cells, a mapped code.
    ws.write_string(2, 0, "BME-7").unwrap();
    ws.write_string(2, 1, "5002").unwrap();
    ws.write_string(2, 2, "Repair").unwrap();
    ws.write_number(2, 3, 45021.5).unwrap();
    ws.write_string(2, 4, "4/6/2023 3:15 PM").unwrap();
    ws.write_string(2, 5, "Won't power on").unwrap();
    ws.write_string(2, 6, "Replaced fuse").unwrap();
    ws.write_string(2, 7, "F12").unwrap();
    ws.write_number(2, 8, 30.0).unwrap();
    ws.write_string(2, 9, "$8.00").unwrap();
    ws.write_datetime_with_format(2, 10, dt(2023, 4, 5, 12, 0), &stamp)
        .unwrap();
    ws.write_datetime_with_format(2, 11, dt(2023, 4, 6, 15, 15), &stamp)
        .unwrap();
    ws.write_string(2, 12, "Pat Jones").unwrap();
    // Row 4: problems.
    ws.write_string(3, 0, "BME-8").unwrap();
    ws.write_string(3, 1, "5003").unwrap();
    ws.write_string(3, 2, "Repair").unwrap();
    ws.write_datetime_with_format(3, 3, dt(2023, 5, 2, 8, 0), &stamp)
        .unwrap();
    ws.write_datetime_with_format(3, 4, dt(2023, 5, 1, 8, 0), &stamp)
        .unwrap();
    ws.write_string(3, 7, "XX").unwrap();
    ws.write_number(3, 8, -5.0).unwrap();
    wb.save(&path).unwrap();

    let r = read_history(&path, &options()).unwrap();
    assert_eq!(r.rows_read, 3);
    assert_eq!(r.good.len(), 2, "{r}");
    let a = &r.good[0];
    assert_eq!(
        (a.tag.as_str(), a.number.as_deref()),
        ("10042", Some("5001"))
    );
    assert_eq!(a.kind, WorkOrderKind::Pm);
    assert_eq!(a.opened.date, d(2023, 4, 5));
    assert_eq!(a.opened.time, NaiveTime::from_hms_opt(9, 30, 0));
    assert_eq!(
        a.completed.map(|c| (c.date, c.time)),
        Some((d(2023, 4, 5), None))
    );
    assert_eq!(a.closure, Some(ClosureCode::PreventiveOnly));
    assert_eq!((a.labor_minutes, a.parts_cost), (45, Money(1_250)));
    let b = &r.good[1];
    assert_eq!(b.opened.time, NaiveTime::from_hms_opt(12, 0, 0));
    assert_eq!(
        b.completed.unwrap().time,
        NaiveTime::from_hms_opt(15, 15, 0)
    );
    assert_eq!(
        b.closure,
        Some(ClosureCode::DeviceFailure(FailureArea::Mechanical))
    );
    assert_eq!(b.parts_cost, Money(800));
    assert_eq!(b.technician.as_deref(), Some("Pat Jones"));
    match b.downtime {
        Some(HistoryDowntime::Period {
            start,
            end: Some(end),
        }) => {
            assert_eq!(
                (start.date, start.time),
                (d(2023, 4, 5), NaiveTime::from_hms_opt(12, 0, 0))
            );
            assert_eq!(
                (end.date, end.time),
                (d(2023, 4, 6), NaiveTime::from_hms_opt(15, 15, 0))
            );
        }
        other => panic!("downtime {other:?}"),
    }
    assert_problem(&r, 4, Some("Completion Date"), "is before the opening date");
    assert_problem(&r, 4, Some("Labor Min"), "is negative");
    // A completed-before-opened row's code is still checked: it has none known.
    assert_problem(
        &r,
        4,
        Some("Failure Code"),
        "no mapping for closure code 'XX'",
    );
    assert_eq!(read_history_xlsx(&path, &options()).unwrap(), r);

    let missing = HistoryOptions {
        sheet: Some("Nope".into()),
        ..options()
    };
    assert!(matches!(
        read_history_xlsx(&path, &missing),
        Err(ImportError::NoSheet { .. })
    ));
}

#[test]
fn closure_map_file_and_spec_combine() {
    let mut map = ClosureMap::default();
    map.add_csv("old,ours\nF12,failure:battery\nUE,use_error\n".as_bytes())
        .unwrap();
    map.add_spec("NPF=cnd").unwrap();
    let csv = "Tag,Type,Opened,Closed,Failure Code\n\
        T1,Repair,1/2/2023,1/2/2023,f12\n\
        T2,Repair,1/2/2023,1/2/2023,UE\n\
        T3,Repair,1/2/2023,1/2/2023,npf\n\
        T4,PM,1/2/2023,1/2/2023,\n";
    let opts = HistoryOptions {
        closure_map: map,
        ..HistoryOptions::default()
    };
    let r = read_history_csv(csv.as_bytes(), &opts).unwrap();
    let codes: Vec<Option<ClosureCode>> = r.good.iter().map(|g| g.closure).collect();
    assert_eq!(
        codes,
        vec![
            Some(ClosureCode::DeviceFailure(FailureArea::Battery)),
            Some(ClosureCode::UseError),
            Some(ClosureCode::CouldNotDuplicate),
            Some(ClosureCode::PreventiveOnly),
        ],
        "{r}"
    );
    // Without defaults a blank PM code is a problem too.
    let opts = HistoryOptions {
        closure_map: ClosureMap::empty(),
        ..HistoryOptions::default()
    };
    let r = read_history_csv(csv.as_bytes(), &opts).unwrap();
    assert_problem(
        &r,
        5,
        Some("Failure Code"),
        "a completed pm work order needs a closure code",
    );
}

#[test]
fn open_and_cancelled_work_plan_without_closure_or_signature() {
    let csv = "Tag,WO,Type,Status,Opened,Closed,Labor Min,Down Start,Down End\n\
        10042,A1,Repair,,2024-02-01 08:00,,30,2024-02-01 08:00,\n\
        10044,A2,Repair,Void,2024-02-02,,,,\n\
        10050,A3,Repair,,2024-02-03,,,2024-02-03 09:00,2024-03-05 09:00\n";
    let r = read_history_csv(csv.as_bytes(), &HistoryOptions::default()).unwrap();
    assert_eq!(r.good.len(), 3, "{r}");
    let mut opts = plan_options();
    opts.utc_offset = FixedOffset::east_opt(0).unwrap();
    let plan = plan_with(&r, &inventory(), 0, &opts);
    // Row 4's downtime ends after now.
    assert_eq!(plan.problems.len(), 1, "{:#?}", plan.problems);
    assert_eq!(plan.problems[0].line, 4);
    assert_eq!(plan.problems[0].column.as_deref(), Some("Down Start"));
    let open = &plan.bundles[0];
    let w = &open.work_order;
    assert_eq!(w.status, WorkOrderStatus::InProgress);
    assert_eq!(w.started_at, Some(utc(2024, 2, 1, 8, 0)));
    assert_eq!((w.closure, w.completed_at), (None, None));
    assert!(open.signature.is_none());
    assert_eq!(open.labor[0].performed_on, d(2024, 2, 1));
    assert_eq!(
        open.downtime[0].ended_at, None,
        "an open repair's device is still down"
    );
    let void = &plan.bundles[1];
    assert_eq!(void.work_order.status, WorkOrderStatus::Cancelled);
    assert_eq!(void.work_order.started_at, None);
    assert!(void.signature.is_none() && void.labor.is_empty());
}
