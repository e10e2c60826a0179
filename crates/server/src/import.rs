//! Importing an inventory file (`biomend-server import assets`) or an old
//! CMMS's work history (`import history`) straight into the server: the same reading, header aliases,
//! mapping, validation and plan as a tablet's import
//! (`biomend-interchange`), over the server's row store. The plan is made
//! and written inside one write transaction, so it sees what it writes
//! against and an import that fails half-way leaves the server unchanged.
//! Every tablet of the sites it touched receives the rows on its next
//! pull.

use crate::backend::{Backend, StoreError, Txn};
use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Model};
use biomend_domain::ids::*;
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_interchange::{
    AssetPlan, HistoryAsset, HistoryLookup, HistoryOptions, HistoryPlanOptions, ImportError,
    ImportOptions, ImportReport, Inventory, PlanScope, Problem, history_namespace, plan_assets,
    plan_history, read_history,
};
use biomend_protocol::*;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ServerImportError {
    #[error(transparent)]
    Read(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no active user '{0}' to record the import under")]
    NoUser(String),
    #[error("stored {kind} {key} cannot be read: {detail}")]
    Corrupt {
        kind: &'static str,
        key: String,
        detail: String,
    },
}

/// What an import did, or would have done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerImportOutcome {
    pub file: String,
    pub rows_read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Each update: the file's row, the tag, the fields it changed.
    pub changes: Vec<(u64, String, Vec<&'static str>)>,
    /// Every problem, file order; with any, nothing is written unless
    /// `only_good_rows`.
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub committed: bool,
    /// Rows written (assets, profiles and the records they needed).
    pub rows_written: u64,
}

/// Reads `path` and imports it; nothing is written when the file has a
/// problem, unless `only_good_rows`.
pub fn import_assets<B: Backend>(
    backend: &B,
    path: &Path,
    opts: &ImportOptions,
    only_good_rows: bool,
) -> Result<ServerImportOutcome, ServerImportError> {
    let report = biomend_interchange::read_assets(path, opts)?;
    import_report(
        backend,
        &path.display().to_string(),
        &report,
        only_good_rows,
    )
}

/// Imports an already read file.
pub fn import_report<B: Backend>(
    backend: &B,
    file: &str,
    report: &ImportReport,
    only_good_rows: bool,
) -> Result<ServerImportOutcome, ServerImportError> {
    backend.write(|txn| -> Result<ServerImportOutcome, ServerImportError> {
        let mut inv = RowInventory::load(txn)?;
        let plan = plan_assets(report, &mut inv, &PlanScope::default())?;
        let mut problems: Vec<Problem> = report
            .problems
            .iter()
            .chain(plan.problems.iter())
            .cloned()
            .collect();
        problems.sort_by_key(|p| p.line);
        let mut out = ServerImportOutcome {
            file: file.to_string(),
            rows_read: report.rows_read,
            unchanged: plan.unchanged,
            changes: plan
                .updated
                .iter()
                .map(|r| (r.line, r.after.tag.clone(), r.changed.clone()))
                .collect(),
            problems,
            notes: report.notes.clone(),
            ..ServerImportOutcome::default()
        };
        if !out.problems.is_empty() && !only_good_rows {
            return Ok(out);
        }
        out.rows_written = write_plan(txn, &plan, &inv)?;
        out.created = plan.created.len() as u64;
        out.updated = plan.updated.len() as u64;
        out.committed = true;
        Ok(out)
    })
}

fn put(txn: &mut dyn Txn, r: Record, site: Option<uuid::Uuid>) -> Result<(), StoreError> {
    txn.put_row(r.kind(), &r.key(), site, &r.to_json())?;
    Ok(())
}

fn write_plan(txn: &mut dyn Txn, plan: &AssetPlan, inv: &RowInventory) -> Result<u64, StoreError> {
    let mut n = 0u64;
    let mut building_site: HashMap<BuildingId, SiteId> =
        inv.buildings.iter().map(|b| (b.id, b.site_id)).collect();
    let mut dept_site: HashMap<DepartmentId, SiteId> =
        inv.departments.iter().map(|d| (d.id, d.site_id)).collect();
    for b in &plan.buildings {
        building_site.insert(b.id, b.site_id);
        put(txn, Record::Building(b.into()), Some(b.site_id.0))?;
        n += 1;
    }
    for d in &plan.departments {
        dept_site.insert(d.id, d.site_id);
        put(txn, Record::Department(d.into()), Some(d.site_id.0))?;
        n += 1;
    }
    for l in &plan.locations {
        let site = building_site.get(&l.building_id).map(|s| s.0);
        put(txn, Record::Location(l.into()), site)?;
        n += 1;
    }
    for m in &plan.manufacturers {
        put(txn, Record::Manufacturer(m.into()), None)?;
        n += 1;
    }
    for t in &plan.device_types {
        put(txn, Record::DeviceType(t.into()), None)?;
        n += 1;
    }
    for m in &plan.models {
        put(txn, Record::Model(m.into()), None)?;
        n += 1;
    }
    let mut asset_site: HashMap<AssetId, Option<uuid::Uuid>> = HashMap::new();
    for a in plan
        .created
        .iter()
        .chain(plan.updated.iter().map(|r| &r.after))
    {
        let site = dept_site.get(&a.department_id).map(|s| s.0);
        asset_site.insert(a.id, site);
        put(txn, Record::Asset(a.into()), site)?;
        n += 1;
    }
    for p in &plan.network {
        let site = asset_site.get(&p.after.asset_id).copied().flatten();
        put(txn, Record::NetworkProfile((&p.after).into()), site)?;
        n += 1;
    }
    Ok(n)
}

/// The server's reference data and inventory, decoded once, indexed as
/// the plan asks for it.
struct RowInventory {
    sites: Vec<Site>,
    buildings: Vec<Building>,
    departments: Vec<Department>,
    locations: Vec<Location>,
    manufacturers: HashMap<String, ManufacturerId>,
    device_types: Vec<DeviceType>,
    models: HashMap<(ManufacturerId, String), Model>,
    tags: HashMap<String, Asset>,
    network: HashMap<AssetId, NetworkProfile>,
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

fn decode<T>(
    txn: &mut dyn Txn,
    kind: Kind,
    pick: impl Fn(Record) -> Option<Result<T, ProtocolError>>,
) -> Result<Vec<T>, ServerImportError> {
    let mut out = Vec::new();
    for row in txn.rows_of_kind(kind)? {
        let corrupt = |detail: String| ServerImportError::Corrupt {
            kind: kind.as_str(),
            key: row.body.chars().take(80).collect(),
            detail,
        };
        let record = Record::decode(kind, &row.body).map_err(|e| corrupt(e.to_string()))?;
        if let Some(v) = pick(record) {
            out.push(v.map_err(|e| corrupt(e.to_string()))?);
        }
    }
    Ok(out)
}

impl RowInventory {
    fn load(txn: &mut dyn Txn) -> Result<RowInventory, ServerImportError> {
        let mut sites: Vec<Site> = decode(txn, Kind::Site, |r| match r {
            Record::Site(s) => Some(Ok(s.into())),
            _ => None,
        })?;
        sites.sort_by(|a, b| a.code.cmp(&b.code));
        let buildings = decode(txn, Kind::Building, |r| match r {
            Record::Building(b) => Some(Ok(b.into())),
            _ => None,
        })?;
        let departments = decode(txn, Kind::Department, |r| match r {
            Record::Department(d) => Some(Ok(d.into())),
            _ => None,
        })?;
        let locations = decode(txn, Kind::Location, |r| match r {
            Record::Location(l) => Some(Ok(l.into())),
            _ => None,
        })?;
        let manufacturers = decode(txn, Kind::Manufacturer, |r| match r {
            Record::Manufacturer(m) => Some(Ok(biomend_domain::catalog::Manufacturer::from(m))),
            _ => None,
        })?
        .into_iter()
        .map(|m| (key(&m.name), m.id))
        .collect();
        let device_types = decode(txn, Kind::DeviceType, |r| match r {
            Record::DeviceType(t) => Some(DeviceType::try_from(t)),
            _ => None,
        })?;
        let models = decode(txn, Kind::Model, |r| match r {
            Record::Model(m) => Some(Ok(Model::from(m))),
            _ => None,
        })?
        .into_iter()
        .map(|m| ((m.manufacturer_id, key(&m.name)), m))
        .collect();
        let tags = decode(txn, Kind::Asset, |r| match r {
            Record::Asset(a) => Some(Asset::try_from(a)),
            _ => None,
        })?
        .into_iter()
        .map(|a| (a.tag.to_ascii_lowercase(), a))
        .collect();
        let network = decode(txn, Kind::NetworkProfile, |r| match r {
            Record::NetworkProfile(n) => Some(NetworkProfile::try_from(n)),
            _ => None,
        })?
        .into_iter()
        .map(|n| (n.asset_id, n))
        .collect();
        Ok(RowInventory {
            sites,
            buildings,
            departments,
            locations,
            manufacturers,
            device_types,
            models,
            tags,
            network,
        })
    }
}

impl Inventory for RowInventory {
    type Error = ServerImportError;
    fn sites(&mut self) -> Result<Vec<Site>, Self::Error> {
        Ok(self.sites.clone())
    }
    fn department(&mut self, site: SiteId, name: &str) -> Result<Option<Department>, Self::Error> {
        let k = key(name);
        Ok(self
            .departments
            .iter()
            .find(|d| d.site_id == site && key(&d.name) == k)
            .cloned())
    }
    fn department_by_id(&mut self, id: DepartmentId) -> Result<Option<Department>, Self::Error> {
        Ok(self.departments.iter().find(|d| d.id == id).cloned())
    }
    fn building(&mut self, site: SiteId, name: &str) -> Result<Option<Building>, Self::Error> {
        let k = key(name);
        Ok(self
            .buildings
            .iter()
            .find(|b| b.site_id == site && key(&b.name) == k)
            .cloned())
    }
    fn location(
        &mut self,
        building: BuildingId,
        floor: &str,
        room: &str,
    ) -> Result<Option<Location>, Self::Error> {
        let (f, r) = (key(floor), key(room));
        Ok(self
            .locations
            .iter()
            .find(|l| l.building_id == building && key(&l.floor) == f && key(&l.room) == r)
            .cloned())
    }
    fn manufacturer(&mut self, name: &str) -> Result<Option<ManufacturerId>, Self::Error> {
        Ok(self.manufacturers.get(&key(name)).copied())
    }
    fn device_type(&mut self, id: DeviceTypeId) -> Result<Option<DeviceType>, Self::Error> {
        Ok(self.device_types.iter().find(|t| t.id == id).cloned())
    }
    fn device_type_by_code(&mut self, code: &str) -> Result<Option<DeviceType>, Self::Error> {
        let k = key(code);
        Ok(self
            .device_types
            .iter()
            .find(|t| key(&t.code) == k)
            .cloned())
    }
    fn device_type_by_name(&mut self, name: &str) -> Result<Option<DeviceType>, Self::Error> {
        let k = key(name);
        Ok(self
            .device_types
            .iter()
            .find(|t| key(&t.name) == k)
            .cloned())
    }
    fn model(
        &mut self,
        manufacturer: ManufacturerId,
        name: &str,
    ) -> Result<Option<Model>, Self::Error> {
        Ok(self.models.get(&(manufacturer, key(name))).cloned())
    }
    fn asset_by_tag(&mut self, tag: &str) -> Result<Option<Asset>, Self::Error> {
        Ok(self.tags.get(&tag.to_ascii_lowercase()).cloned())
    }
    fn network_profile(&mut self, asset: AssetId) -> Result<Option<NetworkProfile>, Self::Error> {
        Ok(self.network.get(&asset).cloned())
    }
}

/// What a history import did, or would have done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryImportOutcome {
    pub file: String,
    pub rows_read: u64,
    /// Work orders written.
    pub work_orders: u64,
    /// Rows written with them (labor, parts, downtime, notes...).
    pub rows_written: u64,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub committed: bool,
}

/// Reads a work-history file and imports it in one write transaction:
/// the plan (`biomend_interchange::plan_history`) is made against the
/// server's inventory and work-order numbers inside it, and nothing is
/// written when any row has a problem unless `only_good_rows`.
/// `imported_by` is the administrator of record (creator and signer of
/// the imported work); `source` names the old system in every work
/// order's note and in its ids' namespace, so the same file imported
/// twice is refused by its numbers rather than duplicated.
pub fn import_history<B: Backend>(
    backend: &B,
    path: &Path,
    opts: &HistoryOptions,
    imported_by: &str,
    source: &str,
    only_good_rows: bool,
) -> Result<HistoryImportOutcome, ServerImportError> {
    let report = read_history(path, opts)?;
    let now = chrono::Utc::now();
    backend.write(|txn| -> Result<HistoryImportOutcome, ServerImportError> {
        let user = txn
            .user_by_username(imported_by)?
            .filter(|u| u.active)
            .ok_or_else(|| ServerImportError::NoUser(imported_by.to_string()))?;
        let lookup = RowHistory::load(txn)?;
        let namespace = history_namespace(uuid::Uuid::nil(), source);
        let plan_opts = HistoryPlanOptions::new(now, UserId(user.id), source, namespace);
        let mut no_id: Option<StoreError> = None;
        let mut ids = || match crate::apply::new_id(now) {
            Ok(id) => id,
            Err(e) => {
                no_id.get_or_insert(e);
                uuid::Uuid::nil()
            }
        };
        let plan = plan_history(&report, &lookup, &mut ids, &plan_opts);
        if let Some(e) = no_id {
            return Err(e.into());
        }
        let RowHistory { sites, failed, .. } = lookup;
        if let Some(e) = failed.into_inner() {
            return Err(e.into());
        }
        let mut problems: Vec<Problem> = report
            .problems
            .iter()
            .chain(plan.problems.iter())
            .cloned()
            .collect();
        problems.sort_by_key(|p| p.line);
        let mut notes = report.notes.clone();
        notes.extend(plan.notes.iter().cloned());
        let mut out = HistoryImportOutcome {
            file: path.display().to_string(),
            rows_read: report.rows_read,
            problems,
            notes,
            ..HistoryImportOutcome::default()
        };
        if !out.problems.is_empty() && !only_good_rows {
            return Ok(out);
        }
        for b in &plan.bundles {
            let site = sites.get(&b.work_order.asset_id).copied().flatten();
            out.rows_written += crate::seed::put_bundle(txn, b, site)?;
            out.work_orders += 1;
        }
        out.committed = true;
        Ok(out)
    })
}

/// The server's answers to the history plan: assets by tag (with the
/// site their work belongs to and their PM plan), vendors by name, and
/// work-order numbers already used.
struct RowHistory<'t> {
    txn: std::cell::RefCell<&'t mut dyn Txn>,
    failed: std::cell::RefCell<Option<StoreError>>,
    tags: HashMap<String, HistoryAsset>,
    sites: HashMap<AssetId, Option<uuid::Uuid>>,
    vendors: HashMap<String, VendorId>,
}

