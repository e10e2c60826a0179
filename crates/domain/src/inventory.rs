//! Parts and stock, vendors, and service contracts.

use crate::Money;
use crate::ids::{ContractId, PartId, SiteId, VendorId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub id: PartId,
    pub part_number: String,
    pub description: String,
    pub manufacturer: Option<String>,
    pub unit_cost: Money,
}

/// Stock of one part at one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartStock {
    pub part_id: PartId,
    pub site_id: SiteId,
    pub on_hand: i64,
    pub reorder_point: i64,
    pub bin: String,
}

impl PartStock {
    pub fn needs_reorder(&self) -> bool {
        self.on_hand <= self.reorder_point
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vendor {
    pub id: VendorId,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The hospital's account number with this vendor.
    pub account: Option<String>,
}

crate::code_enum! {
    pub enum Coverage {
        /// Parts, labor and PM.
        FullService => "full_service",
        PmOnly => "pm_only",
        PartsOnly => "parts_only",
        /// Discounted time-and-materials.
        TimeAndMaterials => "time_and_materials",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceContract {
    pub id: ContractId,
    pub vendor_id: VendorId,
    pub number: String,
    pub coverage: Coverage,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub annual_cost: Money,
    pub hours_cap: Option<u32>,
    pub cost_cap: Option<Money>,
    /// Guaranteed uptime in percent (e.g. 95.0), if the contract has one.
    pub uptime_guarantee_pct: Option<f64>,
}

impl ServiceContract {
    pub fn is_active(&self, on: NaiveDate) -> bool {
        self.starts_on <= on && on <= self.ends_on
    }
}
