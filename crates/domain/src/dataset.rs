//! Whole-hospital data in one value: what the demo generator produces and
//! the store bulk-loads. Work orders travel separately as
//! [`WorkOrderBundle`]s, so a million of them can stream without being held
//! in memory at once.

use crate::asset::Asset;
use crate::catalog::{DeviceType, Manufacturer, Model};
use crate::checklist::{Checklist, Reading, SafetyEdition};
use crate::inventory::{Part, PartStock, ServiceContract, Vendor};
use crate::network::NetworkProfile;
use crate::org::{Building, Department, Location, Site};
use crate::pm::{PmPlan, PmSchedule};
use crate::recall::{Recall, RecallAsset};
use crate::training::TrainingEvent;
use crate::usage::UsageWindow;
use crate::user::User;
use crate::work_order::{
    Downtime, Labor, PartUse, PmAttempt, Signature, VendorCharge, WorkNote, WorkOrder,
};
use serde::{Deserialize, Serialize};

/// Reference data and inventory: everything but work-order history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub sites: Vec<Site>,
    pub buildings: Vec<Building>,
    pub departments: Vec<Department>,
    pub locations: Vec<Location>,
    pub users: Vec<User>,
    pub manufacturers: Vec<Manufacturer>,
    pub device_types: Vec<DeviceType>,
    pub models: Vec<Model>,
    pub safety_editions: Vec<SafetyEdition>,
    pub checklists: Vec<Checklist>,
    pub pm_plans: Vec<PmPlan>,
    pub vendors: Vec<Vendor>,
    pub contracts: Vec<ServiceContract>,
    pub parts: Vec<Part>,
    pub part_stock: Vec<PartStock>,
    pub assets: Vec<Asset>,
    pub network_profiles: Vec<NetworkProfile>,
    pub pm_schedules: Vec<PmSchedule>,
    pub usage_windows: Vec<UsageWindow>,
    pub training_events: Vec<TrainingEvent>,
    pub recalls: Vec<Recall>,
    pub recall_assets: Vec<RecallAsset>,
}

/// One work order with every record attached to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderBundle {
    pub work_order: WorkOrder,
    pub labor: Vec<Labor>,
    pub parts: Vec<PartUse>,
    pub vendor_charges: Vec<VendorCharge>,
    pub downtime: Vec<Downtime>,
    pub readings: Vec<Reading>,
    pub attempts: Vec<PmAttempt>,
    pub notes: Vec<WorkNote>,
    pub signature: Option<Signature>,
}

impl WorkOrderBundle {
    pub fn new(work_order: WorkOrder) -> Self {
        WorkOrderBundle {
            work_order,
            labor: Vec::new(),
            parts: Vec::new(),
            vendor_charges: Vec::new(),
            downtime: Vec::new(),
            readings: Vec::new(),
            attempts: Vec::new(),
            notes: Vec::new(),
            signature: None,
        }
    }
}
