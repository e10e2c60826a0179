//! A tiny hand-built hospital for unit tests, small enough that every
//! expected number can be worked out by hand in the test.

use crate::facts::Catalog;
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{DeviceType, Model, NomenclatureSystem};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::*;
use biomend_domain::inventory::{Coverage, ServiceContract};
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::org::Department;
use biomend_domain::pm::{PmPlan, PmStrategy, ScheduleKind};
use biomend_domain::recall::{Recall, RecallAction, RecallAsset, RecallSource};
use biomend_domain::risk::EmScore;
use biomend_domain::usage::UsageWindow;
use biomend_domain::user::{Role, User};
use biomend_domain::work_order::*;
use chrono::{DateTime, NaiveDate, Utc};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn t(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    d(y, m, day).and_hms_opt(h, 0, 0).unwrap().and_utc()
}

/// Ids from a small number, so tests read `id!(AssetId, 3)`.
macro_rules! id {
    ($t:ident, $n:expr) => {
        biomend_domain::ids::$t::new(u64::from($n), [$n as u8; 10])
    };
}
pub(crate) use id;

pub struct Fixture {
    pub departments: Vec<Department>,
    pub device_types: Vec<DeviceType>,
    pub models: Vec<Model>,
    pub assets: Vec<Asset>,
    pub users: Vec<User>,
    pub contracts: Vec<ServiceContract>,
    pub pm_plans: Vec<PmPlan>,
    pub recalls: Vec<Recall>,
    pub recall_assets: Vec<RecallAsset>,
    pub network_profiles: Vec<NetworkProfile>,
    pub usage_windows: Vec<UsageWindow>,
}

impl Fixture {
    pub fn catalog(&self) -> Catalog<'_> {
        Catalog {
            departments: &self.departments,
            device_types: &self.device_types,
            models: &self.models,
            assets: &self.assets,
            users: &self.users,
            contracts: &self.contracts,
            pm_plans: &self.pm_plans,
            recalls: &self.recalls,
            recall_assets: &self.recall_assets,
            network_profiles: &self.network_profiles,
            usage_windows: &self.usage_windows,
        }
    }
}

pub const SITE: u8 = 1;
pub const ICU: u8 = 2;
pub const WARD: u8 = 3;
pub const PUMP: u8 = 10;
pub const VENT: u8 = 11;
pub const MAKER_A: u8 = 20;
pub const MAKER_B: u8 = 21;
pub const PUMP_A: u8 = 30;
pub const PUMP_B: u8 = 31;
pub const VENT_A: u8 = 32;
pub const TECH: u8 = 40;
pub const TEMP: u8 = 41;
pub const PLAN: u8 = 50;
pub const CONTRACT: u8 = 60;
pub const RECALL: u8 = 70;

pub fn asset(n: u8, model: u8, dept: u8, acquired: NaiveDate, cost_dollars: i64) -> Asset {
    Asset {
        id: id!(AssetId, n),
        tag: format!("BME-{n:04}"),
        serial: None,
        model_id: id!(ModelId, model),
        department_id: id!(DepartmentId, dept),
        location_id: None,
        ownership: Ownership::Owned,
        status: AssetStatus::InService,
        acquired_on: Some(acquired),
        acquisition_cost: Some(Money(cost_dollars * 100)),
        warranty_end: None,
        contract_id: None,
        expected_life_years: None,
        risk: EmScore::new(5, 3, 3, 0).unwrap(),
        life_support_override: false,
        parent_id: None,
        notes: String::new(),
    }
}

