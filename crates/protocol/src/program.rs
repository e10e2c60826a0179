//! Version 1 of the records of the HTM program that came to the wire in
//! protocol 2: vendors and service contracts, recalls and what was done
//! about each matched asset, networked devices' profiles, usage windows,
//! training events, vendor invoices, and a hospital's named settings. The
//! managers' reports need them on a device (contract cost in COSR, recalls
//! and cyber exposure in the capital plan, training effect); a device that
//! speaks protocol 1 is never sent them (see [`crate::Kind::since`]).
//! Field names and codes here are the wire format: change them only by
//! adding a `V2`.

use crate::ProtocolError;
use crate::records::code;
use biomend_domain::Money;
use biomend_domain::ids::*;
use biomend_domain::inventory::{Coverage, ServiceContract, Vendor};
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::recall::{Recall, RecallAction, RecallAsset, RecallSource};
use biomend_domain::settings::{HospitalSettings, check_bounds};
use biomend_domain::training::TrainingEvent;
use biomend_domain::usage::UsageWindow;
use biomend_domain::work_order::VendorCharge;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorV1 {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub account: Option<String>,
}

impl From<&Vendor> for VendorV1 {
    fn from(v: &Vendor) -> Self {
        VendorV1 {
            id: v.id.0,
            name: v.name.clone(),
            phone: v.phone.clone(),
            email: v.email.clone(),
            account: v.account.clone(),
        }
    }
}

