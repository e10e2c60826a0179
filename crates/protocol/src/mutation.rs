//! Mutations: what one user action did, named and versioned, as the device
//! records it in its outbox and later pushes it to the server.
//!
//! A mutation carries everything the server needs to apply it on its own:
//! whole records with their device-minted ids (insert-only, so they never
//! conflict), and for contended fields the value the user started from, so
//! the server can compare-and-set instead of letting the last writer win.

use crate::records::*;
use crate::reference::*;
use crate::{Hlc, ProtocolError};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A contended field: the value the user saw and the value they set. The
/// server applies `to` only while the field still holds `from`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange<T> {
    pub from: T,
    pub to: T,
}

impl<T> FieldChange<T> {
    pub fn new(from: T, to: T) -> Self {
        FieldChange { from, to }
    }
}

impl FieldChange<String> {
    /// A change between two stable codes, e.g. work-order statuses.
    pub fn codes(from: &str, to: &str) -> Self {
        FieldChange::new(from.to_string(), to.to_string())
    }
}

/// An asset's status moved as a side effect of the action (down when a
/// repair is opened, back in service when it is completed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetStatusChange {
    pub asset_id: Uuid,
    pub status: FieldChange<String>,
}

/// An open downtime period closed by the action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeEnd {
    pub downtime_id: Uuid,
    pub ended_at: DateTime<Utc>,
}

/// `create_work_order@1`: a corrective or PM work order was opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkOrder {
    pub work_order: WorkOrderV1,
    /// The device went down with it.
    pub downtime: Option<DowntimeV1>,
    pub asset_status: Option<AssetStatusChange>,
}

/// `set_work_order_status@1`: start, hold, resume or cancel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetWorkOrderStatus {
    pub work_order_id: Uuid,
    pub status: FieldChange<String>,
    /// Set when work starts for the first time.
    pub started_at: Option<DateTime<Utc>>,
    /// Whoever starts unassigned work takes it.
    pub assigned_to: Option<FieldChange<Option<Uuid>>>,
}

/// `record_work@1`: labor, parts, readings and notes added to open work.
/// All insert-only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordWork {
    pub work_order_id: Uuid,
    pub labor: Vec<LaborV1>,
    pub parts: Vec<PartUseV1>,
    pub readings: Vec<ReadingV1>,
    pub notes: Vec<WorkNoteV1>,
}

impl RecordWork {
    pub fn is_empty(&self) -> bool {
        self.labor.is_empty()
            && self.parts.is_empty()
            && self.readings.is_empty()
            && self.notes.is_empty()
    }
}

/// `complete_work_order@1`: the technician finished and signed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteWorkOrder {
    pub work_order_id: Uuid,
    pub status: FieldChange<String>,
    pub findings: String,
    /// The closure code, e.g. `failure:battery`.
    pub closure: String,
    pub completed_at: DateTime<Utc>,
    /// Set when completing took over unassigned work.
    pub assigned_to: Option<FieldChange<Option<Uuid>>>,
    /// What was recorded in the same action.
    pub work: RecordWork,
    pub signature: SignatureV1,
    pub downtime_ended: Option<DowntimeEnd>,
    pub asset_status: Option<AssetStatusChange>,
    /// For a PM: the schedule as it was and as it moved on.
    pub pm_schedule: Option<FieldChange<PmScheduleV1>>,
}

/// `sign_off_work_order@1`: a supervisor signed off completed work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffWorkOrder {
    pub work_order_id: Uuid,
    pub status: FieldChange<String>,
    pub signed_off_by: Uuid,
    pub signed_off_at: DateTime<Utc>,
}

/// `record_pm_attempt@1`: a PM could not be done (device in use, not
/// located); insert-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPmAttempt {
    pub attempt: PmAttemptV1,
}

/// `update_asset@1`: someone changed what is known of a device: moved it,
/// changed its status, corrected its serial, re-scored its risk, edited
/// its notes. Each field present is compare-and-set on its own, so two
/// people editing different fields of one asset both keep their edit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAsset {
    pub asset_id: Uuid,
    pub status: Option<FieldChange<String>>,
    pub location_id: Option<FieldChange<Option<Uuid>>>,
    pub department_id: Option<FieldChange<Uuid>>,
    pub serial: Option<FieldChange<Option<String>>>,
    pub risk: Option<FieldChange<crate::EmScoreV1>>,
    pub notes: Option<FieldChange<String>>,
}

