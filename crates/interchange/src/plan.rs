//! From validated rows to records: what an inventory import creates and
//! changes, decided against what the inventory already holds.
//!
//! The same plan runs on a tablet (over its local store) and on the server
//! (over its row store), each behind [`Inventory`], so a file imported
//! either way gives the same records. Every record an import creates gets
//! an id derived from its natural key ([`biomend_domain::ids::derived`]:
//! an asset from its tag, a department from its site and name, a model
//! from its maker and name), so the same file imported on two offline
//! devices, or on a device and on the server, names the same rows and sync
//! merges them.
//!
//! A row whose tag is already in the inventory updates that asset: each
//! field the file fills replaces the stored one, a blank cell leaves the
//! stored value as it is (a re-import never erases what the old system did
//! not export), and the revision lists the fields that changed.
//!
//! Sites are never created by an import: they are the hospital's
//! structure, set up by an administrator, and a misspelt site name would
//! otherwise become a new site. Departments, buildings, rooms, makers,
//! device types and models are created as the file names them.

use crate::Field;
use crate::report::{ImportReport, Problem};
use crate::row::{AssetImportRow, NetworkImport, RiskInput};
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{DeviceType, Manufacturer, Model, NomenclatureSystem};
use biomend_domain::ids::*;
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::risk::EmScore;
use std::collections::{HashMap, HashSet};

/// What the inventory already holds, as the plan asks for it. Names
/// compare case-insensitively; sites match their code or their name.
pub trait Inventory {
    type Error;
    /// Every site, in a stable order (the first is the default for a file
    /// without a site column).
    fn sites(&mut self) -> Result<Vec<Site>, Self::Error>;
    fn department(&mut self, site: SiteId, name: &str) -> Result<Option<Department>, Self::Error>;
    fn department_by_id(&mut self, id: DepartmentId) -> Result<Option<Department>, Self::Error>;
    fn building(&mut self, site: SiteId, name: &str) -> Result<Option<Building>, Self::Error>;
    fn location(
        &mut self,
        building: BuildingId,
        floor: &str,
        room: &str,
    ) -> Result<Option<Location>, Self::Error>;
    fn manufacturer(&mut self, name: &str) -> Result<Option<ManufacturerId>, Self::Error>;
    fn device_type(&mut self, id: DeviceTypeId) -> Result<Option<DeviceType>, Self::Error>;
    fn device_type_by_code(&mut self, code: &str) -> Result<Option<DeviceType>, Self::Error>;
    fn device_type_by_name(&mut self, name: &str) -> Result<Option<DeviceType>, Self::Error>;
    fn model(
        &mut self,
        manufacturer: ManufacturerId,
        name: &str,
    ) -> Result<Option<Model>, Self::Error>;
    /// Tags compare as the stores' unique index does: ASCII case only.
    fn asset_by_tag(&mut self, tag: &str) -> Result<Option<Asset>, Self::Error>;
    fn network_profile(&mut self, asset: AssetId) -> Result<Option<NetworkProfile>, Self::Error>;
}

/// Who imports: `None` may import into any site (the server's operator, an
/// administrator); otherwise only into these.
#[derive(Clone, Debug, Default)]
pub struct PlanScope {
    pub sites: Option<Vec<SiteId>>,
}

/// One asset a re-import changed.
#[derive(Clone, Debug, PartialEq)]
pub struct AssetRevision {
    /// The file's row.
    pub line: u64,
    pub before: Asset,
    pub after: Asset,
    /// The fields that changed, e.g. `["department", "serial"]`.
    pub changed: Vec<&'static str>,
}

/// A network profile created or changed by the import.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkRevision {
    pub before: Option<NetworkProfile>,
    pub after: NetworkProfile,
}

/// Everything one import writes, in dependency order, plus the rows it
/// refused. Writing it is the caller's one transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssetPlan {
    pub buildings: Vec<Building>,
    pub departments: Vec<Department>,
    pub locations: Vec<Location>,
    pub manufacturers: Vec<Manufacturer>,
    pub device_types: Vec<DeviceType>,
    pub models: Vec<Model>,
    /// New assets, parents before their children.
    pub created: Vec<Asset>,
    pub updated: Vec<AssetRevision>,
    pub network: Vec<NetworkRevision>,
    /// Rows whose tag is in the inventory and whose fields all match.
    pub unchanged: u64,
    /// Rows refused for what only the inventory knows (an unknown site, a
    /// parent that does not exist), in file order.
    pub problems: Vec<Problem>,
}

