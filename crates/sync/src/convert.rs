//! Pulled changes as the store applies them: wire records become domain
//! rows here, so the store never knows the wire format.

use biomend_protocol::{Change, Kind, ProtocolError, Record};
use biomend_store::{PulledRow, Replicated, RowKind};

/// The store's kind for a wire kind; both lists are in the same
/// dependency order (a test checks every kind maps).
pub fn row_kind(k: Kind) -> RowKind {
    match k {
        Kind::Site => RowKind::Site,
        Kind::Building => RowKind::Building,
        Kind::Department => RowKind::Department,
        Kind::Location => RowKind::Location,
        Kind::User => RowKind::User,
        Kind::Manufacturer => RowKind::Manufacturer,
        Kind::DeviceType => RowKind::DeviceType,
        Kind::Model => RowKind::Model,
        Kind::SafetyEdition => RowKind::SafetyEdition,
        Kind::Checklist => RowKind::Checklist,
        Kind::PmPlan => RowKind::PmPlan,
        Kind::Part => RowKind::Part,
        Kind::Asset => RowKind::Asset,
        Kind::PmSchedule => RowKind::PmSchedule,
        Kind::WorkOrder => RowKind::WorkOrder,
        Kind::Downtime => RowKind::Downtime,
        Kind::Labor => RowKind::Labor,
        Kind::PartUse => RowKind::PartUse,
        Kind::Reading => RowKind::Reading,
        Kind::WorkNote => RowKind::WorkNote,
        Kind::Signature => RowKind::Signature,
        Kind::PmAttempt => RowKind::PmAttempt,
        Kind::Vendor => RowKind::Vendor,
        Kind::ServiceContract => RowKind::ServiceContract,
        Kind::Recall => RowKind::Recall,
        Kind::NetworkProfile => RowKind::NetworkProfile,
        Kind::UsageWindow => RowKind::UsageWindow,
        Kind::TrainingEvent => RowKind::TrainingEvent,
        Kind::VendorCharge => RowKind::VendorCharge,
        Kind::RecallAsset => RowKind::RecallAsset,
        Kind::HospitalSettings => RowKind::HospitalSettings,
    }
}

/// A wire record as the domain row the store writes.
pub fn replicated(r: Record) -> Result<Replicated, ProtocolError> {
    Ok(match r {
        Record::Site(v) => Replicated::Site(v.into()),
        Record::Building(v) => Replicated::Building(v.into()),
        Record::Department(v) => Replicated::Department(v.into()),
        Record::Location(v) => Replicated::Location(v.into()),
        Record::User(v) => Replicated::User(v.try_into()?),
        Record::Manufacturer(v) => Replicated::Manufacturer(v.into()),
        Record::DeviceType(v) => Replicated::DeviceType(v.try_into()?),
        Record::Model(v) => Replicated::Model(v.into()),
        Record::SafetyEdition(v) => Replicated::SafetyEdition(v.try_into()?),
        Record::Checklist(v) => Replicated::Checklist(v.try_into()?),
        Record::PmPlan(v) => Replicated::PmPlan(v.try_into()?),
        Record::Part(v) => Replicated::Part(v.into()),
        Record::Asset(v) => Replicated::Asset(v.try_into()?),
        Record::PmSchedule(v) => Replicated::PmSchedule(v.try_into()?),
        Record::WorkOrder(v) => Replicated::WorkOrder(v.try_into()?),
        Record::Downtime(v) => Replicated::Downtime(v.try_into()?),
        Record::Labor(v) => Replicated::Labor(v.try_into()?),
        Record::PartUse(v) => Replicated::PartUse(v.try_into()?),
        Record::Reading(v) => Replicated::Reading(v.try_into()?),
        Record::WorkNote(v) => Replicated::WorkNote(v.try_into()?),
        Record::Signature(v) => Replicated::Signature(v.try_into()?),
        Record::PmAttempt(v) => Replicated::PmAttempt(v.try_into()?),
        Record::Vendor(v) => Replicated::Vendor(v.into()),
        Record::ServiceContract(v) => Replicated::ServiceContract(v.try_into()?),
        Record::Recall(v) => Replicated::Recall(v.try_into()?),
        Record::NetworkProfile(v) => Replicated::NetworkProfile(v.try_into()?),
        Record::UsageWindow(v) => Replicated::UsageWindow(v.try_into()?),
        Record::TrainingEvent(v) => Replicated::TrainingEvent(v.into()),
        Record::VendorCharge(v) => Replicated::VendorCharge(v.into()),
        Record::RecallAsset(v) => Replicated::RecallAsset(v.try_into()?),
        Record::HospitalSettings(v) => Replicated::HospitalSettings(v.try_into()?),
    })
}

/// One pulled change, decoded and checked against its kind and key.
pub fn pulled_row(c: &Change) -> Result<PulledRow, ProtocolError> {
    match c.record()? {
        Some(r) => Ok(PulledRow::Upsert(replicated(r)?)),
        None => {
            // `record` has checked the kind for upserts; a tombstone's is
            // checked here.
            let kind = Kind::parse(&c.kind).ok_or_else(|| ProtocolError::BadCode {
                field: "change.kind",
                value: c.kind.clone(),
            })?;
            Ok(PulledRow::Delete {
                kind: row_kind(kind),
                key: c.key.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_kind_maps_to_the_store_kind_of_the_same_code_and_order() {
        assert_eq!(Kind::ALL.len(), RowKind::ALL.len());
        for (w, s) in Kind::ALL.iter().zip(RowKind::ALL) {
            assert_eq!(row_kind(*w), *s);
            assert_eq!(w.as_str(), s.as_str());
        }
    }
}
