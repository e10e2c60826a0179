//! A tiny hand-built hospital shared by the store's integration tests:
//! one site, one building, two departments, a few rooms, users of each
//! working role, two manufacturers, two device types, three models, a
//! checklist, a PM plan, ten assets and four work orders with everything a
//! technician attaches. Ids and times are fixed so failures reproduce.

#![allow(dead_code)]

use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{DeviceType, Manufacturer, Model, NomenclatureSystem};
use biomend_domain::checklist::{Checklist, ChecklistItem, ItemKind, Limit, Reading, Verdict};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_domain::ids::*;
use biomend_domain::inventory::{Part, PartStock, Vendor};
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmSchedule, PmStrategy, ScheduleKind};
use biomend_domain::risk::EmScore;
use biomend_domain::user::{Role, User};
use biomend_domain::work_order::*;
use biomend_store::{Actor, Store, StoreError, Tx};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

/// 2025-01-01T00:00:00Z; ids are minted a few milliseconds after it.
const BASE_MILLIS: u64 = 1_735_689_600_000;

/// Distinct random bytes per record kind, so ids never collide across kinds.
fn bytes(kind: u8, n: u8) -> [u8; 10] {
    [kind, n, 0, 0, 0, 0, 0, 0, kind, n]
}

macro_rules! id_fn {
    ($($f:ident: $t:ty = $kind:literal),+ $(,)?) => {$(
        pub fn $f(n: u8) -> $t {
            <$t>::new(BASE_MILLIS + u64::from($kind as u8) * 1000 + u64::from(n), bytes($kind as u8, n))
        }
    )+};
}

id_fn!(
    site_id: SiteId = 1,
    building_id: BuildingId = 2,
    department_id: DepartmentId = 3,
    location_id: LocationId = 4,
    user_id: UserId = 5,
    manufacturer_id: ManufacturerId = 6,
    device_type_id: DeviceTypeId = 7,
    model_id: ModelId = 8,
    checklist_id: ChecklistId = 9,
    plan_id: PmPlanId = 10,
    vendor_id: VendorId = 11,
    part_id: PartId = 12,
    asset_id: AssetId = 13,
    work_order_id: WorkOrderId = 14,
    labor_id: LaborId = 15,
    part_use_id: PartUseId = 16,
    vendor_charge_id: VendorChargeId = 17,
    downtime_id: DowntimeId = 18,
    reading_id: ReadingId = 19,
    attempt_id: PmAttemptId = 20,
    note_id: NoteId = 21,
    signature_id: SignatureId = 22,
);

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

pub fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

/// When the fixture is loaded.
pub fn load_time() -> DateTime<Utc> {
    at(2025, 1, 2, 9, 0)
}

pub fn system() -> Actor {
    Actor::system("fixture")
}

// Handy names for the fixture's records.
pub const ICU: u8 = 1;
pub const ED: u8 = 2;
pub const TECH_ANA: u8 = 1;
pub const TECH_BO: u8 = 2;
pub const SUPERVISOR: u8 = 3;
pub const MANAGER: u8 = 4;
pub const BAXTER: u8 = 1;
pub const PHILIPS: u8 = 2;
pub const PUMP_TYPE: u8 = 1;
pub const MONITOR_TYPE: u8 = 2;
pub const SIGMA: u8 = 1;
pub const MX450: u8 = 2;
pub const MX800: u8 = 3;
pub const PUMP_PM: u8 = 1;
pub const BATTERY_PART: u8 = 1;

pub fn site() -> Site {
    Site {
        id: site_id(1),
        code: "MAIN".into(),
        name: "Main Campus".into(),
    }
}

pub fn user(n: u8, username: &str, display: &str, role: Role) -> User {
    User {
        id: user_id(n),
        username: username.into(),
        display_name: display.into(),
        role,
        sites: vec![site_id(1)],
        active: true,
        loaded_rate_cents: Some(6_500),
    }
}