impl AssetPlan {
    /// Whether nothing would be written.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.updated.is_empty()
            && self.network.is_empty()
            && self.buildings.is_empty()
            && self.departments.is_empty()
            && self.locations.is_empty()
            && self.manufacturers.is_empty()
            && self.device_types.is_empty()
            && self.models.is_empty()
    }

    /// "12 created, 3 updated (department 2, serial 1), 40 unchanged".
    pub fn summary(&self) -> String {
        let mut fields: Vec<(&'static str, usize)> = Vec::new();
        for r in &self.updated {
            for f in &r.changed {
                match fields.iter_mut().find(|(n, _)| n == f) {
                    Some((_, c)) => *c += 1,
                    None => fields.push((f, 1)),
                }
            }
        }
        let mut s = format!(
            "{} created, {} updated",
            self.created.len(),
            self.updated.len()
        );
        if !fields.is_empty() {
            let list: Vec<String> = fields.iter().map(|(f, c)| format!("{f} {c}")).collect();
            s.push_str(&format!(" ({})", list.join(", ")));
        }
        s.push_str(&format!(", {} unchanged", self.unchanged));
        s
    }
}

/// Device types created on the fly get middle-of-the-road risk scores;
/// the EM number from the file, when given, overrides them.
pub const NEW_TYPE_RISK: EmScore = EmScore {
    function: 5,
    physical_risk: 3,
    maintenance: 3,
    incident_history: 0,
};
/// Expected life of a device type an import creates.
pub const NEW_TYPE_LIFE_YEARS: u16 = 10;

/// Splits an EM number into scores that add up to it, starting from the
/// device type's defaults: function first, then maintenance, then
/// physical risk, then the incident score, each within its scale.
pub fn score_for_em(total: i32, base: EmScore) -> EmScore {
    let mut s = EmScore {
        incident_history: 0,
        ..base
    };
    let mut rest = total - s.em_number();
    let nudge = |v: &mut u8, lo: i32, hi: i32, rest: &mut i32| {
        let target = (*v as i32 + *rest).clamp(lo, hi);
        *rest -= target - *v as i32;
        *v = target as u8;
    };
    nudge(&mut s.function, 2, 10, &mut rest);
    nudge(&mut s.maintenance, 1, 5, &mut rest);
    nudge(&mut s.physical_risk, 1, 5, &mut rest);
    s.incident_history = rest.clamp(-2, 2) as i8;
    s
}

/// The id an imported asset gets from its tag.
pub fn asset_id_for_tag(tag: &str) -> AssetId {
    AssetId(derived("asset", &[&tag.to_ascii_lowercase()]))
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Plans the import of `report`'s good rows into `inv`.
pub fn plan_assets<I: Inventory>(
    report: &ImportReport,
    inv: &mut I,
    scope: &PlanScope,
) -> Result<AssetPlan, I::Error> {
    Planner {
        inv,
        scope,
        report,
        plan: AssetPlan::default(),
        sites: Vec::new(),
        departments: HashMap::new(),
        buildings: HashMap::new(),
        locations: HashMap::new(),
        manufacturers: HashMap::new(),
        types: HashMap::new(),
        models: HashMap::new(),
        tags: HashMap::new(),
    }
    .run()
}

struct Planner<'a, I: Inventory> {
    inv: &'a mut I,
    scope: &'a PlanScope,
    report: &'a ImportReport,
    plan: AssetPlan,
    sites: Vec<Site>,
    departments: HashMap<(SiteId, String), DepartmentId>,
    buildings: HashMap<(SiteId, String), BuildingId>,
    locations: HashMap<(BuildingId, String, String), LocationId>,
    manufacturers: HashMap<String, ManufacturerId>,
    types: HashMap<String, DeviceType>,
    models: HashMap<(ManufacturerId, String), (ModelId, DeviceTypeId)>,
    /// Tags this file creates, to their new ids.
    tags: HashMap<String, AssetId>,
}

/// A row refused, and why.
struct Refusal {
    field: Field,
    value: String,
    reason: String,
}

