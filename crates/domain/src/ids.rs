//! Typed identifiers. Every record id is a UUIDv7 so ids sort by creation
//! time, which keeps B-tree inserts local and lets offline devices mint ids
//! without coordination. Minting needs a clock and randomness, which this
//! crate does not own: callers pass both to [`new_v7`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Builds a UUIDv7 from a Unix time in milliseconds and 10 random bytes.
pub fn new_v7(unix_millis: u64, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid()
}

/// The namespace of [`derived`] ids.
const DERIVED_NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_0c2e_94d3_4f6a_9e57_2a0d_b1c4_e833);

/// An id derived from what a record *is* rather than when it was made: a
/// UUIDv5 of `kind` and `natural_key`, the key compared case-insensitively
/// (trimmed, lower-cased). Imports mint the ids of the records they
/// create this way (an asset from its tag, a department from its site and
/// name), so the same file imported on two offline devices, or on a
/// device and the server, names the same records with the same ids, and
/// sync merges them instead of holding two "ICU" departments or two
/// assets with one tag.
pub fn derived(kind: &str, natural_key: &[&str]) -> Uuid {
    let mut name = String::with_capacity(64);
    name.push_str(kind);
    for part in natural_key {
        name.push('\u{1f}');
        name.push_str(&part.trim().to_lowercase());
    }
    Uuid::new_v5(&DERIVED_NAMESPACE, name.as_bytes())
}

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);
        impl $name {
            pub fn new(unix_millis: u64, random: [u8; 10]) -> Self { Self(new_v7(unix_millis, random)) }
            pub fn as_uuid(&self) -> Uuid { self.0 }
            pub fn parse(s: &str) -> Option<Self> { Uuid::parse_str(s.trim()).ok().map(Self) }
        }
        impl From<Uuid> for $name { fn from(u: Uuid) -> Self { Self(u) } }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )+};
}

id_type!(
    SiteId,
    BuildingId,
    DepartmentId,
    LocationId,
    ManufacturerId,
    DeviceTypeId,
    ModelId,
    AssetId,
    WorkOrderId,
    LaborId,
    PartUseId,
    VendorChargeId,
    DowntimeId,
    ChecklistId,
    ReadingId,
    SignatureId,
    PmAttemptId,
    PmPlanId,
    PartId,
    VendorId,
    ContractId,
    RecallId,
    TrainingEventId,
    UsageWindowId,
    UserId,
    NoteId,
    SafetyEditionId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_by_time_and_carry_version_7() {
        let a = AssetId::new(1_700_000_000_000, [0xff; 10]);
        let b = AssetId::new(1_700_000_000_001, [0x00; 10]);
        assert!(a < b, "later millisecond must sort after earlier");
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_eq!(AssetId::parse(&a.to_string()), Some(a));
        assert_eq!(AssetId::parse("not-a-uuid"), None);
    }

    #[test]
    fn derived_ids_depend_on_kind_and_key_but_not_on_case_or_padding() {
        let icu = derived("department", &["site-1", "ICU"]);
        assert_eq!(icu, derived("department", &["site-1", " icu "]));
        assert_ne!(icu, derived("department", &["site-2", "ICU"]));
        assert_ne!(icu, derived("building", &["site-1", "ICU"]));
        // The separator keeps ("a", "bc") and ("ab", "c") apart.
        assert_ne!(derived("k", &["a", "bc"]), derived("k", &["ab", "c"]));
        assert_eq!(icu.get_version_num(), 5);
    }
}