pub fn department(n: u8) -> Department {
    let (name, short, cc) = match n {
        ICU => ("Intensive Care", None, "CC-4010"),
        ED => ("Emergency Department", Some("ED"), "CC-4020"),
        _ => panic!("no department {n}"),
    };
    Department {
        id: department_id(n),
        site_id: site_id(1),
        name: name.into(),
        short_name: short.map(str::to_string),
        cost_center: Some(cc.into()),
    }
}

pub fn locations() -> Vec<Location> {
    let loc = |n: u8, floor: &str, room: &str, dept: Option<u8>| Location {
        id: location_id(n),
        building_id: building_id(1),
        floor: floor.into(),
        room: room.into(),
        department_id: dept.map(department_id),
    };
    vec![
        loc(1, "3", "3.114", Some(ICU)),
        loc(2, "3", "3.120", Some(ICU)),
        loc(3, "1", "Trauma 2", Some(ED)),
        loc(4, "B", "Biomed Shop", None),
    ]
}

pub fn device_type(n: u8) -> DeviceType {
    match n {
        PUMP_TYPE => DeviceType {
            id: device_type_id(PUMP_TYPE),
            system: NomenclatureSystem::Umdns,
            code: "13-215".into(),
            name: "Pumps, Infusion, General-Purpose".into(),
            life_support: false,
            aem_exclusion: None,
            default_risk: EmScore {
                function: 9,
                physical_risk: 5,
                maintenance: 3,
                incident_history: 0,
            },
            expected_life_years: 10,
        },
        MONITOR_TYPE => DeviceType {
            id: device_type_id(MONITOR_TYPE),
            system: NomenclatureSystem::Umdns,
            code: "12-636".into(),
            name: "Monitors, Physiologic".into(),
            life_support: true,
            aem_exclusion: None,
            default_risk: EmScore {
                function: 8,
                physical_risk: 4,
                maintenance: 2,
                incident_history: 0,
            },
            expected_life_years: 8,
        },
        _ => panic!("no device type {n}"),
    }
}

pub fn model(n: u8) -> Model {
    let (mf, dt, name) = match n {
        SIGMA => (BAXTER, PUMP_TYPE, "Sigma Spectrum"),
        MX450 => (PHILIPS, MONITOR_TYPE, "IntelliVue MX450"),
        MX800 => (PHILIPS, MONITOR_TYPE, "IntelliVue MX800"),
        _ => panic!("no model {n}"),
    };
    Model {
        id: model_id(n),
        manufacturer_id: manufacturer_id(mf),
        device_type_id: device_type_id(dt),
        name: name.into(),
        expected_life_years: if n == SIGMA { Some(9) } else { None },
        end_of_support: if n == MX450 {
            Some(day(2030, 12, 31))
        } else {
            None
        },
        replacement_cost: Some(Money(350_000 + i64::from(n) * 1_000)),
        mds2: None,
        sbom: Vec::new(),
    }
}

pub fn checklist() -> Checklist {
    Checklist {
        id: checklist_id(1),
        name: "Infusion pump PM".into(),
        items: vec![
            ChecklistItem {
                key: "visual".into(),
                prompt: "Housing, keypad and door intact".into(),
                kind: ItemKind::PassFail,
            },
            ChecklistItem {
                key: "flow_accuracy".into(),
                prompt: "Flow accuracy at 100 mL/h".into(),
                kind: ItemKind::Measurement {
                    unit: "%".into(),
                    limit: Limit {
                        min: Some(-5.0),
                        max: Some(5.0),
                    },
                },
            },
        ],
    }
}

pub fn pm_plan() -> PmPlan {
    PmPlan {
        id: plan_id(PUMP_PM),
        name: "Sigma Spectrum annual PM".into(),
        model_id: Some(model_id(SIGMA)),
        device_type_id: None,
        interval_months: 12,
        schedule: ScheduleKind::Fixed,
        strategy: PmStrategy::Manufacturer,
        aem_evidence: None,
        checklist_id: Some(checklist_id(1)),
        estimated_minutes: 45,
    }
}

/// Tag, model, department, location, status, serial.
pub type AssetRow = (&'static str, u8, u8, Option<u8>, AssetStatus, &'static str);

