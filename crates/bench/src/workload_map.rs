//! The sync workload's documents mapped onto Biomend's own records, so the
//! benchmark moves what Biomend really moves.
//!
//! - An asset document becomes an [`Asset`] with its model (one per maker,
//!   model name and device-type code, since a Biomend model has one device
//!   type), its department (per site), its location (site, building,
//!   floor, room), serial, acquisition date and cost (cents), risk, status
//!   and notes; `pm_interval_days` and `last_pm_date` become a PM plan per
//!   device type and interval and the asset's [`PmSchedule`].
//! - `risk_score` (1–25) maps one-to-one onto an EM score: physical risk
//!   `1 + (r-1)/5` and maintenance `1 + (r-1)%5` with function 2, so the
//!   benchmark edit always changes the score.
//! - The five workload statuses map one-to-one onto Biomend's five asset
//!   statuses (see [`status`]), so the edit always changes the status.
//! - The network block is left out: the figures recorded so far are for
//!   assets, schedules and reference rows, and stay comparable. (Network
//!   profiles do replicate to devices since protocol 2; mapping the block
//!   onto them would add one row per asset to every pull.)
//!
//! Every id is a UUIDv7 derived from the document index, so two runs build
//! the same hospital.

use crate::workload::{DEPARTMENTS, DEVICE_TYPES, SITES, WorkloadAsset};
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{DeviceType, Manufacturer, Model, NomenclatureSystem};
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::*;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmSchedule, PmStrategy, ScheduleKind};
use biomend_domain::risk::EmScore;
use biomend_domain::user::{Role, User};
use chrono::{Days, NaiveDate};
use std::collections::HashMap;

/// 2025-01-01T00:00:00Z: the time part of every derived id.
const T0: u64 = 1_735_689_600_000;

/// What kind of record an id is for, so ids of different kinds never
/// collide.
#[derive(Clone, Copy)]
enum Tag {
    Site = 1,
    Building,
    Department,
    Location,
    Manufacturer,
    DeviceType,
    Model,
    Asset,
    Plan,
    User,
}

fn bytes(tag: Tag, n: u64) -> [u8; 10] {
    let mut b = [0u8; 10];
    b[0] = tag as u8;
    b[2..10].copy_from_slice(&n.to_be_bytes());
    b
}

/// The id of asset `i`, as the benchmark finds it again for edits.
pub fn asset_id(i: u32) -> AssetId {
    AssetId::new(T0, bytes(Tag::Asset, i.into()))
}

/// The Biomend status for a workload status.
pub fn status(s: &str) -> AssetStatus {
    match s {
        "in_service" => AssetStatus::InService,
        "maintenance" => AssetStatus::InRepair,
        "out_of_service" => AssetStatus::OutOfService,
        "loaned" => AssetStatus::Missing,
        _ => AssetStatus::Retired,
    }
}

