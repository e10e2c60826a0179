//! Pulling: how a device catches up with the server.
//!
//! The server gives every row it stores a version from one counter, taken
//! under its write lock, so versions become visible in the order they were
//! assigned and a cursor ("everything up to version n") never skips a
//! change that committed late. A pull asks for the changes after its
//! cursor, a page at a time; each change is the whole row as it is now (an
//! upsert) or a tombstone, so applying a page twice changes nothing.
//!
//! What a device receives is its site's data, decided by the server from
//! the authenticated user and device, never from the request.
//!
//! A device whose cursor is older than the server's tombstone horizon is
//! answered [`RESYNC_REQUIRED`]: it pushes its outbox, then pulls again
//! from zero.

use crate::ProtocolError;
use crate::program::*;
use crate::records::*;
use crate::reference::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// [`crate::ErrorBody::code`] when a pull cursor is older than the
/// server's tombstone horizon: the device must pull again from zero
/// (after pushing what it holds).
pub const RESYNC_REQUIRED: &str = "resync_required";

/// The most changes one pull page may ask for.
pub const MAX_PULL_LIMIT: u32 = 5_000;

/// One pull page request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    pub protocol_version: u16,
    pub schema_version: u32,
    pub device_id: Uuid,
    /// The last version this device applied; 0 for a new device.
    pub cursor: u64,
    /// At most this many changes (the server caps it at
    /// [`MAX_PULL_LIMIT`]).
    pub limit: u32,
    /// This page continues a run that started from cursor 0 (a new device
    /// or a resync), whose result replaces everything the device held.
    /// Such a run cannot miss a deletion, since it only keeps rows alive
    /// when read and tombstones are purged long after their row died, so
    /// the tombstone horizon does not apply to it. Absent means false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_zero: bool,
}

/// One page of changes, oldest version first.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to send next: the version of the last change here, or
    /// the request's cursor when there was nothing new.
    pub cursor: u64,
    /// More changes wait after this page.
    pub more: bool,
}

/// One row as it is now on the server, or its tombstone (`body` null).
/// The body is kept as raw JSON so the server can pass stored rows along
/// without decoding them; [`Change::record`] decodes it by kind.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub version: u64,
    pub kind: String,
    pub key: String,
    pub body: Option<Box<RawValue>>,
}

impl Change {
    /// An upsert of `record` at `version`.
    pub fn upsert(version: u64, record: &Record) -> Change {
        Change {
            version,
            kind: record.kind().as_str().to_string(),
            key: record.key(),
            body: Some(record.to_raw()),
        }
    }

    /// The record this change carries; `None` for a tombstone.
    pub fn record(&self) -> Result<Option<Record>, ProtocolError> {
        let kind = Kind::parse(&self.kind).ok_or_else(|| ProtocolError::BadCode {
            field: "change.kind",
            value: self.kind.clone(),
        })?;
        match &self.body {
            None => Ok(None),
            Some(body) => {
                let record = Record::decode(kind, body.get())?;
                if record.key() != self.key {
                    return Err(ProtocolError::BadRecord {
                        kind: self.kind.clone(),
                        detail: format!(
                            "the change's key {} is not the record's key {}",
                            self.key,
                            record.key()
                        ),
                    });
                }
                Ok(Some(record))
            }
        }
    }
}

macro_rules! kinds {
    ($( $variant:ident($ty:ty) => $code:literal since $since:literal, )+) => {
        /// Every kind of row a device pulls, by its stable code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind { $( $variant, )+ }

        impl Kind {
            /// In dependency order: a row only refers to kinds listed
            /// before it, so applying a page in this order satisfies
            /// foreign keys.
            pub const ALL: &'static [Kind] = &[ $( Kind::$variant, )+ ];

            pub fn as_str(self) -> &'static str {
                match self { $( Kind::$variant => $code, )+ }
            }

            pub fn parse(s: &str) -> Option<Kind> {
                match s { $( $code => Some(Kind::$variant), )+ _ => None }
            }

            /// The protocol version that brought this kind to the wire.
            /// A device speaking an older version is never sent it: it
            /// could not read it, and a pull it cannot read would stop
            /// its sync for good.
            pub fn since(self) -> u16 {
                match self { $( Kind::$variant => $since, )+ }
            }
        }

        /// One pulled row, typed by its kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Record { $( $variant($ty), )+ }

        impl Record {
            pub fn kind(&self) -> Kind {
                match self { $( Record::$variant(_) => Kind::$variant, )+ }
            }

            /// The body as compact JSON.
            pub fn to_json(&self) -> String {
                // Wire records are plain structs with string keys;
                // serializing them cannot fail.
                match self {
                    $( Record::$variant(r) => serde_json::to_string(r), )+
                }
                .expect("wire records serialize to JSON")
            }

            /// Reads a body of the given kind; a field the kind does not
            /// define is refused.
            pub fn decode(kind: Kind, body: &str) -> Result<Record, ProtocolError> {
                let bad = |e: serde_json::Error| ProtocolError::BadRecord {
                    kind: kind.as_str().to_string(),
                    detail: e.to_string(),
                };
                Ok(match kind {
                    $( Kind::$variant => Record::$variant(serde_json::from_str(body).map_err(bad)?), )+
                })
            }
        }
    };
}