pub const ASSETS: [AssetRow; 10] = [
    (
        "BME-0001",
        SIGMA,
        ICU,
        Some(1),
        AssetStatus::InService,
        "SP100001",
    ),
    (
        "BME-0002",
        SIGMA,
        ICU,
        Some(1),
        AssetStatus::InService,
        "SP100002",
    ),
    (
        "BME-0003",
        SIGMA,
        ICU,
        Some(2),
        AssetStatus::InService,
        "SP100003",
    ),
    (
        "BME-0004",
        SIGMA,
        ED,
        Some(3),
        AssetStatus::InService,
        "SP100004",
    ),
    (
        "BME-0005",
        SIGMA,
        ED,
        Some(3),
        AssetStatus::Retired,
        "SP100005",
    ),
    (
        "BME-0006",
        SIGMA,
        ED,
        None,
        AssetStatus::Missing,
        "SP100006",
    ),
    (
        "BME-0007",
        MX450,
        ICU,
        Some(2),
        AssetStatus::InService,
        "DE71234567",
    ),
    (
        "BME-0008",
        MX450,
        ED,
        Some(3),
        AssetStatus::InRepair,
        "DE71234568",
    ),
    (
        "BME-0009",
        MX800,
        ICU,
        Some(1),
        AssetStatus::InService,
        "DE89990001",
    ),
    (
        "BME-0010",
        MX800,
        ED,
        Some(4),
        AssetStatus::OutOfService,
        "DE89990002",
    ),
];

pub fn asset(n: u8) -> Asset {
    let (tag, m, d, l, status, serial) = ASSETS[usize::from(n) - 1];
    let risk = device_type(if m == SIGMA { PUMP_TYPE } else { MONITOR_TYPE }).default_risk;
    Asset {
        id: asset_id(n),
        tag: tag.into(),
        serial: Some(serial.into()),
        model_id: model_id(m),
        department_id: department_id(d),
        location_id: l.map(location_id),
        ownership: if n == 10 {
            Ownership::Leased
        } else {
            Ownership::Owned
        },
        status,
        acquired_on: Some(day(2018, 1, u32::from(n))),
        acquisition_cost: Some(Money(300_000 + i64::from(n))),
        warranty_end: Some(day(2020, 1, u32::from(n))),
        contract_id: None,
        expected_life_years: None,
        risk,
        life_support_override: false,
        // The MX800 in the shop is a module of the one in the ICU.
        parent_id: if n == 10 { Some(asset_id(9)) } else { None },
        notes: String::new(),
    }
}

pub fn vendor() -> Vendor {
    Vendor {
        id: vendor_id(1),
        name: "Philips Healthcare Service".into(),
        phone: Some("+1 800 722 9377".into()),
        email: None,
        account: Some("ACCT-7781".into()),
    }
}

pub fn battery_part() -> Part {
    Part {
        id: part_id(BATTERY_PART),
        part_number: "35161".into(),
        description: "Battery pack, Sigma Spectrum".into(),
        manufacturer: Some("Baxter".into()),
        unit_cost: Money(12_950),
    }
}

pub fn pm_schedules() -> Vec<PmSchedule> {
    // Pumps 1–6 carry the annual PM; due dates spread over early 2025.
    (1..=6)
        .map(|n| PmSchedule {
            asset_id: asset_id(n),
            plan_id: plan_id(PUMP_PM),
            next_due: day(2025, 1, 5) + Days::new(10 * u64::from(n)),
            last_done: Some(day(2024, 1, 5) + Days::new(10 * u64::from(n))),
        })
        .collect()
}