impl<I: Inventory> Planner<'_, I> {
    fn run(mut self) -> Result<AssetPlan, I::Error> {
        self.sites = self.inv.sites()?;
        let rows = &self.report.good;
        let file_tags: HashSet<String> = rows.iter().map(|g| g.tag.to_ascii_lowercase()).collect();
        // Parents before children, so each parent exists when referenced.
        let mut order: Vec<&AssetImportRow> = rows.iter().collect();
        order.sort_by_key(|g| {
            (
                g.parent_tag
                    .as_ref()
                    .is_some_and(|p| file_tags.contains(&p.to_ascii_lowercase())),
                g.line,
            )
        });
        for row in order {
            // A row is refused before it creates anything (site and parent
            // are checked first), so a refusal leaves nothing behind.
            match self.row(row)? {
                Ok(()) => {}
                Err(r) => {
                    let column = self.header(r.field);
                    self.plan.problems.push(Problem {
                        line: row.line,
                        column,
                        value: Some(r.value),
                        reason: r.reason,
                    });
                }
            }
        }
        self.plan.problems.sort_by_key(|p| p.line);
        Ok(self.plan)
    }

    fn header(&self, field: Field) -> Option<String> {
        self.report
            .columns
            .iter()
            .find(|c| c.field == Some(field))
            .map(|c| c.header.clone())
    }

    fn row(&mut self, row: &AssetImportRow) -> Result<Result<(), Refusal>, I::Error> {
        let existing = self.inv.asset_by_tag(&row.tag)?;
        let site = match self.site(row, existing.as_ref())? {
            Ok(s) => s,
            Err(r) => return Ok(Err(r)),
        };
        let parent_id = match &row.parent_tag {
            None => None,
            Some(p) => match self.tags.get(&p.to_ascii_lowercase()) {
                Some(id) => Some(*id),
                None => match self.inv.asset_by_tag(p)? {
                    Some(a) => Some(a.id),
                    None => {
                        return Ok(Err(Refusal {
                            field: Field::ParentTag,
                            value: p.clone(),
                            reason: "parent tag is neither in the inventory nor in this file"
                                .into(),
                        }));
                    }
                },
            },
        };
        let dept = self.department(site, &row.department)?;
        let (model_id, dtype) = self.model(row)?;
        let location = self.location(site, dept, row)?;
        let risk_for = |base: EmScore| match row.risk {
            Some(RiskInput::Parts(s)) => Some(s),
            Some(RiskInput::EmNumber(n)) => Some(score_for_em(n, base)),
            None => None,
        };
        match existing {
            None => {
                let asset = Asset {
                    id: asset_id_for_tag(&row.tag),
                    tag: row.tag.clone(),
                    serial: row.serial.clone(),
                    model_id,
                    department_id: dept,
                    location_id: location,
                    ownership: row.ownership.unwrap_or(Ownership::Owned),
                    status: row.status.unwrap_or(AssetStatus::InService),
                    acquired_on: row.acquired_on,
                    acquisition_cost: row.acquisition_cost,
                    warranty_end: row.warranty_end,
                    contract_id: None,
                    expected_life_years: row.expected_life_years,
                    risk: risk_for(dtype.default_risk).unwrap_or(dtype.default_risk),
                    life_support_override: row.life_support == Some(true) && !dtype.life_support,
                    parent_id,
                    notes: row.notes.clone().unwrap_or_default(),
                };
                if let Some(net) = &row.network {
                    self.plan.network.push(NetworkRevision {
                        before: None,
                        after: network_profile(asset.id, None, net),
                    });
                }
                self.tags.insert(row.tag.to_ascii_lowercase(), asset.id);
                self.plan.created.push(asset);
            }
            Some(before) => {
                let mut a = before.clone();
                let mut changed = Vec::new();
                let mut set = |name: &'static str, differs: bool| {
                    if differs {
                        changed.push(name);
                    }
                    differs
                };
                if set("model", a.model_id != model_id) {
                    a.model_id = model_id;
                }
                if set("department", a.department_id != dept) {
                    a.department_id = dept;
                }
                if location.is_some() && set("location", a.location_id != location) {
                    a.location_id = location;
                }
                if row.serial.is_some() && set("serial", a.serial != row.serial) {
                    a.serial = row.serial.clone();
                }
                if let Some(o) = row.ownership
                    && set("ownership", a.ownership != o)
                {
                    a.ownership = o;
                }
                if let Some(s) = row.status
                    && set("status", a.status != s)
                {
                    a.status = s;
                }
                if row.acquired_on.is_some() && set("acquired_on", a.acquired_on != row.acquired_on)
                {
                    a.acquired_on = row.acquired_on;
                }
                if row.acquisition_cost.is_some()
                    && set(
                        "acquisition_cost",
                        a.acquisition_cost != row.acquisition_cost,
                    )
                {
                    a.acquisition_cost = row.acquisition_cost;
                }
                if row.warranty_end.is_some()
                    && set("warranty_end", a.warranty_end != row.warranty_end)
                {
                    a.warranty_end = row.warranty_end;
                }
                if row.expected_life_years.is_some()
                    && set(
                        "expected_life_years",
                        a.expected_life_years != row.expected_life_years,
                    )
                {
                    a.expected_life_years = row.expected_life_years;
                }
                // An EM number equal to the stored one keeps the stored
                // split of its scores.
                let risk = match row.risk {
                    Some(RiskInput::EmNumber(n)) if n == a.risk.em_number() => None,
                    _ => risk_for(a.risk),
                };
                if let Some(r) = risk
                    && set("risk", a.risk != r)
                {
                    a.risk = r;
                }
                if let Some(ls) = row.life_support {
                    let o = ls && !dtype.life_support;
                    if set("life_support", a.life_support_override != o) {
                        a.life_support_override = o;
                    }
                }
                if parent_id.is_some() && set("parent", a.parent_id != parent_id) {
                    a.parent_id = parent_id;
                }
                if let Some(n) = &row.notes
                    && set("notes", &a.notes != n)
                {
                    a.notes = n.clone();
                }
                if let Some(net) = &row.network {
                    let before_net = self.inv.network_profile(a.id)?;
                    let after_net = network_profile(a.id, before_net.as_ref(), net);
                    if before_net.as_ref() != Some(&after_net) {
                        changed.push("network");
                        self.plan.network.push(NetworkRevision {
                            before: before_net,
                            after: after_net,
                        });
                    }
                }
                if changed.is_empty() {
                    self.plan.unchanged += 1;
                } else {
                    self.plan.updated.push(AssetRevision {
                        line: row.line,
                        before,
                        after: a,
                        changed,
                    });
                }
            }
        }
        Ok(Ok(()))
    }

    fn allowed(&self, site: SiteId) -> bool {
        self.scope.sites.as_ref().is_none_or(|s| s.contains(&site))
    }

    fn site(
        &mut self,
        row: &AssetImportRow,
        existing: Option<&Asset>,
    ) -> Result<Result<SiteId, Refusal>, I::Error> {
        let refuse = |field, value: &str, reason: String| {
            Ok(Err(Refusal {
                field,
                value: value.to_string(),
                reason,
            }))
        };
        let site = match &row.site {
            Some(name) => {
                let k = key(name);
                match self
                    .sites
                    .iter()
                    .find(|s| key(&s.code) == k || key(&s.name) == k)
                {
                    Some(s) => s.clone(),
                    None => {
                        let known: Vec<&str> = self.sites.iter().map(|s| s.code.as_str()).collect();
                        return refuse(
                            Field::Site,
                            name,
                            format!(
                                "is not a site of this hospital (sites: {}); an administrator adds sites",
                                if known.is_empty() {
                                    "none yet".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        );
                    }
                }
            }
            None => {
                // No site column: an asset already in the inventory stays
                // at its department's site; a new one goes to the
                // importer's first site.
                if let Some(a) = existing
                    && let Some(id) = self.department_site(a.department_id)?
                    && let Some(s) = self.sites.iter().find(|s| s.id == id)
                {
                    s.clone()
                } else {
                    let first = self.sites.iter().find(|s| self.allowed(s.id)).cloned();
                    match first {
                        Some(s) => s,
                        None => {
                            return refuse(
                                Field::Tag,
                                &row.tag,
                                "cannot be placed: there is no site to import into; an administrator adds one first".into(),
                            );
                        }
                    }
                }
            }
        };
        if !self.allowed(site.id) {
            return refuse(
                Field::Site,
                row.site.as_deref().unwrap_or(&site.code),
                format!("is a site you do not work at ({})", site.name),
            );
        }
        if let Some(a) = existing
            && let Some(id) = self.department_site(a.department_id)?
            && !self.allowed(id)
        {
            return refuse(
                Field::Tag,
                &row.tag,
                "is already in the inventory at a site you do not work at".into(),
            );
        }
        Ok(Ok(site.id))
    }

    /// The site of a department the plan made or the inventory holds.
    fn department_site(&mut self, id: DepartmentId) -> Result<Option<SiteId>, I::Error> {
        if let Some(d) = self.plan.departments.iter().find(|d| d.id == id) {
            return Ok(Some(d.site_id));
        }
        Ok(self.inv.department_by_id(id)?.map(|d| d.site_id))
    }

    fn department(&mut self, site: SiteId, name: &str) -> Result<DepartmentId, I::Error> {
        let k = (site, key(name));
        if let Some(id) = self.departments.get(&k) {
            return Ok(*id);
        }
        let id = match self.inv.department(site, name.trim())? {
            Some(d) => d.id,
            None => {
                let d = Department {
                    id: DepartmentId(derived("department", &[&site.to_string(), name])),
                    site_id: site,
                    name: name.trim().to_string(),
                    short_name: None,
                    cost_center: None,
                };
                let id = d.id;
                self.plan.departments.push(d);
                id
            }
        };
        self.departments.insert(k, id);
        Ok(id)
    }

    fn device_type(&mut self, row: &AssetImportRow) -> Result<DeviceType, I::Error> {
        let k = key(row
            .device_type_code
            .as_deref()
            .or(row.device_type_name.as_deref())
            .unwrap_or("unclassified"));
        if let Some(t) = self.types.get(&k) {
            return Ok(t.clone());
        }
        let found = match (&row.device_type_code, &row.device_type_name) {
            (Some(code), _) => self.inv.device_type_by_code(code)?,
            (None, Some(name)) => self.inv.device_type_by_name(name)?,
            (None, None) => self.inv.device_type_by_code("UNCLASSIFIED")?,
        };
        let t = match found {
            Some(t) => t,
            None => {
                let code = row.device_type_code.clone().unwrap_or_else(|| {
                    if row.device_type_name.is_some() {
                        format!(
                            "LOCAL-{}",
                            k.to_uppercase()
                                .chars()
                                .filter(|c| c.is_alphanumeric())
                                .take(12)
                                .collect::<String>()
                        )
                    } else {
                        "UNCLASSIFIED".into()
                    }
                });
                let t = DeviceType {
                    id: DeviceTypeId(derived("device_type", &[&code])),
                    system: NomenclatureSystem::Local,
                    name: row
                        .device_type_name
                        .clone()
                        .or_else(|| row.device_type_code.clone())
                        .unwrap_or_else(|| "Unclassified".into()),
                    code,
                    life_support: false,
                    aem_exclusion: None,
                    default_risk: NEW_TYPE_RISK,
                    expected_life_years: NEW_TYPE_LIFE_YEARS,
                };
                self.plan.device_types.push(t.clone());
                t
            }
        };
        self.types.insert(k, t.clone());
        Ok(t)
    }

    fn model(&mut self, row: &AssetImportRow) -> Result<(ModelId, DeviceType), I::Error> {
        let mk = key(&row.manufacturer);
        let mfr = match self.manufacturers.get(&mk) {
            Some(id) => *id,
            None => {
                let id = match self.inv.manufacturer(row.manufacturer.trim())? {
                    Some(id) => id,
                    None => {
                        let m = Manufacturer {
                            id: ManufacturerId(derived("manufacturer", &[&row.manufacturer])),
                            name: row.manufacturer.trim().to_string(),
                        };
                        let id = m.id;
                        self.plan.manufacturers.push(m);
                        id
                    }
                };
                self.manufacturers.insert(mk, id);
                id
            }
        };
        let k = (mfr, key(&row.model));
        if let Some((id, tid)) = self.models.get(&k).copied()
            && let Some(t) = self.types.values().find(|t| t.id == tid).cloned()
        {
            return Ok((id, t));
        }
        let (id, t) = match self.inv.model(mfr, row.model.trim())? {
            Some(m) => {
                let t = match self.inv.device_type(m.device_type_id)? {
                    Some(t) => t,
                    // A model whose type is gone: classify it as the file
                    // does rather than fail the row.
                    None => self.device_type(row)?,
                };
                self.types.entry(key(&t.code)).or_insert_with(|| t.clone());
                (m.id, t)
            }
            None => {
                let t = self.device_type(row)?;
                let m = Model {
                    id: ModelId(derived("model", &[&mfr.to_string(), &row.model])),
                    manufacturer_id: mfr,
                    device_type_id: t.id,
                    name: row.model.trim().to_string(),
                    expected_life_years: None,
                    end_of_support: None,
                    replacement_cost: None,
                    mds2: None,
                    sbom: Vec::new(),
                };
                let id = m.id;
                self.plan.models.push(m);
                (id, t)
            }
        };
        self.models.insert(k, (id, t.id));
        Ok((id, t))
    }

    fn location(
        &mut self,
        site: SiteId,
        dept: DepartmentId,
        row: &AssetImportRow,
    ) -> Result<Option<LocationId>, I::Error> {
        let Some(room) = row.room.as_deref().map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let bname = row.building.clone().unwrap_or_else(|| "Main".into());
        let bk = (site, key(&bname));
        let building = match self.buildings.get(&bk) {
            Some(id) => *id,
            None => {
                let id = match self.inv.building(site, bname.trim())? {
                    Some(b) => b.id,
                    None => {
                        let b = Building {
                            id: BuildingId(derived("building", &[&site.to_string(), &bname])),
                            site_id: site,
                            name: bname.trim().to_string(),
                        };
                        let id = b.id;
                        self.plan.buildings.push(b);
                        id
                    }
                };
                self.buildings.insert(bk, id);
                id
            }
        };
        let floor = row.floor.clone().unwrap_or_default();
        let lk = (building, key(&floor), key(room));
        if let Some(id) = self.locations.get(&lk) {
            return Ok(Some(*id));
        }
        let id = match self.inv.location(building, &floor, room)? {
            Some(l) => l.id,
            None => {
                let l = Location {
                    id: LocationId(derived("location", &[&building.to_string(), &floor, room])),
                    building_id: building,
                    floor: floor.trim().to_string(),
                    room: room.to_string(),
                    department_id: Some(dept),
                };
                let id = l.id;
                self.plan.locations.push(l);
                id
            }
        };
        self.locations.insert(lk, id);
        Ok(Some(id))
    }
}

/// The profile after an import: the file's filled network cells over what
/// was stored (a blank cell keeps the stored value).
fn network_profile(
    asset: AssetId,
    before: Option<&NetworkProfile>,
    net: &NetworkImport,
) -> NetworkProfile {
    let mut p = before.cloned().unwrap_or(NetworkProfile {
        asset_id: asset,
        hostname: None,
        ip_address: None,
        mac_address: None,
        vlan: None,
        segment: None,
        os_name: None,
        os_version: None,
        firmware_version: None,
        patch_level: None,
        last_patched_on: None,
        remote_recoverable: false,
        stores_phi: false,
        patch_validation: PatchValidation::Pending,
    });
    let over = |to: &mut Option<String>, from: &Option<String>| {
        if from.is_some() {
            to.clone_from(from);
        }
    };
    over(&mut p.hostname, &net.hostname);
    over(&mut p.ip_address, &net.ip);
    over(&mut p.mac_address, &net.mac);
    if net.vlan.is_some() {
        p.vlan = net.vlan;
    }
    over(&mut p.os_name, &net.os_name);
    over(&mut p.os_version, &net.os_version);
    over(&mut p.firmware_version, &net.firmware);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_number_splits_into_valid_scores_that_add_up() {
        let base = EmScore {
            function: 5,
            physical_risk: 3,
            maintenance: 3,
            incident_history: 0,
        };
        for total in 2..=25 {
            let s = score_for_em(total, base);
            assert!(
                EmScore::new(
                    s.function,
                    s.physical_risk,
                    s.maintenance,
                    s.incident_history
                )
                .is_ok(),
                "{total}: {s:?}"
            );
            if (2..=22).contains(&total) {
                assert_eq!(s.em_number(), total, "{s:?}");
            }
        }
        assert_eq!(
            score_for_em(11, base),
            EmScore {
                function: 5,
                physical_risk: 3,
                maintenance: 3,
                incident_history: 0
            }
        );
        assert_eq!(score_for_em(15, base).function, 9);
    }
}