impl From<VendorV1> for Vendor {
    fn from(v: VendorV1) -> Self {
        Vendor {
            id: VendorId(v.id),
            name: v.name,
            phone: v.phone,
            email: v.email,
            account: v.account,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceContractV1 {
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub number: String,
    pub coverage: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub annual_cost_cents: i64,
    pub hours_cap: Option<u32>,
    pub cost_cap_cents: Option<i64>,
    pub uptime_guarantee_pct: Option<f64>,
}

impl From<&ServiceContract> for ServiceContractV1 {
    fn from(c: &ServiceContract) -> Self {
        ServiceContractV1 {
            id: c.id.0,
            vendor_id: c.vendor_id.0,
            number: c.number.clone(),
            coverage: c.coverage.as_str().to_string(),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            annual_cost_cents: c.annual_cost.cents(),
            hours_cap: c.hours_cap,
            cost_cap_cents: c.cost_cap.map(|m| m.cents()),
            uptime_guarantee_pct: c.uptime_guarantee_pct,
        }
    }
}

impl TryFrom<ServiceContractV1> for ServiceContract {
    type Error = ProtocolError;
    fn try_from(c: ServiceContractV1) -> Result<Self, ProtocolError> {
        Ok(ServiceContract {
            id: ContractId(c.id),
            vendor_id: VendorId(c.vendor_id),
            number: c.number,
            coverage: code("service_contract.coverage", &c.coverage, Coverage::parse)?,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            annual_cost: Money(c.annual_cost_cents),
            hours_cap: c.hours_cap,
            cost_cap: c.cost_cap_cents.map(Money),
            uptime_guarantee_pct: c.uptime_guarantee_pct,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecallV1 {
    pub id: Uuid,
    pub source: String,
    pub number: String,
    pub title: String,
    pub received_on: NaiveDate,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub device_type_code: Option<String>,
    pub product_code: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

impl From<&Recall> for RecallV1 {
    fn from(r: &Recall) -> Self {
        RecallV1 {
            id: r.id.0,
            source: r.source.as_str().to_string(),
            number: r.number.clone(),
            title: r.title.clone(),
            received_on: r.received_on,
            manufacturer: r.manufacturer.clone(),
            model: r.model.clone(),
            device_type_code: r.device_type_code.clone(),
            product_code: r.product_code.clone(),
            closed_on: r.closed_on,
        }
    }
}

impl TryFrom<RecallV1> for Recall {
    type Error = ProtocolError;
    fn try_from(r: RecallV1) -> Result<Self, ProtocolError> {
        Ok(Recall {
            id: RecallId(r.id),
            source: code("recall.source", &r.source, RecallSource::parse)?,
            number: r.number,
            title: r.title,
            received_on: r.received_on,
            manufacturer: r.manufacturer,
            model: r.model,
            device_type_code: r.device_type_code,
            product_code: r.product_code,
            closed_on: r.closed_on,
        })
    }
}

/// One asset a recall matched; keyed by `recall_id:asset_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecallAssetV1 {
    pub recall_id: Uuid,
    pub asset_id: Uuid,
    pub action: String,
    pub work_order_id: Option<Uuid>,
    pub acted_on: Option<NaiveDate>,
}

impl From<&RecallAsset> for RecallAssetV1 {
    fn from(r: &RecallAsset) -> Self {
        RecallAssetV1 {
            recall_id: r.recall_id.0,
            asset_id: r.asset_id.0,
            action: r.action.as_str().to_string(),
            work_order_id: r.work_order_id.map(|w| w.0),
            acted_on: r.acted_on,
        }
    }
}

impl TryFrom<RecallAssetV1> for RecallAsset {
    type Error = ProtocolError;
    fn try_from(r: RecallAssetV1) -> Result<Self, ProtocolError> {
        Ok(RecallAsset {
            recall_id: RecallId(r.recall_id),
            asset_id: AssetId(r.asset_id),
            action: code("recall_asset.action", &r.action, RecallAction::parse)?,
            work_order_id: r.work_order_id.map(WorkOrderId),
            acted_on: r.acted_on,
        })
    }
}

/// A networked device's profile; keyed by its asset's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkProfileV1 {
    pub asset_id: Uuid,
    pub hostname: Option<String>,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub vlan: Option<u16>,
    pub segment: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub firmware_version: Option<String>,
    pub patch_level: Option<String>,
    pub last_patched_on: Option<NaiveDate>,
    pub remote_recoverable: bool,
    pub stores_phi: bool,
    pub patch_validation: String,
}

impl From<&NetworkProfile> for NetworkProfileV1 {
    fn from(n: &NetworkProfile) -> Self {
        NetworkProfileV1 {
            asset_id: n.asset_id.0,
            hostname: n.hostname.clone(),
            ip_address: n.ip_address.clone(),
            mac_address: n.mac_address.clone(),
            vlan: n.vlan,
            segment: n.segment.clone(),
            os_name: n.os_name.clone(),
            os_version: n.os_version.clone(),
            firmware_version: n.firmware_version.clone(),
            patch_level: n.patch_level.clone(),
            last_patched_on: n.last_patched_on,
            remote_recoverable: n.remote_recoverable,
            stores_phi: n.stores_phi,
            patch_validation: n.patch_validation.as_str().to_string(),
        }
    }
}

impl TryFrom<NetworkProfileV1> for NetworkProfile {
    type Error = ProtocolError;
    fn try_from(n: NetworkProfileV1) -> Result<Self, ProtocolError> {
        Ok(NetworkProfile {
            asset_id: AssetId(n.asset_id),
            hostname: n.hostname,
            ip_address: n.ip_address,
            mac_address: n.mac_address,
            vlan: n.vlan,
            segment: n.segment,
            os_name: n.os_name,
            os_version: n.os_version,
            firmware_version: n.firmware_version,
            patch_level: n.patch_level,
            last_patched_on: n.last_patched_on,
            remote_recoverable: n.remote_recoverable,
            stores_phi: n.stores_phi,
            patch_validation: code(
                "network_profile.patch_validation",
                &n.patch_validation,
                PatchValidation::parse,
            )?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageWindowV1 {
    pub id: Uuid,
    pub department_id: Uuid,
    pub device_type_id: Option<Uuid>,
    /// Bit 0 = Monday … bit 6 = Sunday.
    pub weekdays: u8,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

impl From<&UsageWindow> for UsageWindowV1 {
    fn from(u: &UsageWindow) -> Self {
        UsageWindowV1 {
            id: u.id.0,
            department_id: u.department_id.0,
            device_type_id: u.device_type_id.map(|d| d.0),
            weekdays: u.weekdays,
            starts: u.starts,
            ends: u.ends,
        }
    }
}

impl TryFrom<UsageWindowV1> for UsageWindow {
    type Error = ProtocolError;
    fn try_from(u: UsageWindowV1) -> Result<Self, ProtocolError> {
        if u.weekdays > 0b111_1111 {
            return Err(ProtocolError::BadRecord {
                kind: "usage_window".into(),
                detail: format!("weekdays has bits past Sunday: {:#b}", u.weekdays),
            });
        }
        Ok(UsageWindow {
            id: UsageWindowId(u.id),
            department_id: DepartmentId(u.department_id),
            device_type_id: u.device_type_id.map(DeviceTypeId),
            weekdays: u.weekdays,
            starts: u.starts,
            ends: u.ends,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingEventV1 {
    pub id: Uuid,
    pub department_id: Uuid,
    pub device_type_id: Uuid,
    pub held_on: NaiveDate,
    pub topic: String,
    pub trainer: String,
    pub attendees: u32,
}

impl From<&TrainingEvent> for TrainingEventV1 {
    fn from(t: &TrainingEvent) -> Self {
        TrainingEventV1 {
            id: t.id.0,
            department_id: t.department_id.0,
            device_type_id: t.device_type_id.0,
            held_on: t.held_on,
            topic: t.topic.clone(),
            trainer: t.trainer.clone(),
            attendees: t.attendees,
        }
    }
}

impl From<TrainingEventV1> for TrainingEvent {
    fn from(t: TrainingEventV1) -> Self {
        TrainingEvent {
            id: TrainingEventId(t.id),
            department_id: DepartmentId(t.department_id),
            device_type_id: DeviceTypeId(t.device_type_id),
            held_on: t.held_on,
            topic: t.topic,
            trainer: t.trainer,
            attendees: t.attendees,
        }
    }
}

/// A vendor's invoice against a work order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorChargeV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub vendor_id: Uuid,
    pub invoice_number: String,
    pub labor_cost_cents: i64,
    pub parts_cost_cents: i64,
    pub travel_cost_cents: i64,
    pub invoiced_on: NaiveDate,
}

impl From<&VendorCharge> for VendorChargeV1 {
    fn from(v: &VendorCharge) -> Self {
        VendorChargeV1 {
            id: v.id.0,
            work_order_id: v.work_order_id.0,
            vendor_id: v.vendor_id.0,
            invoice_number: v.invoice_number.clone(),
            labor_cost_cents: v.labor_cost.cents(),
            parts_cost_cents: v.parts_cost.cents(),
            travel_cost_cents: v.travel_cost.cents(),
            invoiced_on: v.invoiced_on,
        }
    }
}

impl From<VendorChargeV1> for VendorCharge {
    fn from(v: VendorChargeV1) -> Self {
        VendorCharge {
            id: VendorChargeId(v.id),
            work_order_id: WorkOrderId(v.work_order_id),
            vendor_id: VendorId(v.vendor_id),
            invoice_number: v.invoice_number,
            labor_cost: Money(v.labor_cost_cents),
            parts_cost: Money(v.parts_cost_cents),
            travel_cost: Money(v.travel_cost_cents),
            invoiced_on: v.invoiced_on,
        }
    }
}

/// A hospital's settings group (e.g. `analytics`); keyed by its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HospitalSettingsV1 {
    pub name: String,
    pub values: BTreeMap<String, String>,
    pub updated_by: Uuid,
    pub updated_at: DateTime<Utc>,
}

impl From<&HospitalSettings> for HospitalSettingsV1 {
    fn from(s: &HospitalSettings) -> Self {
        HospitalSettingsV1 {
            name: s.name.clone(),
            values: s.values.clone(),
            updated_by: s.updated_by.0,
            updated_at: s.updated_at,
        }
    }
}

impl TryFrom<HospitalSettingsV1> for HospitalSettings {
    type Error = ProtocolError;
    fn try_from(s: HospitalSettingsV1) -> Result<Self, ProtocolError> {
        check_bounds(&s.values).map_err(|detail| ProtocolError::BadRecord {
            kind: "hospital_settings".into(),
            detail,
        })?;
        Ok(HospitalSettings {
            name: s.name,
            values: s.values,
            updated_by: UserId(s.updated_by),
            updated_at: s.updated_at,
        })
    }
}
