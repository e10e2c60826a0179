//! The model master: manufacturers, device types with nomenclature codes,
//! and models that carry defaults shared by every unit (expected life, end
//! of support, PM plans, security documents).

use crate::ids::{DeviceTypeId, ManufacturerId, ModelId};
use crate::risk::EmScore;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manufacturer {
    pub id: ManufacturerId,
    pub name: String,
}

crate::code_enum! {
    /// Why a device type may not use alternative equipment maintenance
    /// (CMS, December 2013): these always follow the manufacturer.
    pub enum AemExclusion {
        Imaging => "imaging",
        Laser => "laser",
        RequiredByLaw => "required_by_law",
    }
}

crate::code_enum! {
    /// The nomenclature system a device-type code comes from.
    pub enum NomenclatureSystem {
        Umdns => "umdns",
        Gmdn => "gmdn",
        Local => "local",
    }
}

/// A kind of device, e.g. `13-215 Pumps, Infusion, General-Purpose`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceType {
    pub id: DeviceTypeId,
    pub system: NomenclatureSystem,
    /// The code within that system, e.g. `13-215`.
    pub code: String,
    pub name: String,
    /// Life-support devices are always high-risk.
    pub life_support: bool,
    pub aem_exclusion: Option<AemExclusion>,
    /// Default risk scores for units of this type; an asset may override.
    pub default_risk: EmScore,
    /// Default expected useful life in years.
    pub expected_life_years: u16,
}

/// An MDS2 (Manufacturer Disclosure Statement for Medical Device Security)
/// on file for a model: the document and the answers analytics use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mds2 {
    pub document_ref: String,
    pub revision_date: Option<NaiveDate>,
    pub stores_phi: Option<bool>,
    pub transmits_phi: Option<bool>,
    pub supports_encryption_at_rest: Option<bool>,
    pub supports_remote_service: Option<bool>,
    pub malware_protection: Option<bool>,
}

/// One software component from a model's SBOM (CycloneDX `components[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SbomComponent {
    pub name: String,
    pub version: String,
    /// Package URL, when the SBOM gives one.
    pub purl: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub id: ModelId,
    pub manufacturer_id: ManufacturerId,
    pub device_type_id: DeviceTypeId,
    pub name: String,
    /// Overrides the device type's expected life when the manufacturer says so.
    pub expected_life_years: Option<u16>,
    /// Date after which the manufacturer no longer supports the model.
    pub end_of_support: Option<NaiveDate>,
    /// List price of a replacement, for repair-vs-replace and capital plans.
    pub replacement_cost: Option<crate::Money>,
    pub mds2: Option<Mds2>,
    pub sbom: Vec<SbomComponent>,
}

impl Model {
    pub fn is_past_end_of_support(&self, today: NaiveDate) -> bool {
        self.end_of_support.is_some_and(|d| d <= today)
    }
}
