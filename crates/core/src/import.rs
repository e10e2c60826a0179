//! Inventory import from a CMMS export (CSV or XLSX). The file is parsed
//! and validated by `biomend-interchange`, whose plan resolves names to
//! records against this device's store (creating departments, models,
//! rooms as needed; a tag already in the inventory updates that asset);
//! this use case writes the plan in one transaction, with its audit rows
//! and the `import_assets@1` mutations that carry it to the server.
//!
//! All or nothing by default: any problem imports nothing. With
//! `only_good_rows`, the good rows are imported and the rest reported.

use crate::{App, Result, new_id, require};
use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Model};
use biomend_domain::ids::*;
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::user::Role;
use biomend_interchange::{AssetPlan, ImportOptions, Inventory, PlanScope, Problem, plan_assets};
use biomend_protocol::{ImportAssets, ImportedAsset, ImportedNetworkProfile, Mutation};
use biomend_store::AssetBatch;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub rows_read: u64,
    /// Assets created plus assets updated.
    pub imported: u64,
    pub created: u64,
    /// Assets already in the inventory whose fields the file changed.
    pub updated: u64,
    /// Rows whose tag is in the inventory and whose fields all match.
    pub unchanged: u64,
    /// What each update changed, row by row.
    pub changes: Vec<AssetChanged>,
    pub problems: Vec<RowProblem>,
    /// False when problems stopped an all-or-nothing import.
    pub committed: bool,
    /// The id of the import's audit row (who imported which file, and the
    /// id of every asset it created), when it imported anything.
    pub import_id: Option<uuid::Uuid>,
    pub notes: Vec<String>,
}

/// One reported problem: the row (as a spreadsheet numbers it), the column
/// header as written in the file, the value, and why it was refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl From<Problem> for RowProblem {
    fn from(p: Problem) -> Self {
        RowProblem {
            line: p.line,
            column: p.column,
            value: p.value,
            reason: p.reason,
        }
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column '{c}'")?;
        }
        if let Some(v) = &self.value {
            write!(f, ": '{v}'")?;
        }
        write!(f, " {}", self.reason)
    }
}

/// Assets per `import_assets@1` part: a part stays far below a push's
/// size limit (an asset with its profile is under 1 KiB on the wire).
pub const ASSETS_PER_PART: usize = 250;

pub use biomend_interchange::score_for_em;

/// One asset a re-import changed, for the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetChanged {
    pub line: u64,
    pub tag: String,
    pub fields: Vec<&'static str>,
}

/// The tablet's store as the import plan asks for it.
struct StoreInventory<'c>(biomend_store::Reader<'c>);

impl Inventory for StoreInventory<'_> {
    type Error = biomend_store::StoreError;
    fn sites(&mut self) -> std::result::Result<Vec<Site>, Self::Error> {
        self.0.sites()
    }
    fn department(
        &mut self,
        site: SiteId,
        name: &str,
    ) -> std::result::Result<Option<Department>, Self::Error> {
        self.0.department_by_name(site, name)
    }
    fn department_by_id(
        &mut self,
        id: DepartmentId,
    ) -> std::result::Result<Option<Department>, Self::Error> {
        self.0.department(id)
    }
    fn building(
        &mut self,
        site: SiteId,
        name: &str,
    ) -> std::result::Result<Option<Building>, Self::Error> {
        self.0.building_by_name(site, name)
    }
    fn location(
        &mut self,
        building: BuildingId,
        floor: &str,
        room: &str,
    ) -> std::result::Result<Option<Location>, Self::Error> {
        self.0.location_in(building, floor, room)
    }
    fn manufacturer(
        &mut self,
        name: &str,
    ) -> std::result::Result<Option<ManufacturerId>, Self::Error> {
        self.0.manufacturer_id_by_name(name)
    }
    fn device_type(
        &mut self,
        id: DeviceTypeId,
    ) -> std::result::Result<Option<DeviceType>, Self::Error> {
        self.0.device_type(id)
    }
    fn device_type_by_code(
        &mut self,
        code: &str,
    ) -> std::result::Result<Option<DeviceType>, Self::Error> {
        self.0.device_type_by_code(code)
    }
    fn device_type_by_name(
        &mut self,
        name: &str,
    ) -> std::result::Result<Option<DeviceType>, Self::Error> {
        self.0.device_type_by_name(name)
    }
    fn model(
        &mut self,
        manufacturer: ManufacturerId,
        name: &str,
    ) -> std::result::Result<Option<Model>, Self::Error> {
        self.0.model_by_name(manufacturer, name)
    }
    fn asset_by_tag(&mut self, tag: &str) -> std::result::Result<Option<Asset>, Self::Error> {
        match self.0.asset_id_by_tag(tag)? {
            Some(id) => self.0.asset(id),
            None => Ok(None),
        }
    }
    fn network_profile(
        &mut self,
        asset: AssetId,
    ) -> std::result::Result<Option<NetworkProfile>, Self::Error> {
        self.0.network_profile(asset)
    }
}