kinds! {
    Site(SiteV1) => "site" since 1,
    Building(BuildingV1) => "building" since 1,
    Department(DepartmentV1) => "department" since 1,
    Location(LocationV1) => "location" since 1,
    User(UserV1) => "user" since 1,
    Manufacturer(ManufacturerV1) => "manufacturer" since 1,
    DeviceType(DeviceTypeV1) => "device_type" since 1,
    Model(ModelV1) => "model" since 1,
    SafetyEdition(SafetyEditionV1) => "safety_edition" since 1,
    Checklist(ChecklistV1) => "checklist" since 1,
    PmPlan(PmPlanV1) => "pm_plan" since 1,
    Part(PartV1) => "part" since 1,
    Vendor(VendorV1) => "vendor" since 2,
    ServiceContract(ServiceContractV1) => "service_contract" since 2,
    Recall(RecallV1) => "recall" since 2,
    Asset(AssetV1) => "asset" since 1,
    NetworkProfile(NetworkProfileV1) => "network_profile" since 2,
    PmSchedule(PmScheduleV1) => "pm_schedule" since 1,
    UsageWindow(UsageWindowV1) => "usage_window" since 2,
    TrainingEvent(TrainingEventV1) => "training_event" since 2,
    WorkOrder(WorkOrderV1) => "work_order" since 1,
    Downtime(DowntimeV1) => "downtime" since 1,
    Labor(LaborV1) => "labor" since 1,
    PartUse(PartUseV1) => "part_use" since 1,
    VendorCharge(VendorChargeV1) => "vendor_charge" since 2,
    Reading(ReadingV1) => "reading" since 1,
    WorkNote(WorkNoteV1) => "work_note" since 1,
    Signature(SignatureV1) => "signature" since 1,
    PmAttempt(PmAttemptV1) => "pm_attempt" since 1,
    RecallAsset(RecallAssetV1) => "recall_asset" since 2,
    HospitalSettings(HospitalSettingsV1) => "hospital_settings" since 2,
}

impl Record {
    /// The row's key within its kind: its id, or for a PM schedule (one
    /// per asset and plan) `asset_id:plan_id`.
    pub fn key(&self) -> String {
        match self {
            Record::Site(r) => r.id.to_string(),
            Record::Building(r) => r.id.to_string(),
            Record::Department(r) => r.id.to_string(),
            Record::Location(r) => r.id.to_string(),
            Record::User(r) => r.id.to_string(),
            Record::Manufacturer(r) => r.id.to_string(),
            Record::DeviceType(r) => r.id.to_string(),
            Record::Model(r) => r.id.to_string(),
            Record::SafetyEdition(r) => r.id.to_string(),
            Record::Checklist(r) => r.id.to_string(),
            Record::PmPlan(r) => r.id.to_string(),
            Record::Part(r) => r.id.to_string(),
            Record::Asset(r) => r.id.to_string(),
            Record::PmSchedule(r) => pm_schedule_key(r.asset_id, r.plan_id),
            Record::WorkOrder(r) => r.id.to_string(),
            Record::Downtime(r) => r.id.to_string(),
            Record::Labor(r) => r.id.to_string(),
            Record::PartUse(r) => r.id.to_string(),
            Record::Reading(r) => r.id.to_string(),
            Record::WorkNote(r) => r.id.to_string(),
            Record::Signature(r) => r.id.to_string(),
            Record::PmAttempt(r) => r.id.to_string(),
            Record::Vendor(r) => r.id.to_string(),
            Record::ServiceContract(r) => r.id.to_string(),
            Record::Recall(r) => r.id.to_string(),
            Record::NetworkProfile(r) => r.asset_id.to_string(),
            Record::UsageWindow(r) => r.id.to_string(),
            Record::TrainingEvent(r) => r.id.to_string(),
            Record::VendorCharge(r) => r.id.to_string(),
            Record::RecallAsset(r) => recall_asset_key(r.recall_id, r.asset_id),
            Record::HospitalSettings(r) => r.name.clone(),
        }
    }

    /// The body as raw JSON, ready to travel in a [`Change`].
    pub fn to_raw(&self) -> Box<RawValue> {
        RawValue::from_string(self.to_json()).expect("serde_json writes valid JSON")
    }
}

/// The key of a recall's matched asset.
pub fn recall_asset_key(recall_id: Uuid, asset_id: Uuid) -> String {
    format!("{recall_id}:{asset_id}")
}

/// The key of the PM schedule of `asset_id` under `plan_id`.
pub fn pm_schedule_key(asset_id: Uuid, plan_id: Uuid) -> String {
    format!("{asset_id}:{plan_id}")
}