pub fn dataset() -> Dataset {
    Dataset {
        sites: vec![site()],
        buildings: vec![Building {
            id: building_id(1),
            site_id: site_id(1),
            name: "North Tower".into(),
        }],
        departments: vec![department(ICU), department(ED)],
        locations: locations(),
        users: vec![
            user(TECH_ANA, "ana", "Ana Ortiz", Role::Technician),
            user(TECH_BO, "bo", "Bo Lindqvist", Role::Technician),
            user(SUPERVISOR, "sam", "Sam Okafor", Role::Supervisor),
            user(MANAGER, "mia", "Mia Chen", Role::Manager),
        ],
        manufacturers: vec![
            Manufacturer {
                id: manufacturer_id(BAXTER),
                name: "Baxter".into(),
            },
            Manufacturer {
                id: manufacturer_id(PHILIPS),
                name: "Philips".into(),
            },
        ],
        device_types: vec![device_type(PUMP_TYPE), device_type(MONITOR_TYPE)],
        models: vec![model(SIGMA), model(MX450), model(MX800)],
        checklists: vec![checklist()],
        pm_plans: vec![pm_plan()],
        vendors: vec![vendor()],
        parts: vec![battery_part()],
        part_stock: vec![PartStock {
            part_id: part_id(BATTERY_PART),
            site_id: site_id(1),
            on_hand: 12,
            reorder_point: 4,
            bin: "A-3".into(),
        }],
        // Children listed first on purpose: the loader must order them.
        assets: (1..=10).rev().map(asset).collect(),
        pm_schedules: pm_schedules(),
        ..Dataset::default()
    }
}

pub fn work_order(n: u8) -> WorkOrder {
    let base = WorkOrder {
        id: work_order_id(n),
        number: format!("WO-2025-{n:05}"),
        asset_id: asset_id(1),
        kind: WorkOrderKind::Corrective,
        status: WorkOrderStatus::Open,
        priority: Priority::Routine,
        problem: String::new(),
        reported_by: "ICU charge nurse".into(),
        opened_at: at(2025, 2, u32::from(n), 8, 0),
        created_by: user_id(SUPERVISOR),
        assigned_to: Some(user_id(TECH_ANA)),
        due_on: None,
        pm_plan_id: None,
        recall_id: None,
        started_at: None,
        findings: String::new(),
        closure: None,
        completed_at: None,
        signed_off_by: None,
        signed_off_at: None,
    };
    match n {
        // Repaired and signed off: occlusion alarm, battery replaced.
        1 => WorkOrder {
            status: WorkOrderStatus::SignedOff,
            priority: Priority::Urgent,
            problem: "Occlusion alarm with no occlusion; battery will not hold charge".into(),
            started_at: Some(at(2025, 2, 1, 9, 15)),
            findings: "Battery swollen; replaced. Flow accuracy verified.".into(),
            closure: Some(ClosureCode::DeviceFailure(FailureArea::Battery)),
            completed_at: Some(at(2025, 2, 1, 11, 40)),
            signed_off_by: Some(user_id(SUPERVISOR)),
            signed_off_at: Some(at(2025, 2, 3, 16, 0)),
            ..base
        },
        // Open PM on the same pump, due soon.
        2 => WorkOrder {
            kind: WorkOrderKind::Pm,
            priority: Priority::Scheduled,
            problem: "Annual PM".into(),
            reported_by: "PM scheduler".into(),
            due_on: Some(day(2025, 2, 20)),
            pm_plan_id: Some(plan_id(PUMP_PM)),
            ..base
        },
        // Urgent repair on a monitor, later due date than the PM.
        3 => WorkOrder {
            asset_id: asset_id(8),
            priority: Priority::Urgent,
            status: WorkOrderStatus::OnHoldParts,
            problem: "SpO2 reads dashes on all probes".into(),
            due_on: Some(day(2025, 2, 28)),
            started_at: Some(at(2025, 2, 3, 10, 0)),
            ..base
        },
        // Completed, awaiting sign-off, no vendor charge.
        4 => WorkOrder {
            asset_id: asset_id(7),
            status: WorkOrderStatus::Completed,
            problem: "Cracked bezel".into(),
            started_at: Some(at(2025, 2, 4, 9, 0)),
            closure: Some(ClosureCode::AbuseDamage),
            completed_at: Some(at(2025, 2, 4, 10, 30)),
            assigned_to: Some(user_id(TECH_BO)),
            ..base
        },
        // Urgent, no due date: sorts after urgent work that has one.
        5 => WorkOrder {
            asset_id: asset_id(9),
            priority: Priority::Urgent,
            problem: "Intermittent ECG lead-off".into(),
            ..base
        },
        _ => panic!("no work order {n}"),
    }
}