/// Two departments; pumps (10-year life, not life support) from makers A
/// and B, ventilators (life support) from A; a technician at $60/h and a
/// temp with no rate; a 12-month fixed PM plan; a $1,000/year contract.
pub fn hospital() -> Fixture {
    let dept = |n: u8, name: &str| Department {
        id: id!(DepartmentId, n),
        site_id: id!(SiteId, SITE),
        name: name.into(),
        short_name: None,
        cost_center: None,
    };
    let dtype = |n: u8, code: &str, life_support: bool| DeviceType {
        id: id!(DeviceTypeId, n),
        system: NomenclatureSystem::Umdns,
        code: code.into(),
        name: code.into(),
        life_support,
        aem_exclusion: None,
        default_risk: EmScore::new(5, 3, 3, 0).unwrap(),
        expected_life_years: 10,
    };
    let model = |n: u8, maker: u8, ty: u8, name: &str| Model {
        id: id!(ModelId, n),
        manufacturer_id: id!(ManufacturerId, maker),
        device_type_id: id!(DeviceTypeId, ty),
        name: name.into(),
        expected_life_years: None,
        end_of_support: None,
        replacement_cost: Some(Money(1_000_000)),
        mds2: None,
        sbom: Vec::new(),
    };
    let user = |n: u8, rate: Option<i64>| User {
        id: id!(UserId, n),
        username: format!("u{n}"),
        display_name: format!("User {n}"),
        role: Role::Technician,
        sites: vec![id!(SiteId, SITE)],
        active: true,
        loaded_rate_cents: rate,
    };
    Fixture {
        departments: vec![dept(ICU, "ICU"), dept(WARD, "Ward")],
        device_types: vec![dtype(PUMP, "13-215", false), dtype(VENT, "17-429", true)],
        models: vec![
            model(PUMP_A, MAKER_A, PUMP, "A-100"),
            model(PUMP_B, MAKER_B, PUMP, "B-200"),
            model(VENT_A, MAKER_A, VENT, "A-V1"),
        ],
        assets: Vec::new(),
        users: vec![user(TECH, Some(6_000)), user(TEMP, None)],
        contracts: vec![ServiceContract {
            id: id!(ContractId, CONTRACT),
            vendor_id: id!(VendorId, 61u8),
            number: "C-1".into(),
            coverage: Coverage::FullService,
            starts_on: d(2020, 1, 1),
            ends_on: d(2030, 12, 31),
            annual_cost: Money(100_000),
            hours_cap: None,
            cost_cap: None,
            uptime_guarantee_pct: None,
        }],
        pm_plans: vec![PmPlan {
            id: id!(PmPlanId, PLAN),
            name: "Annual".into(),
            model_id: None,
            device_type_id: None,
            interval_months: 12,
            schedule: ScheduleKind::Fixed,
            strategy: PmStrategy::Manufacturer,
            aem_evidence: None,
            checklist_id: None,
            estimated_minutes: 60,
        }],
        recalls: vec![Recall {
            id: id!(RecallId, RECALL),
            source: RecallSource::Fda,
            number: "Z-1".into(),
            title: "recall".into(),
            received_on: d(2025, 5, 1),
            manufacturer: None,
            model: Some("B-200".into()),
            device_type_code: None,
            product_code: None,
            closed_on: None,
        }],
        recall_assets: Vec::new(),
        network_profiles: Vec::new(),
        usage_windows: Vec::new(),
    }
}

pub fn recall_asset(asset: u8) -> RecallAsset {
    RecallAsset {
        recall_id: id!(RecallId, RECALL),
        asset_id: id!(AssetId, asset),
        action: RecallAction::Pending,
        work_order_id: None,
        acted_on: None,
    }
}

/// A closed corrective work order on `asset`, opened and completed at the
/// given times, with the closure given.
pub fn corrective(
    n: u16,
    asset: u8,
    opened: DateTime<Utc>,
    completed: DateTime<Utc>,
    closure: ClosureCode,
) -> WorkOrderBundle {
    let mut w = WorkOrder::opened(
        WorkOrderId::new(0xC000 + u64::from(n), [1; 10]),
        format!("WO-{n}"),
        id!(AssetId, asset),
        WorkOrderKind::Corrective,
        Priority::Routine,
        "reported".into(),
        opened,
        id!(UserId, TECH),
    );
    w.status = WorkOrderStatus::Completed;
    w.started_at = Some(opened);
    w.completed_at = Some(completed);
    w.closure = Some(closure);
    WorkOrderBundle::new(w)
}

