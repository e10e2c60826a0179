//! One physical device and its identity rules.

use crate::ids::{AssetId, ContractId, DepartmentId, LocationId, ModelId};
use crate::risk::EmScore;
use crate::{Money, RuleError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    pub enum Ownership {
        Owned => "owned",
        Leased => "leased",
        Rental => "rental",
        Loaner => "loaner",
        Demo => "demo",
    }
}

crate::code_enum! {
    pub enum AssetStatus {
        InService => "in_service",
        OutOfService => "out_of_service",
        InRepair => "in_repair",
        Retired => "retired",
        Missing => "missing",
    }
}

impl AssetStatus {
    /// Retired and missing devices are not expected to receive PM.
    pub fn is_active(self) -> bool {
        !matches!(self, AssetStatus::Retired | AssetStatus::Missing)
    }
}

/// Longest asset tag accepted; real tags are 4–20 characters.
pub const MAX_TAG_LEN: usize = 64;

/// Cleans a tag as a scanner or a person typed it: keyboard-wedge scanners
/// append CR/LF or a tab, and people paste surrounding spaces. Inner
/// characters are kept exactly, since `BME-0012` and `BME0012` are
/// different tags in real inventories.
pub fn normalize_tag(raw: &str) -> Result<String, RuleError> {
    let t: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    if t.is_empty() {
        return Err(RuleError::Empty("asset tag"));
    }
    if t.chars().count() > MAX_TAG_LEN {
        return Err(RuleError::Invalid {
            field: "asset tag",
            reason: format!("longer than {MAX_TAG_LEN} characters"),
        });
    }
    Ok(t)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub id: AssetId,
    /// Printed as barcode/QR on the device; unique across the health system.
    pub tag: String,
    pub serial: Option<String>,
    pub model_id: ModelId,
    pub department_id: DepartmentId,
    pub location_id: Option<LocationId>,
    pub ownership: Ownership,
    pub status: AssetStatus,
    pub acquired_on: Option<NaiveDate>,
    pub acquisition_cost: Option<Money>,
    pub warranty_end: Option<NaiveDate>,
    pub contract_id: Option<ContractId>,
    /// Overrides the model's and device type's expected life.
    pub expected_life_years: Option<u16>,
    pub risk: EmScore,
    /// Set when this unit is life support regardless of its device type
    /// (e.g. a general monitor used as the only monitor on a ventilator).
    pub life_support_override: bool,
    /// For systems and accessories: the asset this one belongs to.
    pub parent_id: Option<AssetId>,
    pub notes: String,
}

impl Asset {
    /// Age in whole years on `today`, if the acquisition date is known.
    pub fn age_years(&self, today: NaiveDate) -> Option<f64> {
        self.acquired_on
            .map(|d| (today - d).num_days().max(0) as f64 / 365.25)
    }

    /// Fraction of expected life used (1.0 = at end of life).
    pub fn life_used(&self, today: NaiveDate, expected_life_years: u16) -> Option<f64> {
        if expected_life_years == 0 {
            return None;
        }
        self.age_years(today)
            .map(|a| a / f64::from(expected_life_years))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_normalization_strips_scanner_suffixes_only() {
        assert_eq!(normalize_tag("BME-0012\r\n").unwrap(), "BME-0012");
        assert_eq!(normalize_tag("  BME-0012\t").unwrap(), "BME-0012");
        assert_eq!(normalize_tag("bme 0012").unwrap(), "bme 0012");
        assert_eq!(normalize_tag("   "), Err(RuleError::Empty("asset tag")));
        assert!(normalize_tag(&"X".repeat(65)).is_err());
    }

    #[test]
    fn status_codes_round_trip() {
        for s in AssetStatus::ALL {
            assert_eq!(AssetStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            AssetStatus::parse("In Service"),
            Some(AssetStatus::InService)
        );
        assert_eq!(AssetStatus::parse("broken"), None);
        assert!(!AssetStatus::Retired.is_active());
    }
}