/// Work order 1 with one of everything (two readings, one without limits).
pub fn full_bundle() -> WorkOrderBundle {
    let wo = work_order(1);
    let wid = wo.id;
    let mut b = WorkOrderBundle::new(wo);
    b.labor = vec![
        Labor {
            id: labor_id(1),
            work_order_id: wid,
            technician_id: user_id(TECH_ANA),
            minutes: 90,
            performed_on: day(2025, 2, 1),
            note: "Diagnosis and battery swap".into(),
        },
        Labor {
            id: labor_id(2),
            work_order_id: wid,
            technician_id: user_id(TECH_BO),
            minutes: 25,
            performed_on: day(2025, 2, 1),
            note: "Flow test".into(),
        },
    ];
    b.parts = vec![PartUse {
        id: part_use_id(1),
        work_order_id: wid,
        part_id: Some(part_id(BATTERY_PART)),
        part_number: "35161".into(),
        description: "Battery pack, Sigma Spectrum".into(),
        quantity: 2,
        unit_cost: Money(12_950),
        recorded_by: user_id(TECH_ANA),
        recorded_at: at(2025, 2, 1, 10, 5),
    }];
    b.vendor_charges = vec![VendorCharge {
        id: vendor_charge_id(1),
        work_order_id: wid,
        vendor_id: vendor_id(1),
        invoice_number: "INV-55102".into(),
        labor_cost: Money(20_000),
        parts_cost: Money(4_500),
        travel_cost: Money(1_250),
        invoiced_on: day(2025, 2, 10),
    }];
    b.downtime = vec![Downtime {
        id: downtime_id(1),
        asset_id: asset_id(1),
        work_order_id: Some(wid),
        started_at: at(2025, 2, 1, 8, 0),
        ended_at: Some(at(2025, 2, 1, 11, 40)),
        partial_factor: 0.5,
    }];
    b.readings = vec![
        Reading {
            id: reading_id(1),
            work_order_id: wid,
            item_key: "visual".into(),
            prompt: "Housing, keypad and door intact".into(),
            value: None,
            unit: None,
            limit: None,
            verdict: Verdict::Pass,
            taken_by: user_id(TECH_ANA),
            taken_at: at(2025, 2, 1, 11, 0),
        },
        Reading {
            id: reading_id(2),
            work_order_id: wid,
            item_key: "flow_accuracy".into(),
            prompt: "Flow accuracy at 100 mL/h".into(),
            value: Some(-1.25),
            unit: Some("%".into()),
            limit: Some(Limit {
                min: Some(-5.0),
                max: Some(5.0),
            }),
            verdict: Verdict::Pass,
            taken_by: user_id(TECH_ANA),
            taken_at: at(2025, 2, 1, 11, 10),
        },
        Reading {
            id: reading_id(3),
            work_order_id: wid,
            item_key: "leakage".into(),
            prompt: "Enclosure leakage".into(),
            value: Some(42.0),
            unit: Some("µA".into()),
            limit: Some(Limit {
                min: None,
                max: Some(100.0),
            }),
            verdict: Verdict::Pass,
            taken_by: user_id(TECH_ANA),
            taken_at: at(2025, 2, 1, 11, 20),
        },
    ];
    b.attempts = vec![PmAttempt {
        id: attempt_id(1),
        work_order_id: wid,
        technician_id: user_id(TECH_ANA),
        attempted_at: at(2025, 2, 1, 8, 30),
        outcome: AttemptOutcome::InUse,
        note: "Pump on a patient; came back after transfer".into(),
    }];
    b.notes = vec![WorkNote {
        id: note_id(1),
        work_order_id: wid,
        author_id: user_id(TECH_ANA),
        written_at: at(2025, 2, 1, 11, 35),
        text: "Old battery sent to recycling".into(),
    }];
    b.signature = Some(Signature {
        id: signature_id(1),
        work_order_id: wid,
        signer_id: user_id(TECH_ANA),
        signer_name: "Ana Ortiz".into(),
        signed_at: at(2025, 2, 1, 11, 40),
        strokes: "M10 10 L20 20 L30 12".into(),
    });
    b
}

