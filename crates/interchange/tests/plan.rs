//! The import plan over an in-memory inventory: what a file creates, what
//! a re-import updates (and leaves alone), ids two devices agree on, and
//! rows refused for what only the inventory knows.

use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Model};
use biomend_domain::ids::*;
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_interchange::*;
use std::convert::Infallible;

/// An inventory held in vectors; what a plan creates can be added back
/// with [`Mem::absorb`], as a store would after writing it.
#[derive(Default)]
struct Mem {
    sites: Vec<Site>,
    buildings: Vec<Building>,
    departments: Vec<Department>,
    locations: Vec<Location>,
    manufacturers: Vec<(ManufacturerId, String)>,
    types: Vec<DeviceType>,
    models: Vec<Model>,
    assets: Vec<Asset>,
    network: Vec<NetworkProfile>,
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Mem {
    fn with_sites(codes: &[&str]) -> Mem {
        Mem {
            sites: codes
                .iter()
                .enumerate()
                .map(|(i, c)| Site {
                    id: SiteId(uuid::Uuid::from_u128(i as u128 + 1)),
                    code: c.to_string(),
                    name: format!("{c} Hospital"),
                })
                .collect(),
            ..Mem::default()
        }
    }

    fn absorb(&mut self, p: &AssetPlan) {
        self.buildings.extend(p.buildings.iter().cloned());
        self.departments.extend(p.departments.iter().cloned());
        self.locations.extend(p.locations.iter().cloned());
        self.manufacturers
            .extend(p.manufacturers.iter().map(|m| (m.id, m.name.clone())));
        self.types.extend(p.device_types.iter().cloned());
        self.models.extend(p.models.iter().cloned());
        self.assets.extend(p.created.iter().cloned());
        for r in &p.updated {
            let a = self.assets.iter_mut().find(|a| a.id == r.after.id).unwrap();
            *a = r.after.clone();
        }
        for n in &p.network {
            self.network.retain(|x| x.asset_id != n.after.asset_id);
            self.network.push(n.after.clone());
        }
    }
}

impl Inventory for Mem {
    type Error = Infallible;
    fn sites(&mut self) -> Result<Vec<Site>, Infallible> {
        Ok(self.sites.clone())
    }
    fn department(&mut self, site: SiteId, name: &str) -> Result<Option<Department>, Infallible> {
        Ok(self
            .departments
            .iter()
            .find(|d| d.site_id == site && eq(&d.name, name))
            .cloned())
    }
    fn department_by_id(&mut self, id: DepartmentId) -> Result<Option<Department>, Infallible> {
        Ok(self.departments.iter().find(|d| d.id == id).cloned())
    }
    fn building(&mut self, site: SiteId, name: &str) -> Result<Option<Building>, Infallible> {
        Ok(self
            .buildings
            .iter()
            .find(|b| b.site_id == site && eq(&b.name, name))
            .cloned())
    }
    fn location(
        &mut self,
        building: BuildingId,
        floor: &str,
        room: &str,
    ) -> Result<Option<Location>, Infallible> {
        Ok(self
            .locations
            .iter()
            .find(|l| l.building_id == building && eq(&l.floor, floor) && eq(&l.room, room))
            .cloned())
    }
    fn manufacturer(&mut self, name: &str) -> Result<Option<ManufacturerId>, Infallible> {
        Ok(self
            .manufacturers
            .iter()
            .find(|(_, n)| eq(n, name))
            .map(|(id, _)| *id))
    }
    fn device_type(&mut self, id: DeviceTypeId) -> Result<Option<DeviceType>, Infallible> {
        Ok(self.types.iter().find(|t| t.id == id).cloned())
    }
    fn device_type_by_code(&mut self, code: &str) -> Result<Option<DeviceType>, Infallible> {
        Ok(self.types.iter().find(|t| eq(&t.code, code)).cloned())
    }
    fn device_type_by_name(&mut self, name: &str) -> Result<Option<DeviceType>, Infallible> {
        Ok(self.types.iter().find(|t| eq(&t.name, name)).cloned())
    }
    fn model(&mut self, m: ManufacturerId, name: &str) -> Result<Option<Model>, Infallible> {
        Ok(self
            .models
            .iter()
            .find(|x| x.manufacturer_id == m && eq(&x.name, name))
            .cloned())
    }
    fn asset_by_tag(&mut self, tag: &str) -> Result<Option<Asset>, Infallible> {
        Ok(self
            .assets
            .iter()
            .find(|a| a.tag.eq_ignore_ascii_case(tag))
            .cloned())
    }
    fn network_profile(&mut self, asset: AssetId) -> Result<Option<NetworkProfile>, Infallible> {
        Ok(self.network.iter().find(|n| n.asset_id == asset).cloned())
    }
}

fn read(csv: &str) -> ImportReport {
    read_assets_csv(csv.as_bytes(), &ImportOptions::default()).expect("readable")
}

fn plan(inv: &mut Mem, csv: &str) -> AssetPlan {
    let Ok(p) = plan_assets(&read(csv), inv, &PlanScope::default());
    p
}

const FIRST: &str = "Asset Tag,Mfr,Model,Type,Dept,Building,Floor,Room,Serial #,Hostname\n\
    BME-1,Alaris,8015,Infusion pump,ICU,Tower,3,301,S1,pump-1\n\
    BME-2,alaris ,8015,Infusion pump,icu,tower,3,301,S2,\n\
    BME-3,GE Healthcare,Carescape B450,Monitor,ED,,,,S3,\n";

#[test]
fn a_first_import_creates_each_record_once_with_ids_from_natural_keys() {
    let mut inv = Mem::with_sites(&["MAIN"]);
    let p = plan(&mut inv, FIRST);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.created.len(), 3);
    // Names compare without case or padding: one ICU, one maker, one model.
    assert_eq!(p.departments.len(), 2);
    assert_eq!(p.manufacturers.len(), 2);
    assert_eq!(p.models.len(), 2);
    assert_eq!(p.buildings.len(), 1);
    assert_eq!(p.locations.len(), 1);
    assert_eq!(p.created[0].department_id, p.created[1].department_id);
    assert_eq!(p.created[0].location_id, p.created[1].location_id);
    assert_eq!(p.created[2].location_id, None);
    assert_eq!(p.created[0].id, asset_id_for_tag("bme-1"));
    assert_eq!(p.network.len(), 1, "only the row with a network cell");
    // Another device planning the same file on its own copy mints the
    // same ids for everything.
    let mut other = Mem::with_sites(&["MAIN"]);
    assert_eq!(plan(&mut other, FIRST), p);
}

