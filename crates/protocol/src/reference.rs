//! Version 1 of the inventory and reference records a device pulls from
//! the server: where devices live, who works there, the model master, PM
//! plans and checklists, parts, and the assets themselves. Converted to and
//! from domain types by hand; field names and codes here are the wire
//! format: change them only by adding a `V2`.

use crate::ProtocolError;
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{
    AemExclusion, DeviceType, Manufacturer, Mds2, Model, NomenclatureSystem, SbomComponent,
};
use biomend_domain::checklist::{
    Checklist, ChecklistItem, ItemKind, Limit, SafetyEdition, SafetyLimit, SafetyTest,
};
use biomend_domain::ids::*;
use biomend_domain::inventory::Part;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmStrategy, ScheduleKind};
use biomend_domain::risk::EmScore;
use biomend_domain::user::{Role, User};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::{LimitV1, code};

fn limit_v1(l: Limit) -> LimitV1 {
    LimitV1 {
        min: l.min,
        max: l.max,
    }
}

fn limit(l: LimitV1) -> Limit {
    Limit {
        min: l.min,
        max: l.max,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteV1 {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

impl From<&Site> for SiteV1 {
    fn from(s: &Site) -> Self {
        SiteV1 {
            id: s.id.0,
            code: s.code.clone(),
            name: s.name.clone(),
        }
    }
}

impl From<SiteV1> for Site {
    fn from(s: SiteV1) -> Self {
        Site {
            id: SiteId(s.id),
            code: s.code,
            name: s.name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildingV1 {
    pub id: Uuid,
    pub site_id: Uuid,
    pub name: String,
}

impl From<&Building> for BuildingV1 {
    fn from(b: &Building) -> Self {
        BuildingV1 {
            id: b.id.0,
            site_id: b.site_id.0,
            name: b.name.clone(),
        }
    }
}

impl From<BuildingV1> for Building {
    fn from(b: BuildingV1) -> Self {
        Building {
            id: BuildingId(b.id),
            site_id: SiteId(b.site_id),
            name: b.name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentV1 {
    pub id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    pub short_name: Option<String>,
    pub cost_center: Option<String>,
}

impl From<&Department> for DepartmentV1 {
    fn from(d: &Department) -> Self {
        DepartmentV1 {
            id: d.id.0,
            site_id: d.site_id.0,
            name: d.name.clone(),
            short_name: d.short_name.clone(),
            cost_center: d.cost_center.clone(),
        }
    }
}

impl From<DepartmentV1> for Department {
    fn from(d: DepartmentV1) -> Self {
        Department {
            id: DepartmentId(d.id),
            site_id: SiteId(d.site_id),
            name: d.name,
            short_name: d.short_name,
            cost_center: d.cost_center,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationV1 {
    pub id: Uuid,
    pub building_id: Uuid,
    pub floor: String,
    pub room: String,
    pub department_id: Option<Uuid>,
}

impl From<&Location> for LocationV1 {
    fn from(l: &Location) -> Self {
        LocationV1 {
            id: l.id.0,
            building_id: l.building_id.0,
            floor: l.floor.clone(),
            room: l.room.clone(),
            department_id: l.department_id.map(|d| d.0),
        }
    }
}

impl From<LocationV1> for Location {
    fn from(l: LocationV1) -> Self {
        Location {
            id: LocationId(l.id),
            building_id: BuildingId(l.building_id),
            floor: l.floor,
            room: l.room,
            department_id: l.department_id.map(DepartmentId),
        }
    }
}

/// A person as devices see them: no password, no token, no pay rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserV1 {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub sites: Vec<Uuid>,
    pub active: bool,
}

impl From<&User> for UserV1 {
    fn from(u: &User) -> Self {
        UserV1 {
            id: u.id.0,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_string(),
            sites: u.sites.iter().map(|s| s.0).collect(),
            active: u.active,
        }
    }
}

impl TryFrom<UserV1> for User {
    type Error = ProtocolError;
    fn try_from(u: UserV1) -> Result<Self, ProtocolError> {
        Ok(User {
            id: UserId(u.id),
            username: u.username,
            display_name: u.display_name,
            role: code("user.role", &u.role, Role::parse)?,
            sites: u.sites.into_iter().map(SiteId).collect(),
            active: u.active,
            loaded_rate_cents: None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerV1 {
    pub id: Uuid,
    pub name: String,
}

impl From<&Manufacturer> for ManufacturerV1 {
    fn from(m: &Manufacturer) -> Self {
        ManufacturerV1 {
            id: m.id.0,
            name: m.name.clone(),
        }
    }
}

impl From<ManufacturerV1> for Manufacturer {
    fn from(m: ManufacturerV1) -> Self {
        Manufacturer {
            id: ManufacturerId(m.id),
            name: m.name,
        }
    }
}

/// The four parts of the Fennigkoh–Smith equipment-management number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmScoreV1 {
    pub function: u8,
    pub physical_risk: u8,
    pub maintenance: u8,
    pub incident_history: i8,
}

impl From<&EmScore> for EmScoreV1 {
    fn from(s: &EmScore) -> Self {
        EmScoreV1 {
            function: s.function,
            physical_risk: s.physical_risk,
            maintenance: s.maintenance,
            incident_history: s.incident_history,
        }
    }
}

impl TryFrom<EmScoreV1> for EmScore {
    type Error = ProtocolError;
    fn try_from(s: EmScoreV1) -> Result<Self, ProtocolError> {
        EmScore::new(
            s.function,
            s.physical_risk,
            s.maintenance,
            s.incident_history,
        )
        .map_err(|e| ProtocolError::BadValue {
            field: "risk",
            detail: e.to_string(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceTypeV1 {
    pub id: Uuid,
    pub system: String,
    pub code: String,
    pub name: String,
    pub life_support: bool,
    pub aem_exclusion: Option<String>,
    pub default_risk: EmScoreV1,
    pub expected_life_years: u16,
}

impl From<&DeviceType> for DeviceTypeV1 {
    fn from(d: &DeviceType) -> Self {
        DeviceTypeV1 {
            id: d.id.0,
            system: d.system.as_str().to_string(),
            code: d.code.clone(),
            name: d.name.clone(),
            life_support: d.life_support,
            aem_exclusion: d.aem_exclusion.map(|a| a.as_str().to_string()),
            default_risk: (&d.default_risk).into(),
            expected_life_years: d.expected_life_years,
        }
    }
}

impl TryFrom<DeviceTypeV1> for DeviceType {
    type Error = ProtocolError;
    fn try_from(d: DeviceTypeV1) -> Result<Self, ProtocolError> {
        Ok(DeviceType {
            id: DeviceTypeId(d.id),
            system: code("device_type.system", &d.system, NomenclatureSystem::parse)?,
            code: d.code,
            name: d.name,
            life_support: d.life_support,
            aem_exclusion: d
                .aem_exclusion
                .map(|a| code("device_type.aem_exclusion", &a, AemExclusion::parse))
                .transpose()?,
            default_risk: d.default_risk.try_into()?,
            expected_life_years: d.expected_life_years,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mds2V1 {
    pub document_ref: String,
    pub revision_date: Option<NaiveDate>,
    pub stores_phi: Option<bool>,
    pub transmits_phi: Option<bool>,
    pub supports_encryption_at_rest: Option<bool>,
    pub supports_remote_service: Option<bool>,
    pub malware_protection: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SbomComponentV1 {
    pub name: String,
    pub version: String,
    pub purl: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelV1 {
    pub id: Uuid,
    pub manufacturer_id: Uuid,
    pub device_type_id: Uuid,
    pub name: String,
    pub expected_life_years: Option<u16>,
    pub end_of_support: Option<NaiveDate>,
    pub replacement_cost_cents: Option<i64>,
    pub mds2: Option<Mds2V1>,
    pub sbom: Vec<SbomComponentV1>,
}

impl From<&Model> for ModelV1 {
    fn from(m: &Model) -> Self {
        ModelV1 {
            id: m.id.0,
            manufacturer_id: m.manufacturer_id.0,
            device_type_id: m.device_type_id.0,
            name: m.name.clone(),
            expected_life_years: m.expected_life_years,
            end_of_support: m.end_of_support,
            replacement_cost_cents: m.replacement_cost.map(|c| c.cents()),
            mds2: m.mds2.as_ref().map(|d| Mds2V1 {
                document_ref: d.document_ref.clone(),
                revision_date: d.revision_date,
                stores_phi: d.stores_phi,
                transmits_phi: d.transmits_phi,
                supports_encryption_at_rest: d.supports_encryption_at_rest,
                supports_remote_service: d.supports_remote_service,
                malware_protection: d.malware_protection,
            }),
            sbom: m
                .sbom
                .iter()
                .map(|c| SbomComponentV1 {
                    name: c.name.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone(),
                })
                .collect(),
        }
    }
}

impl From<ModelV1> for Model {
    fn from(m: ModelV1) -> Self {
        Model {
            id: ModelId(m.id),
            manufacturer_id: ManufacturerId(m.manufacturer_id),
            device_type_id: DeviceTypeId(m.device_type_id),
            name: m.name,
            expected_life_years: m.expected_life_years,
            end_of_support: m.end_of_support,
            replacement_cost: m.replacement_cost_cents.map(Money::from_cents),
            mds2: m.mds2.map(|d| Mds2 {
                document_ref: d.document_ref,
                revision_date: d.revision_date,
                stores_phi: d.stores_phi,
                transmits_phi: d.transmits_phi,
                supports_encryption_at_rest: d.supports_encryption_at_rest,
                supports_remote_service: d.supports_remote_service,
                malware_protection: d.malware_protection,
            }),
            sbom: m
                .sbom
                .into_iter()
                .map(|c| SbomComponent {
                    name: c.name,
                    version: c.version,
                    purl: c.purl,
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyLimitV1 {
    pub test: String,
    pub limit: LimitV1,
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyEditionV1 {
    pub id: Uuid,
    pub name: String,
    pub limits: Vec<SafetyLimitV1>,
}

impl From<&SafetyEdition> for SafetyEditionV1 {
    fn from(e: &SafetyEdition) -> Self {
        SafetyEditionV1 {
            id: e.id.0,
            name: e.name.clone(),
            limits: e
                .limits
                .iter()
                .map(|l| SafetyLimitV1 {
                    test: l.test.as_str().to_string(),
                    limit: limit_v1(l.limit),
                    unit: l.unit.clone(),
                })
                .collect(),
        }
    }
}

impl TryFrom<SafetyEditionV1> for SafetyEdition {
    type Error = ProtocolError;
    fn try_from(e: SafetyEditionV1) -> Result<Self, ProtocolError> {
        Ok(SafetyEdition {
            id: SafetyEditionId(e.id),
            name: e.name,
            limits: e
                .limits
                .into_iter()
                .map(|l| {
                    Ok(SafetyLimit {
                        test: code("safety_limit.test", &l.test, SafetyTest::parse)?,
                        limit: limit(l.limit),
                        unit: l.unit,
                    })
                })
                .collect::<Result<_, ProtocolError>>()?,
        })
    }
}

/// One checklist item. `kind` is `pass_fail`, `measurement` (with `unit`
/// and `limit`) or `safety` (with `test`); the fields another kind does
/// not use are absent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItemV1 {
    pub key: String,
    pub prompt: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistV1 {
    pub id: Uuid,
    pub name: String,
    pub items: Vec<ChecklistItemV1>,
}

impl From<&Checklist> for ChecklistV1 {
    fn from(c: &Checklist) -> Self {
        ChecklistV1 {
            id: c.id.0,
            name: c.name.clone(),
            items: c
                .items
                .iter()
                .map(|i| {
                    let (kind, unit, lim, test) = match &i.kind {
                        ItemKind::PassFail => ("pass_fail", None, None, None),
                        ItemKind::Measurement { unit, limit } => (
                            "measurement",
                            Some(unit.clone()),
                            Some(limit_v1(*limit)),
                            None,
                        ),
                        ItemKind::Safety { test } => {
                            ("safety", None, None, Some(test.as_str().to_string()))
                        }
                    };
                    ChecklistItemV1 {
                        key: i.key.clone(),
                        prompt: i.prompt.clone(),
                        kind: kind.to_string(),
                        unit,
                        limit: lim,
                        test,
                    }
                })
                .collect(),
        }
    }
}

impl TryFrom<ChecklistV1> for Checklist {
    type Error = ProtocolError;
    fn try_from(c: ChecklistV1) -> Result<Self, ProtocolError> {
        let items = c
            .items
            .into_iter()
            .map(|i| {
                let kind = match (i.kind.as_str(), i.unit, i.limit, i.test) {
                    ("pass_fail", None, None, None) => ItemKind::PassFail,
                    ("measurement", Some(unit), Some(l), None) => ItemKind::Measurement {
                        unit,
                        limit: limit(l),
                    },
                    ("safety", None, None, Some(test)) => ItemKind::Safety {
                        test: code("checklist_item.test", &test, SafetyTest::parse)?,
                    },
                    ("pass_fail" | "measurement" | "safety", ..) => {
                        return Err(ProtocolError::BadValue {
                            field: "checklist_item",
                            detail: format!(
                                "item '{}' of kind {} has the wrong fields for its kind",
                                i.key, i.kind
                            ),
                        });
                    }
                    (other, ..) => {
                        return Err(ProtocolError::BadCode {
                            field: "checklist_item.kind",
                            value: other.to_string(),
                        });
                    }
                };
                Ok(ChecklistItem {
                    key: i.key,
                    prompt: i.prompt,
                    kind,
                })
            })
            .collect::<Result<_, ProtocolError>>()?;
        Ok(Checklist {
            id: ChecklistId(c.id),
            name: c.name,
            items,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmPlanV1 {
    pub id: Uuid,
    pub name: String,
    pub model_id: Option<Uuid>,
    pub device_type_id: Option<Uuid>,
    pub interval_months: u16,
    pub schedule: String,
    pub strategy: String,
    pub aem_evidence: Option<String>,
    pub checklist_id: Option<Uuid>,
    pub estimated_minutes: u32,
}

impl From<&PmPlan> for PmPlanV1 {
    fn from(p: &PmPlan) -> Self {
        PmPlanV1 {
            id: p.id.0,
            name: p.name.clone(),
            model_id: p.model_id.map(|m| m.0),
            device_type_id: p.device_type_id.map(|d| d.0),
            interval_months: p.interval_months,
            schedule: p.schedule.as_str().to_string(),
            strategy: p.strategy.as_str().to_string(),
            aem_evidence: p.aem_evidence.clone(),
            checklist_id: p.checklist_id.map(|c| c.0),
            estimated_minutes: p.estimated_minutes,
        }
    }
}

impl TryFrom<PmPlanV1> for PmPlan {
    type Error = ProtocolError;
    fn try_from(p: PmPlanV1) -> Result<Self, ProtocolError> {
        Ok(PmPlan {
            id: PmPlanId(p.id),
            name: p.name,
            model_id: p.model_id.map(ModelId),
            device_type_id: p.device_type_id.map(DeviceTypeId),
            interval_months: p.interval_months,
            schedule: code("pm_plan.schedule", &p.schedule, ScheduleKind::parse)?,
            strategy: code("pm_plan.strategy", &p.strategy, PmStrategy::parse)?,
            aem_evidence: p.aem_evidence,
            checklist_id: p.checklist_id.map(ChecklistId),
            estimated_minutes: p.estimated_minutes,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartV1 {
    pub id: Uuid,
    pub part_number: String,
    pub description: String,
    pub manufacturer: Option<String>,
    pub unit_cost_cents: i64,
}

impl From<&Part> for PartV1 {
    fn from(p: &Part) -> Self {
        PartV1 {
            id: p.id.0,
            part_number: p.part_number.clone(),
            description: p.description.clone(),
            manufacturer: p.manufacturer.clone(),
            unit_cost_cents: p.unit_cost.cents(),
        }
    }
}

impl From<PartV1> for Part {
    fn from(p: PartV1) -> Self {
        Part {
            id: PartId(p.id),
            part_number: p.part_number,
            description: p.description,
            manufacturer: p.manufacturer,
            unit_cost: Money::from_cents(p.unit_cost_cents),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetV1 {
    pub id: Uuid,
    pub tag: String,
    pub serial: Option<String>,
    pub model_id: Uuid,
    pub department_id: Uuid,
    pub location_id: Option<Uuid>,
    pub ownership: String,
    pub status: String,
    pub acquired_on: Option<NaiveDate>,
    pub acquisition_cost_cents: Option<i64>,
    pub warranty_end: Option<NaiveDate>,
    pub contract_id: Option<Uuid>,
    pub expected_life_years: Option<u16>,
    pub risk: EmScoreV1,
    pub life_support_override: bool,
    pub parent_id: Option<Uuid>,
    pub notes: String,
}

impl From<&Asset> for AssetV1 {
    fn from(a: &Asset) -> Self {
        AssetV1 {
            id: a.id.0,
            tag: a.tag.clone(),
            serial: a.serial.clone(),
            model_id: a.model_id.0,
            department_id: a.department_id.0,
            location_id: a.location_id.map(|l| l.0),
            ownership: a.ownership.as_str().to_string(),
            status: a.status.as_str().to_string(),
            acquired_on: a.acquired_on,
            acquisition_cost_cents: a.acquisition_cost.map(|c| c.cents()),
            warranty_end: a.warranty_end,
            contract_id: a.contract_id.map(|c| c.0),
            expected_life_years: a.expected_life_years,
            risk: (&a.risk).into(),
            life_support_override: a.life_support_override,
            parent_id: a.parent_id.map(|p| p.0),
            notes: a.notes.clone(),
        }
    }
}

impl TryFrom<AssetV1> for Asset {
    type Error = ProtocolError;
    fn try_from(a: AssetV1) -> Result<Self, ProtocolError> {
        Ok(Asset {
            id: AssetId(a.id),
            tag: a.tag,
            serial: a.serial,
            model_id: ModelId(a.model_id),
            department_id: DepartmentId(a.department_id),
            location_id: a.location_id.map(LocationId),
            ownership: code("asset.ownership", &a.ownership, Ownership::parse)?,
            status: code("asset.status", &a.status, AssetStatus::parse)?,
            acquired_on: a.acquired_on,
            acquisition_cost: a.acquisition_cost_cents.map(Money::from_cents),
            warranty_end: a.warranty_end,
            contract_id: a.contract_id.map(ContractId),
            expected_life_years: a.expected_life_years,
            risk: a.risk.try_into()?,
            life_support_override: a.life_support_override,
            parent_id: a.parent_id.map(AssetId),
            notes: a.notes,
        })
    }
}