/// The EM score for a workload risk score (1–25).
pub fn risk(r: i64) -> EmScore {
    let r = (r.clamp(1, 25) - 1) as u8;
    EmScore {
        function: 2,
        physical_risk: 1 + r / 5,
        maintenance: 1 + r % 5,
        incident_history: 0,
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The benchmark's users: technicians who see every site (so a tablet
/// pulls all N assets, as the workload counts them) and one supervisor.
pub fn users(sites: &[SiteId], technicians: u32) -> Vec<User> {
    let mut out: Vec<User> = (1..=technicians)
        .map(|t| User {
            id: UserId::new(T0, bytes(Tag::User, t.into())),
            username: format!("tech-{t:03}"),
            display_name: format!("Technician {t:03}"),
            role: Role::Technician,
            sites: sites.to_vec(),
            active: true,
            loaded_rate_cents: None,
        })
        .collect();
    out.push(User {
        id: UserId::new(T0, bytes(Tag::User, 0)),
        username: "supervisor".into(),
        display_name: "Shift Supervisor".into(),
        role: Role::Supervisor,
        sites: sites.to_vec(),
        active: true,
        loaded_rate_cents: None,
    });
    out
}

/// The hospital holding assets `0..n` of the workload, with `technicians`
/// technician accounts.
pub fn dataset(n: u32, technicians: u32) -> Dataset {
    let mut d = Dataset::default();
    let mut counter = 0u64;
    let mut next = |tag: Tag| {
        counter += 1;
        bytes(tag, counter)
    };
    let site_ids: Vec<SiteId> = SITES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = SiteId::new(T0, next(Tag::Site));
            d.sites.push(Site {
                id,
                code: format!("S{}", i + 1),
                name: (*name).to_string(),
            });
            id
        })
        .collect();
    let mut departments = HashMap::new();
    for (s, site) in site_ids.iter().enumerate() {
        for name in DEPARTMENTS {
            let id = DepartmentId::new(T0, next(Tag::Department));
            d.departments.push(Department {
                id,
                site_id: *site,
                name: (*name).to_string(),
                short_name: None,
                cost_center: Some(format!("CC-{}-{}", s + 1, departments.len() + 1)),
            });
            departments.insert((SITES[s], *name), id);
        }
    }
    let mut device_types = HashMap::new();
    for code in DEVICE_TYPES {
        let id = DeviceTypeId::new(T0, next(Tag::DeviceType));
        d.device_types.push(DeviceType {
            id,
            system: NomenclatureSystem::Umdns,
            code: (*code).to_string(),
            name: format!("Device type {code}"),
            life_support: false,
            aem_exclusion: None,
            default_risk: risk(1),
            expected_life_years: 10,
        });
        device_types.insert(*code, id);
    }
    let mut buildings = HashMap::new();
    let mut locations = HashMap::new();
    let mut manufacturers = HashMap::new();
    let mut models = HashMap::new();
    let mut model_names = HashMap::new();
    let mut plans = HashMap::new();
    for i in 0..n {
        let a = WorkloadAsset::generate(i);
        let site = site_ids[SITES.iter().position(|s| *s == a.site).unwrap_or(0)];
        let building = *buildings
            .entry((a.site, a.building.clone()))
            .or_insert_with(|| {
                let id = BuildingId::new(T0, next(Tag::Building));
                d.buildings.push(Building {
                    id,
                    site_id: site,
                    name: a.building.clone(),
                });
                id
            });
        let department = departments[&(a.site, a.department)];
        let location = *locations
            .entry((building, a.room.clone()))
            .or_insert_with(|| {
                let id = LocationId::new(T0, next(Tag::Location));
                d.locations.push(Location {
                    id,
                    building_id: building,
                    floor: a.floor.to_string(),
                    room: a.room.clone(),
                    department_id: None,
                });
                id
            });
        let maker = *manufacturers.entry(a.manufacturer).or_insert_with(|| {
            let id = ManufacturerId::new(T0, next(Tag::Manufacturer));
            d.manufacturers.push(Manufacturer {
                id,
                name: a.manufacturer.to_string(),
            });
            id
        });
        let device_type = device_types[a.device_type];
        let named = model_names
            .entry((a.manufacturer, a.model))
            .or_insert(a.device_type);
        // A maker's model names are unique in Biomend; the workload gives
        // one model name several device types, so the later ones carry
        // their device-type code.
        let name = if *named == a.device_type {
            a.model.to_string()
        } else {
            format!("{} ({})", a.model, a.device_type)
        };
        let model = *models
            .entry((a.manufacturer, a.model, a.device_type))
            .or_insert_with(|| {
                let id = ModelId::new(T0, next(Tag::Model));
                d.models.push(Model {
                    id,
                    manufacturer_id: maker,
                    device_type_id: device_type,
                    name,
                    expected_life_years: None,
                    end_of_support: None,
                    replacement_cost: None,
                    mds2: None,
                    sbom: Vec::new(),
                });
                id
            });
        let interval: u16 = match a.pm_interval_days {
            "90" => 3,
            "180" => 6,
            _ => 12,
        };
        let plan = *plans.entry((device_type, interval)).or_insert_with(|| {
            let id = PmPlanId::new(T0, next(Tag::Plan));
            d.pm_plans.push(PmPlan {
                id,
                name: format!("{} every {interval} months", a.device_type),
                model_id: None,
                device_type_id: Some(device_type),
                interval_months: interval,
                schedule: ScheduleKind::Fixed,
                strategy: PmStrategy::Manufacturer,
                aem_evidence: None,
                checklist_id: None,
                estimated_minutes: 45,
            });
            id
        });
        let id = asset_id(i);
        d.assets.push(Asset {
            id,
            tag: a.tag.clone(),
            serial: Some(a.serial.clone()),
            model_id: model,
            department_id: department,
            location_id: Some(location),
            ownership: Ownership::Owned,
            status: status(a.status),
            acquired_on: date(&a.acquisition_date),
            acquisition_cost: Some(Money::from_cents(a.cost_cents)),
            warranty_end: None,
            contract_id: None,
            expected_life_years: None,
            risk: risk(a.risk_score),
            life_support_override: false,
            parent_id: None,
            notes: a.notes.clone(),
        });
        if let Some(last) = date(&a.last_pm_date) {
            let days: u64 = a.pm_interval_days.parse().unwrap_or(365);
            d.pm_schedules.push(PmSchedule {
                asset_id: id,
                plan_id: plan,
                next_due: last.checked_add_days(Days::new(days)).unwrap_or(last),
                last_done: Some(last),
            });
        }
    }
    d.users = users(&site_ids, technicians);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_risks_map_one_to_one_so_every_edit_changes_both() {
        let mut seen = std::collections::HashSet::new();
        for s in crate::workload::STATUS_CYCLE {
            assert!(seen.insert(status(s)), "{s} collides");
        }
        let scores: std::collections::HashSet<_> = (1..=25)
            .map(|r| {
                let e = risk(r);
                EmScore::new(
                    e.function,
                    e.physical_risk,
                    e.maintenance,
                    e.incident_history,
                )
                .expect("a valid EM score");
                (e.physical_risk, e.maintenance)
            })
            .collect();
        assert_eq!(scores.len(), 25);
    }

    #[test]
    fn the_hospital_holds_every_asset_with_its_fields() {
        let d = dataset(2_000, 3);
        assert_eq!(d.assets.len(), 2_000);
        assert_eq!(d.pm_schedules.len(), 2_000);
        assert_eq!(d.sites.len(), 4);
        assert_eq!(d.departments.len(), 48);
        let a = WorkloadAsset::generate(1_234);
        let asset = d.assets.iter().find(|x| x.id == asset_id(1_234)).unwrap();
        assert_eq!(asset.tag, a.tag);
        assert_eq!(asset.serial.as_deref(), Some(a.serial.as_str()));
        assert_eq!(
            asset.acquisition_cost,
            Some(Money::from_cents(a.cost_cents))
        );
        assert_eq!(asset.status, status(a.status));
        assert_eq!(asset.notes, a.notes);
        let model = d.models.iter().find(|m| m.id == asset.model_id).unwrap();
        assert!(model.name.starts_with(a.model));
        let names: std::collections::HashSet<_> = d
            .models
            .iter()
            .map(|m| (m.manufacturer_id, &m.name))
            .collect();
        assert_eq!(
            names.len(),
            d.models.len(),
            "model names are unique per maker"
        );
        let dept = d
            .departments
            .iter()
            .find(|x| x.id == asset.department_id)
            .unwrap();
        let site = d.sites.iter().find(|s| s.id == dept.site_id).unwrap();
        assert_eq!(
            (dept.name.as_str(), site.name.as_str()),
            (a.department, a.site)
        );
        // Tags are unique, as Biomend requires.
        let tags: std::collections::HashSet<_> = d.assets.iter().map(|x| &x.tag).collect();
        assert_eq!(tags.len(), d.assets.len());
        assert_eq!(d.users.len(), 4);
    }
}