impl UpdateAsset {
    /// Whether no field changes.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.location_id.is_none()
            && self.department_id.is_none()
            && self.serial.is_none()
            && self.risk.is_none()
            && self.notes.is_none()
    }
}

/// `set_hospital_settings@1`: a manager or administrator changed some of
/// a settings group's values (e.g. the capital plan's weights). Each key
/// is compare-and-set on its own: `from` is the value the user saw, `to`
/// the one they chose; `None` is "not set" (the default applies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetHospitalSettings {
    pub name: String,
    pub changes: BTreeMap<String, FieldChange<Option<String>>>,
    pub updated_at: DateTime<Utc>,
}

/// One asset an import created (`before` is `None`) or changed (`before`
/// is the asset as the importing device held it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedAsset {
    pub before: Option<AssetV1>,
    pub after: AssetV1,
}

/// A network profile an import created or changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedNetworkProfile {
    pub before: Option<crate::NetworkProfileV1>,
    pub after: crate::NetworkProfileV1,
}

/// `import_assets@1`: part of an inventory file imported on a device.
/// A large file travels as several parts (each well under a push's size
/// limit), applied in seq order; the reference records it creates come in
/// the first part, so later parts only name them. Every id was derived from
/// its record's natural key (an asset from its tag), so the same file
/// imported elsewhere names the same rows. The server inserts what it
/// lacks and compare-and-sets each changed field of what it has.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportAssets {
    /// The import, as the device's audit trail names it.
    pub import_id: Uuid,
    /// The file's name (no directories).
    pub file: String,
    /// 1-based, of `parts`.
    pub part: u32,
    pub parts: u32,
    pub buildings: Vec<BuildingV1>,
    pub departments: Vec<DepartmentV1>,
    pub locations: Vec<LocationV1>,
    pub manufacturers: Vec<ManufacturerV1>,
    pub device_types: Vec<DeviceTypeV1>,
    pub models: Vec<ModelV1>,
    pub assets: Vec<ImportedAsset>,
    pub network_profiles: Vec<ImportedNetworkProfile>,
}

/// One user action's intent, one variant per kind of action.
#[derive(Clone, Debug, PartialEq)]
pub enum Mutation {
    CreateWorkOrder(CreateWorkOrder),
    SetWorkOrderStatus(SetWorkOrderStatus),
    RecordWork(RecordWork),
    CompleteWorkOrder(CompleteWorkOrder),
    SignOffWorkOrder(SignOffWorkOrder),
    RecordPmAttempt(RecordPmAttempt),
    UpdateAsset(UpdateAsset),
    SetHospitalSettings(SetHospitalSettings),
    ImportAssets(ImportAssets),
}

/// Every mutation this build can decode, as (name, version).
pub const SUPPORTED: &[(&str, u16)] = &[
    ("create_work_order", 1),
    ("set_work_order_status", 1),
    ("record_work", 1),
    ("complete_work_order", 1),
    ("sign_off_work_order", 1),
    ("record_pm_attempt", 1),
    ("update_asset", 1),
    ("set_hospital_settings", 1),
    ("import_assets", 1),
];