pub fn pm(n: u16, asset: u8, due: NaiveDate, completed: Option<DateTime<Utc>>) -> WorkOrderBundle {
    let mut w = WorkOrder::opened(
        WorkOrderId::new(0xB000 + u64::from(n), [2; 10]),
        format!("PM-{n}"),
        id!(AssetId, asset),
        WorkOrderKind::Pm,
        Priority::Scheduled,
        "PM".into(),
        due.and_hms_opt(6, 0, 0).unwrap().and_utc(),
        id!(UserId, TECH),
    );
    w.due_on = Some(due);
    w.pm_plan_id = Some(id!(PmPlanId, PLAN));
    if let Some(c) = completed {
        w.status = WorkOrderStatus::Completed;
        w.started_at = Some(c);
        w.completed_at = Some(c);
        w.closure = Some(ClosureCode::PreventiveOnly);
    }
    WorkOrderBundle::new(w)
}

pub fn labor(b: &mut WorkOrderBundle, who: u8, minutes: u32, on: NaiveDate) {
    b.labor.push(Labor {
        id: LaborId::new(0xA000 + b.labor.len() as u64, [3; 10]),
        work_order_id: b.work_order.id,
        technician_id: id!(UserId, who),
        minutes,
        performed_on: on,
        note: String::new(),
    });
}

pub fn downtime(b: &mut WorkOrderBundle, from: DateTime<Utc>, to: DateTime<Utc>, factor: f64) {
    b.downtime.push(Downtime {
        id: DowntimeId::new(0xD000 + b.downtime.len() as u64, [3; 10]),
        asset_id: b.work_order.asset_id,
        work_order_id: Some(b.work_order.id),
        started_at: from,
        ended_at: Some(to),
        partial_factor: factor,
    });
}

pub fn part(b: &mut WorkOrderBundle, qty: u32, unit_cents: i64, at: DateTime<Utc>) {
    b.parts.push(PartUse {
        id: PartUseId::new(0xE000 + b.parts.len() as u64, [3; 10]),
        work_order_id: b.work_order.id,
        part_id: None,
        part_number: "P-1".into(),
        description: "part".into(),
        quantity: qty,
        unit_cost: Money(unit_cents),
        recorded_by: id!(UserId, TECH),
        recorded_at: at,
    });
}

pub fn vendor(b: &mut WorkOrderBundle, cents: i64, on: NaiveDate) {
    b.vendor_charges.push(VendorCharge {
        id: VendorChargeId::new(0xF000 + b.vendor_charges.len() as u64, [3; 10]),
        work_order_id: b.work_order.id,
        vendor_id: id!(VendorId, 61u8),
        invoice_number: "INV".into(),
        labor_cost: Money(cents),
        parts_cost: Money::ZERO,
        travel_cost: Money::ZERO,
        invoiced_on: on,
    });
}

pub fn attempt(b: &mut WorkOrderBundle, at: DateTime<Utc>, outcome: AttemptOutcome) {
    b.attempts.push(PmAttempt {
        id: PmAttemptId::new(0x9000 + b.attempts.len() as u64, [3; 10]),
        work_order_id: b.work_order.id,
        technician_id: id!(UserId, TECH),
        attempted_at: at,
        outcome,
        note: String::new(),
    });
}

pub fn network(asset: u8, os: &str, validation: PatchValidation) -> NetworkProfile {
    NetworkProfile {
        asset_id: id!(AssetId, asset),
        hostname: None,
        ip_address: None,
        mac_address: None,
        vlan: None,
        segment: None,
        os_name: Some(os.into()),
        os_version: None,
        firmware_version: None,
        patch_level: None,
        last_patched_on: None,
        remote_recoverable: false,
        stores_phi: true,
        patch_validation: validation,
    }
}