/// Every fixture work order as a bundle; only number 1 carries records,
/// apart from a labor entry on the completed one.
pub fn bundles() -> Vec<WorkOrderBundle> {
    let mut out = vec![full_bundle()];
    for n in 2..=5 {
        let mut b = WorkOrderBundle::new(work_order(n));
        if n == 4 {
            b.labor.push(Labor {
                id: labor_id(10),
                work_order_id: work_order_id(4),
                technician_id: user_id(TECH_BO),
                minutes: 60,
                performed_on: day(2025, 2, 4),
                note: String::new(),
            });
        }
        out.push(b);
    }
    out
}

/// Writes one bundle through the audited single-record path.
pub fn write_bundle(tx: &Tx<'_>, b: &WorkOrderBundle) -> Result<(), StoreError> {
    tx.insert_work_order(&b.work_order)?;
    for l in &b.labor {
        tx.insert_labor(l)?;
    }
    for p in &b.parts {
        tx.insert_part_use(p)?;
    }
    for v in &b.vendor_charges {
        tx.insert_vendor_charge(v)?;
    }
    for d in &b.downtime {
        tx.insert_downtime(d)?;
    }
    for r in &b.readings {
        tx.insert_reading(r)?;
    }
    for a in &b.attempts {
        tx.insert_attempt(a)?;
    }
    for n in &b.notes {
        tx.insert_note(n)?;
    }
    if let Some(s) = &b.signature {
        tx.insert_signature(s)?;
    }
    Ok(())
}

/// Writes the reference data, assets and PM schedules of the fixture
/// through [`Tx`], touching only tables that exist since schema 1 and
/// have a single-record write (no part stock).
/// Writes the fixture through today's `Tx`, except the departments, whose
/// table has changed since schema 1 (see `write_schema_1_departments`).
pub fn write_reference_and_assets(tx: &Tx<'_>, d: &Dataset) -> Result<(), StoreError> {
    for s in &d.sites {
        tx.insert_site(s)?;
    }
    for b in &d.buildings {
        tx.insert_building(b)?;
    }
    for l in &d.locations {
        tx.insert_location(l)?;
    }
    for u in &d.users {
        tx.insert_user(u)?;
    }
    for m in &d.manufacturers {
        tx.insert_manufacturer(m)?;
    }
    for t in &d.device_types {
        tx.insert_device_type(t)?;
    }
    for m in &d.models {
        tx.insert_model(m)?;
    }
    for c in &d.checklists {
        tx.insert_checklist(c)?;
    }
    for p in &d.pm_plans {
        tx.insert_pm_plan(p)?;
    }
    for v in &d.vendors {
        tx.insert_vendor(v)?;
    }
    for p in &d.parts {
        tx.insert_part(p)?;
    }
    for a in d.assets.iter().filter(|a| a.parent_id.is_none()) {
        tx.insert_asset(a)?;
    }
    for a in d.assets.iter().filter(|a| a.parent_id.is_some()) {
        tx.insert_asset(a)?;
    }
    for s in &d.pm_schedules {
        tx.upsert_pm_schedule(None, s)?;
    }
    Ok(())
}

/// An in-memory store holding the whole fixture, loaded the bulk way,
/// with every work order.
pub fn loaded_in_memory() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    load(&mut s);
    s
}

pub fn load(s: &mut Store) {
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();
    s.bulk_work_orders(bundles(), 100, &system(), load_time(), |_| {})
        .unwrap();
}

/// Reference data and assets only, no work orders.
pub fn reference_in_memory() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();
    s
}

/// The user row for a fixture user number.
pub fn fixture_user(n: u8) -> User {
    dataset()
        .users
        .into_iter()
        .find(|u| u.id == user_id(n))
        .unwrap()
}

/// Writes the fixture's departments the way schema 1 stored them (it had no
/// short names), straight into the file.
pub fn write_schema_1_departments(path: &std::path::Path, d: &Dataset) {
    let c = rusqlite::Connection::open(path).unwrap();
    for x in &d.departments {
        c.execute(
            "INSERT INTO departments (id, site_id, name, cost_center) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![x.id.0, x.site_id.0, x.name, x.cost_center],
        )
        .unwrap();
    }
}