impl Mutation {
    /// The stable name, e.g. `complete_work_order`.
    pub fn name(&self) -> &'static str {
        match self {
            Mutation::CreateWorkOrder(_) => "create_work_order",
            Mutation::SetWorkOrderStatus(_) => "set_work_order_status",
            Mutation::RecordWork(_) => "record_work",
            Mutation::CompleteWorkOrder(_) => "complete_work_order",
            Mutation::SignOffWorkOrder(_) => "sign_off_work_order",
            Mutation::RecordPmAttempt(_) => "record_pm_attempt",
            Mutation::UpdateAsset(_) => "update_asset",
            Mutation::SetHospitalSettings(_) => "set_hospital_settings",
            Mutation::ImportAssets(_) => "import_assets",
        }
    }

    /// The payload version this build writes for this mutation.
    pub fn version(&self) -> u16 {
        match self {
            Mutation::CreateWorkOrder(_)
            | Mutation::SetWorkOrderStatus(_)
            | Mutation::RecordWork(_)
            | Mutation::CompleteWorkOrder(_)
            | Mutation::SignOffWorkOrder(_)
            | Mutation::RecordPmAttempt(_)
            | Mutation::UpdateAsset(_)
            | Mutation::SetHospitalSettings(_)
            | Mutation::ImportAssets(_) => 1,
        }
    }

    /// The payload as JSON.
    pub fn to_payload(&self) -> serde_json::Value {
        let v = match self {
            Mutation::CreateWorkOrder(p) => serde_json::to_value(p),
            Mutation::SetWorkOrderStatus(p) => serde_json::to_value(p),
            Mutation::RecordWork(p) => serde_json::to_value(p),
            Mutation::CompleteWorkOrder(p) => serde_json::to_value(p),
            Mutation::SignOffWorkOrder(p) => serde_json::to_value(p),
            Mutation::RecordPmAttempt(p) => serde_json::to_value(p),
            Mutation::UpdateAsset(p) => serde_json::to_value(p),
            Mutation::SetHospitalSettings(p) => serde_json::to_value(p),
            Mutation::ImportAssets(p) => serde_json::to_value(p),
        };
        // Payloads are plain structs with string keys; serializing them
        // cannot fail.
        v.expect("mutation payloads serialize to JSON")
    }

    /// Reads a mutation by name and version. An unknown name or version is
    /// [`ProtocolError::Unsupported`]; a payload of the wrong shape is
    /// [`ProtocolError::Malformed`].
    pub fn decode(
        name: &str,
        version: u16,
        payload: &serde_json::Value,
    ) -> Result<Mutation, ProtocolError> {
        fn read<T: DeserializeOwned>(
            name: &str,
            version: u16,
            payload: &serde_json::Value,
        ) -> Result<T, ProtocolError> {
            T::deserialize(payload).map_err(|e| ProtocolError::Malformed {
                name: name.to_string(),
                version,
                detail: e.to_string(),
            })
        }
        Ok(match (name, version) {
            ("create_work_order", 1) => Mutation::CreateWorkOrder(read(name, version, payload)?),
            ("set_work_order_status", 1) => {
                Mutation::SetWorkOrderStatus(read(name, version, payload)?)
            }
            ("record_work", 1) => Mutation::RecordWork(read(name, version, payload)?),
            ("complete_work_order", 1) => {
                Mutation::CompleteWorkOrder(read(name, version, payload)?)
            }
            ("sign_off_work_order", 1) => Mutation::SignOffWorkOrder(read(name, version, payload)?),
            ("record_pm_attempt", 1) => Mutation::RecordPmAttempt(read(name, version, payload)?),
            ("update_asset", 1) => Mutation::UpdateAsset(read(name, version, payload)?),
            ("set_hospital_settings", 1) => {
                Mutation::SetHospitalSettings(read(name, version, payload)?)
            }
            ("import_assets", 1) => Mutation::ImportAssets(read(name, version, payload)?),
            _ => {
                return Err(ProtocolError::Unsupported {
                    name: name.to_string(),
                    version,
                });
            }
        })
    }
}

/// A mutation as it sits in the outbox and travels to the server: `seq`
/// orders a device's mutations and lets the server apply each exactly once
/// (it keeps the last seq it applied per device); `id` names it for
/// replies; `hlc` orders it for the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationEnvelope {
    pub id: Uuid,
    pub seq: u64,
    pub name: String,
    pub version: u16,
    pub hlc: Hlc,
    pub payload: serde_json::Value,
}

impl MutationEnvelope {
    /// An envelope from a device's stored outbox row, whose clock value is
    /// kept in its text form.
    pub fn from_stored(
        id: Uuid,
        seq: u64,
        name: String,
        version: u16,
        hlc: &str,
        payload: serde_json::Value,
    ) -> Result<MutationEnvelope, ProtocolError> {
        Ok(MutationEnvelope {
            id,
            seq,
            name,
            version,
            hlc: hlc.parse()?,
            payload,
        })
    }

    /// Decodes the payload by the envelope's name and version.
    pub fn mutation(&self) -> Result<Mutation, ProtocolError> {
        Mutation::decode(&self.name, self.version, &self.payload)
    }
}