impl<'t> RowHistory<'t> {
    fn load(txn: &'t mut dyn Txn) -> Result<RowHistory<'t>, ServerImportError> {
        let mut plans: HashMap<uuid::Uuid, uuid::Uuid> = HashMap::new();
        for row in txn.rows_of_kind(Kind::PmSchedule)? {
            if let Ok(Record::PmSchedule(s)) = Record::decode(Kind::PmSchedule, &row.body) {
                plans.entry(s.asset_id).or_insert(s.plan_id);
            }
        }
        let mut tags = HashMap::new();
        let mut sites = HashMap::new();
        for row in txn.rows_of_kind(Kind::Asset)? {
            if let Ok(Record::Asset(a)) = Record::decode(Kind::Asset, &row.body) {
                sites.insert(AssetId(a.id), row.site_id);
                tags.insert(
                    a.tag.to_ascii_lowercase(),
                    HistoryAsset {
                        id: AssetId(a.id),
                        pm_plan_id: plans.get(&a.id).copied().map(PmPlanId),
                    },
                );
            }
        }
        let mut vendors = HashMap::new();
        for row in txn.rows_of_kind(Kind::Vendor)? {
            if let Ok(Record::Vendor(v)) = Record::decode(Kind::Vendor, &row.body) {
                vendors.insert(key(&v.name), VendorId(v.id));
            }
        }
        Ok(RowHistory {
            txn: std::cell::RefCell::new(txn),
            failed: std::cell::RefCell::new(None),
            tags,
            sites,
            vendors,
        })
    }
}

impl HistoryLookup for RowHistory<'_> {
    fn asset(&self, tag: &str) -> Option<HistoryAsset> {
        self.tags.get(&tag.to_ascii_lowercase()).cloned()
    }
    fn number_taken(&self, number: &str) -> bool {
        match self.txn.borrow_mut().work_order_number_owner(number) {
            Ok(owner) => owner.is_some(),
            Err(e) => {
                // Reported after planning: the import stops, writing nothing.
                self.failed.borrow_mut().get_or_insert(e);
                true
            }
        }
    }
    fn vendor(&self, name: &str) -> Option<VendorId> {
        self.vendors.get(&key(name)).copied()
    }
}