/// Imports an inventory file on this device: the plan
/// ([`biomend_interchange::plan_assets`]) decides what is created and what
/// a re-import updates; one transaction writes it with its audit rows and
/// queues it for the server as `import_assets@1` parts, so the import
/// reaches the server and every tablet of those sites on their next sync,
/// even when this device is offline now.
pub fn assets(
    app: &mut App,
    username: &str,
    path: &Path,
    opts: &ImportOptions,
    only_good_rows: bool,
) -> Result<ImportOutcome> {
    let user = app.user(username)?;
    require(&user, user.role.can_edit_inventory(), "import inventory")?;
    let report = biomend_interchange::read_assets(path, opts)?;
    let file = path.display().to_string();
    // Administrators may import into any site; others only their own.
    let scope = PlanScope {
        sites: (user.role != Role::Admin).then(|| user.sites.clone()),
    };
    let plan = plan_assets(&report, &mut StoreInventory(app.store().reader()), &scope)?;
    let mut problems: Vec<RowProblem> = report
        .problems
        .iter()
        .chain(plan.problems.iter())
        .cloned()
        .map(RowProblem::from)
        .collect();
    problems.sort_by_key(|p| p.line);
    let mut outcome = ImportOutcome {
        file,
        rows_read: report.rows_read,
        imported: 0,
        created: 0,
        updated: 0,
        unchanged: plan.unchanged,
        changes: plan
            .updated
            .iter()
            .map(|r| AssetChanged {
                line: r.line,
                tag: r.after.tag.clone(),
                fields: r.changed.clone(),
            })
            .collect(),
        problems,
        committed: false,
        import_id: None,
        notes: report.notes.clone(),
    };
    if !outcome.problems.is_empty() && !only_good_rows {
        return Ok(outcome);
    }
    if plan.is_empty() {
        outcome.committed = true;
        return Ok(outcome);
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| outcome.file.clone());
    let file = outcome.file.clone();
    let rows_read = outcome.rows_read;
    let import_id = app.write(&user, |tx, ids, ms| {
        tx.with_deferred_search_index(|tx| {
            write_plan(tx, &plan, file, rows_read, ids, ms).and_then(|id| {
                for m in mutations(&plan, id, &file_name) {
                    crate::outbox::enqueue(tx, ids, ms, &Mutation::ImportAssets(m))?;
                }
                Ok(id)
            })
        })
    })?;
    outcome.created = plan.created.len() as u64;
    outcome.updated = plan.updated.len() as u64;
    outcome.imported = outcome.created + outcome.updated;
    outcome.import_id = Some(import_id);
    outcome.committed = true;
    Ok(outcome)
}