#[test]
fn a_reimport_updates_what_the_file_fills_and_keeps_what_it_leaves_blank() {
    let mut inv = Mem::with_sites(&["MAIN"]);
    let first = plan(&mut inv, FIRST);
    inv.absorb(&first);
    let again = plan(&mut inv, FIRST);
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(again.unchanged, 3);

    let second = "Asset Tag,Mfr,Model,Type,Dept,Serial #,Notes\n\
        BME-1,Alaris,8015,Infusion pump,NICU,,moved to NICU\n\
        BME-3,GE Healthcare,Carescape B450,Monitor,ED,S3-new,\n\
        BME-4,Alaris,8015,Infusion pump,NICU,S4,\n";
    let p = plan(&mut inv, second);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.created.len(), 1);
    assert_eq!(p.departments.len(), 1, "NICU is new; ICU and ED exist");
    assert!(p.models.is_empty() && p.manufacturers.is_empty());
    assert_eq!(p.updated.len(), 2);
    let one = &p.updated[0];
    assert_eq!(one.after.tag, "BME-1");
    assert_eq!(one.changed, ["department", "notes"]);
    assert_eq!(
        one.after.serial.as_deref(),
        Some("S1"),
        "blank serial keeps S1"
    );
    assert_eq!(
        one.after.location_id, one.before.location_id,
        "no room: stays"
    );
    assert_eq!(p.updated[1].changed, ["serial"]);
    assert_eq!(
        p.summary(),
        "1 created, 2 updated (department 1, notes 1, serial 1), 0 unchanged"
    );
}

#[test]
fn rows_the_inventory_refuses_are_reported_where_they_are_and_leave_nothing() {
    let mut inv = Mem::with_sites(&["MAIN", "EAST"]);
    let csv = "Asset Tag,Mfr,Model,Dept,Site,Parent Tag\n\
        BME-1,Acme,W1,ICU,MAIN,\n\
        BME-2,Zed,Z9,Lab,Nowhere,\n\
        BME-3,Yoyo,Y1,OR,EAST,\n\
        BME-4,Acme,W1,ICU,MAIN,BME-404\n\
        BME-5,Acme,W1,ICU,main,BME-1\n";
    let report = read(csv);
    let scope = PlanScope {
        sites: Some(vec![inv.sites[0].id]),
    };
    let Ok(p) = plan_assets(&report, &mut inv, &scope);
    let lines: Vec<(u64, Option<&str>, Option<&str>)> = p
        .problems
        .iter()
        .map(|x| (x.line, x.column.as_deref(), x.value.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            (3, Some("Site"), Some("Nowhere")),
            (4, Some("Site"), Some("EAST")),
            (5, Some("Parent Tag"), Some("BME-404")),
        ]
    );
    assert!(
        p.problems[0].reason.contains("MAIN, EAST") || p.problems[0].reason.contains("EAST, MAIN")
    );
    assert!(p.problems[1].reason.contains("do not work at"));
    let tags: Vec<&str> = p.created.iter().map(|a| a.tag.as_str()).collect();
    assert_eq!(tags, ["BME-1", "BME-5"]);
    assert_eq!(p.created[1].parent_id, Some(p.created[0].id));
    // The refused rows' makers and departments are not created.
    let makers: Vec<&str> = p.manufacturers.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(makers, ["Acme"]);
    assert_eq!(p.departments.len(), 1);
}

#[test]
fn a_hospital_without_sites_refuses_every_row_instead_of_inventing_one() {
    let mut inv = Mem::default();
    let p = plan(&mut inv, "Asset Tag,Mfr,Model,Dept\nBME-1,Acme,W1,ICU\n");
    assert!(p.created.is_empty() && p.departments.is_empty());
    assert_eq!(p.problems.len(), 1);
    assert!(
        p.problems[0].reason.contains("no site"),
        "{}",
        p.problems[0].reason
    );
}
