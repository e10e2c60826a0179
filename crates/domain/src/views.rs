//! Read models: what lists and pages show about assets, work orders and
//! PMs due. Plain data filled by the store's queries, shared with the
//! desktop UI (which cannot link the store).

use crate::Money;
use crate::asset::{Asset, AssetStatus};
use crate::catalog::{DeviceType, Model};
use crate::ids::*;
use crate::inventory::ServiceContract;
use crate::network::NetworkProfile;
use crate::org::{Building, Department, Location, Site};
use crate::pm::{PmPlan, PmSchedule};
use crate::work_order::{ClosureCode, Priority, WorkOrderKind, WorkOrderStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A device as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetSummary {
    pub id: AssetId,
    pub tag: String,
    pub serial: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub device_type_code: String,
    pub device_type: String,
    pub department: String,
    pub location: Option<String>,
    pub status: AssetStatus,
    pub em_number: i32,
    pub life_support: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmScheduleView {
    pub schedule: PmSchedule,
    pub plan: PmPlan,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractView {
    pub contract: ServiceContract,
    pub vendor: String,
}

/// Everything the asset page shows except history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetDetail {
    pub asset: Asset,
    pub manufacturer: String,
    pub model: Model,
    pub device_type: DeviceType,
    pub department: Department,
    pub site: Site,
    pub building: Option<Building>,
    pub location: Option<Location>,
    pub network: Option<NetworkProfile>,
    pub contract: Option<ContractView>,
    pub pm: Vec<PmScheduleView>,
    pub parent_tag: Option<String>,
    pub children: Vec<String>,
}

/// A work order as lists and history show it, with its totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderSummary {
    pub id: WorkOrderId,
    pub number: String,
    pub asset_id: AssetId,
    pub asset_tag: String,
    pub kind: WorkOrderKind,
    pub status: WorkOrderStatus,
    pub priority: Priority,
    pub problem: String,
    pub opened_at: DateTime<Utc>,
    pub due_on: Option<NaiveDate>,
    pub assigned_to: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closure: Option<ClosureCode>,
    pub labor_minutes: i64,
    pub parts_cost: Money,
    pub vendor_cost: Money,
}

/// A PM that is due (or overdue) on an asset in someone's area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmDue {
    pub asset: AssetSummary,
    pub plan_id: PmPlanId,
    pub plan_name: String,
    pub interval_months: u16,
    pub next_due: NaiveDate,
    pub last_done: Option<NaiveDate>,
    /// The PM work order already opened for it, if any.
    pub open_work_order: Option<(WorkOrderId, String)>,
}