/// Writes a plan in the caller's transaction: the records it creates, the
/// new assets as one audited batch (one audit row naming every asset,
/// which keeps a large import fast), each updated asset with its own audit
/// row (before → after), and the network profiles.
fn write_plan(
    tx: &mut biomend_store::Tx<'_>,
    plan: &AssetPlan,
    file: String,
    rows_read: u64,
    ids: &mut crate::env::IdGen,
    ms: u64,
) -> Result<uuid::Uuid> {
    for b in &plan.buildings {
        tx.insert_building(b)?;
    }
    for d in &plan.departments {
        tx.insert_department(d)?;
    }
    for l in &plan.locations {
        tx.insert_location(l)?;
    }
    for m in &plan.manufacturers {
        tx.insert_manufacturer(m)?;
    }
    for t in &plan.device_types {
        tx.insert_device_type(t)?;
    }
    for m in &plan.models {
        tx.insert_model(m)?;
    }
    let mut batch = AssetBatch::with_capacity(plan.created.len());
    let mut created = HashSet::with_capacity(plan.created.len());
    for a in &plan.created {
        tx.insert_asset_in(&mut batch, a)?;
        created.insert(a.id);
    }
    for r in &plan.updated {
        tx.update_asset(&r.before, &r.after)?;
    }
    for n in &plan.network {
        if n.before.is_none() && created.contains(&n.after.asset_id) {
            tx.insert_network_profile_in(&mut batch, &n.after)?;
        } else {
            tx.upsert_network_profile(n.before.as_ref(), &n.after)?;
        }
    }
    let import_id: uuid::Uuid = new_id(ids, ms);
    let mut details = serde_json::Map::new();
    details.insert("file".into(), file.into());
    details.insert("rows_read".into(), rows_read.into());
    details.insert("imported".into(), (batch.len() as u64).into());
    details.insert("updated".into(), (plan.updated.len() as u64).into());
    tx.audit_asset_batch(batch, "import", "asset_import", import_id, details)?;
    Ok(import_id)
}

/// The plan as `import_assets@1` parts of at most [`ASSETS_PER_PART`]
/// assets each; the first carries the reference records.
pub fn mutations(plan: &AssetPlan, import_id: uuid::Uuid, file: &str) -> Vec<ImportAssets> {
    let assets: Vec<ImportedAsset> = plan
        .created
        .iter()
        .map(|a| ImportedAsset {
            before: None,
            after: a.into(),
        })
        .chain(plan.updated.iter().map(|r| ImportedAsset {
            before: Some((&r.before).into()),
            after: (&r.after).into(),
        }))
        .collect();
    let mut network: HashMap<AssetId, ImportedNetworkProfile> = plan
        .network
        .iter()
        .map(|n| {
            (
                n.after.asset_id,
                ImportedNetworkProfile {
                    before: n.before.as_ref().map(Into::into),
                    after: (&n.after).into(),
                },
            )
        })
        .collect();
    let chunks: Vec<&[ImportedAsset]> = if assets.is_empty() {
        vec![&[]]
    } else {
        assets.chunks(ASSETS_PER_PART).collect()
    };
    let parts = chunks.len() as u32;
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut m = ImportAssets {
                import_id,
                file: file.to_string(),
                part: i as u32 + 1,
                parts,
                assets: chunk.to_vec(),
                network_profiles: chunk
                    .iter()
                    .filter_map(|a| network.remove(&AssetId(a.after.id)))
                    .collect(),
                ..ImportAssets::default()
            };
            if i == 0 {
                m.buildings = plan.buildings.iter().map(Into::into).collect();
                m.departments = plan.departments.iter().map(Into::into).collect();
                m.locations = plan.locations.iter().map(Into::into).collect();
                m.manufacturers = plan.manufacturers.iter().map(Into::into).collect();
                m.device_types = plan.device_types.iter().map(Into::into).collect();
                m.models = plan.models.iter().map(Into::into).collect();
            }
            m
        })
        .collect()
}
