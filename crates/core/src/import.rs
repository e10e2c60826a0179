//! Inventory import from a CMMS export (CSV or XLSX). The file is parsed
//! and validated by `biomend-interchange`; this use case checks what only
//! the database knows (tags already in the inventory, parent tags),
//! resolves names to records (creating departments, models, locations as
//! needed) and writes everything in one transaction.
//!
//! All or nothing by default: any problem imports nothing. With
//! `only_good_rows`, the good rows are imported and the rest reported.

use crate::{App, CoreError, Result, new_id, require};
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{DeviceType, Manufacturer, Model, NomenclatureSystem};
use biomend_domain::ids::*;
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::risk::EmScore;
use biomend_interchange::{AssetImportRow, Field, ImportOptions, ImportReport, Problem, RiskInput};
use biomend_store::AssetBatch;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub rows_read: u64,
    pub imported: u64,
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

/// Device types created on the fly get middle-of-the-road risk scores;
/// the EM number from the file, when given, overrides them.
const NEW_TYPE_RISK: EmScore = EmScore {
    function: 5,
    physical_risk: 3,
    maintenance: 3,
    incident_history: 0,
};
const NEW_TYPE_LIFE_YEARS: u16 = 10;

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

fn header_for(report: &ImportReport, field: Field) -> Option<String> {
    report
        .columns
        .iter()
        .find(|c| c.field == Some(field))
        .map(|c| c.header.clone())
}

#[derive(Default)]
struct Cache {
    sites: HashMap<String, SiteId>,
    departments: HashMap<(SiteId, String), DepartmentId>,
    manufacturers: HashMap<String, ManufacturerId>,
    types: HashMap<String, DeviceType>,
    models: HashMap<(ManufacturerId, String), (ModelId, DeviceTypeId)>,
    buildings: HashMap<(SiteId, String), BuildingId>,
    locations: HashMap<(BuildingId, String, String), LocationId>,
    tags: HashMap<String, AssetId>,
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

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
    let mut problems: Vec<RowProblem> = report
        .problems
        .iter()
        .cloned()
        .map(RowProblem::from)
        .collect();
    let tag_col = header_for(&report, Field::Tag);
    let parent_col = header_for(&report, Field::ParentTag);

    // What only the database knows: tags already in use, parents that exist.
    let r = app.store().reader();
    let file_tags: HashSet<String> = report.good.iter().map(|g| key(&g.tag)).collect();
    // Tags compare like the database's NOCASE index: ASCII case only. One
    // scan of the inventory's tags beats a look-up per row once the file is
    // a sizable share of it.
    let in_db = if r.count("assets")? <= 4 * report.good.len() as u64 {
        TagsInUse::All(
            r.all_tags()?
                .into_iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
        )
    } else {
        TagsInUse::Lookup(r)
    };
    let mut good: Vec<&AssetImportRow> = Vec::with_capacity(report.good.len());
    for row in &report.good {
        if in_db.contains(&row.tag)? {
            problems.push(RowProblem {
                line: row.line,
                column: tag_col.clone(),
                value: Some(row.tag.clone()),
                reason: "this tag is already in the inventory".into(),
            });
            continue;
        }
        if let Some(p) = &row.parent_tag
            && !file_tags.contains(&key(p))
            && !in_db.contains(p)?
        {
            problems.push(RowProblem {
                line: row.line,
                column: parent_col.clone(),
                value: Some(p.clone()),
                reason: "parent tag is neither in the inventory nor in this file".into(),
            });
            continue;
        }
        good.push(row);
    }
    drop(in_db);
    problems.sort_by_key(|p| p.line);
    let mut outcome = ImportOutcome {
        file,
        rows_read: report.rows_read,
        imported: 0,
        problems,
        committed: false,
        import_id: None,
        notes: report.notes.clone(),
    };
    if !outcome.problems.is_empty() && !only_good_rows {
        return Ok(outcome);
    }
    if good.is_empty() {
        outcome.committed = true;
        return Ok(outcome);
    }
    // Parents before children, so each parent id exists when referenced.
    good.sort_by_key(|g| {
        (
            g.parent_tag
                .as_ref()
                .is_some_and(|p| file_tags.contains(&key(p))),
            g.line,
        )
    });
    let default_site = r.sites()?.into_iter().next();
    // Administrators may bring in new sites; others only their own.
    let sites: Option<Vec<SiteId>> = if user.role == biomend_domain::user::Role::Admin {
        None
    } else {
        Some(user.sites.clone())
    };
    // Search indexing waits for the end of the import's transaction: one
    // statement for all rows is several times cheaper than one per row.
    // One audit row for the whole import, as for every bulk load: who
    // imported which file, how many rows, and the id of every asset it
    // created. Departments, models and other records it creates on the way
    // keep their own audit rows.
    let file = outcome.file.clone();
    let rows_read = outcome.rows_read;
    let (imported, import_id) = app.write(&user, |tx, ids, ms| {
        tx.with_deferred_search_index(|tx| {
            let mut c = Cache::default();
            let mut batch = AssetBatch::with_capacity(good.len());
            for row in &good {
                let site_id = resolve_site(
                    tx,
                    ids,
                    ms,
                    &mut c,
                    row,
                    default_site.as_ref(),
                    sites.as_deref(),
                )?;
                let dept = resolve_department(tx, ids, ms, &mut c, site_id, &row.department)?;
                let (model_id, dtype) = resolve_model(tx, ids, ms, &mut c, row)?;
                let location = resolve_location(tx, ids, ms, &mut c, site_id, dept, row)?;
                let parent_id = match &row.parent_tag {
                    Some(p) => match c.tags.get(&key(p)) {
                        Some(id) => Some(*id),
                        None => tx.reader().asset_id_by_tag(p)?,
                    },
                    None => None,
                };
                let risk = match row.risk {
                    Some(RiskInput::Parts(s)) => s,
                    Some(RiskInput::EmNumber(n)) => score_for_em(n, dtype.default_risk),
                    None => dtype.default_risk,
                };
                let asset = Asset {
                    id: new_id(ids, ms),
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
                    risk,
                    life_support_override: row.life_support == Some(true) && !dtype.life_support,
                    parent_id,
                    notes: row.notes.clone().unwrap_or_default(),
                };
                tx.insert_asset_in(&mut batch, &asset)?;
                if let Some(net) = &row.network {
                    tx.insert_network_profile_in(
                        &mut batch,
                        &NetworkProfile {
                            asset_id: asset.id,
                            hostname: net.hostname.clone(),
                            ip_address: net.ip.clone(),
                            mac_address: net.mac.clone(),
                            vlan: net.vlan,
                            segment: None,
                            os_name: net.os_name.clone(),
                            os_version: net.os_version.clone(),
                            firmware_version: net.firmware.clone(),
                            patch_level: None,
                            last_patched_on: None,
                            remote_recoverable: false,
                            stores_phi: false,
                            patch_validation: PatchValidation::Pending,
                        },
                    )?;
                }
                c.tags.insert(key(&asset.tag), asset.id);
            }
            let n = batch.len() as u64;
            let import_id: uuid::Uuid = new_id(ids, ms);
            let mut details = serde_json::Map::new();
            details.insert("file".into(), file.into());
            details.insert("rows_read".into(), rows_read.into());
            details.insert("imported".into(), n.into());
            tx.audit_asset_batch(batch, "import", "asset_import", import_id, details)?;
            Ok((n, import_id))
        })
    })?;
    outcome.imported = imported;
    outcome.import_id = Some(import_id);
    outcome.committed = true;
    Ok(outcome)
}

type W<'a, 'b> = &'a mut biomend_store::Tx<'b>;

/// Which tags the inventory already holds, answered from one scan or from
/// the index, whichever is cheaper for the file at hand.
enum TagsInUse<'c> {
    All(HashSet<String>),
    Lookup(biomend_store::Reader<'c>),
}

impl TagsInUse<'_> {
    fn contains(&self, tag: &str) -> Result<bool> {
        Ok(match self {
            TagsInUse::All(tags) => tags.contains(&tag.to_ascii_lowercase()),
            TagsInUse::Lookup(r) => r.asset_id_by_tag(tag)?.is_some(),
        })
    }
}

fn resolve_site(
    tx: W,
    ids: &mut crate::env::IdGen,
    ms: u64,
    c: &mut Cache,
    row: &AssetImportRow,
    default: Option<&Site>,
    allowed: Option<&[SiteId]>,
) -> Result<SiteId> {
    let name = match (&row.site, default) {
        (Some(s), _) => s.clone(),
        (None, Some(d)) => {
            if allowed.is_some_and(|a| !a.contains(&d.id)) {
                return Err(CoreError::Forbidden(format!(
                    "row {}: no access to site '{}'",
                    row.line, d.name
                )));
            }
            return Ok(d.id);
        }
        (None, None) => "Main".to_string(),
    };
    if let Some(id) = c.sites.get(&key(&name)) {
        return Ok(*id);
    }
    let id = match tx.reader().site_by_name(&name)? {
        Some(s) => s.id,
        None => {
            // A short code from the name, made unique with a number.
            let base: String = name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(8)
                .collect::<String>()
                .to_uppercase();
            let base = if base.is_empty() {
                "SITE".to_string()
            } else {
                base
            };
            let mut code = base.clone();
            let mut n = 2;
            while tx.reader().site_by_name(&code)?.is_some() {
                code = format!("{base}{n}");
                n += 1;
            }
            let s = Site {
                id: new_id(ids, ms),
                code,
                name: name.clone(),
            };
            tx.insert_site(&s)?;
            s.id
        }
    };
    if allowed.is_some_and(|a| !a.contains(&id)) {
        return Err(CoreError::Forbidden(format!(
            "row {}: no access to site '{name}'",
            row.line
        )));
    }
    c.sites.insert(key(&name), id);
    Ok(id)
}

fn resolve_department(
    tx: W,
    ids: &mut crate::env::IdGen,
    ms: u64,
    c: &mut Cache,
    site: SiteId,
    name: &str,
) -> Result<DepartmentId> {
    let k = (site, key(name));
    if let Some(id) = c.departments.get(&k) {
        return Ok(*id);
    }
    let id = match tx.reader().department_by_name(site, name.trim())? {
        Some(d) => d.id,
        None => {
            let d = Department {
                id: new_id(ids, ms),
                site_id: site,
                name: name.trim().to_string(),
                short_name: None,
                cost_center: None,
            };
            tx.insert_department(&d)?;
            d.id
        }
    };
    c.departments.insert(k, id);
    Ok(id)
}

fn resolve_type(
    tx: W,
    ids: &mut crate::env::IdGen,
    ms: u64,
    c: &mut Cache,
    row: &AssetImportRow,
) -> Result<DeviceType> {
    let k = key(row
        .device_type_code
        .as_deref()
        .or(row.device_type_name.as_deref())
        .unwrap_or("unclassified"));
    if let Some(t) = c.types.get(&k) {
        return Ok(t.clone());
    }
    let found = match (&row.device_type_code, &row.device_type_name) {
        (Some(code), _) => tx.reader().device_type_by_code(code)?,
        (None, Some(name)) => tx.reader().device_type_by_name(name)?,
        (None, None) => tx.reader().device_type_by_code("UNCLASSIFIED")?,
    };
    let t = match found {
        Some(t) => t,
        None => {
            let t = DeviceType {
                id: new_id(ids, ms),
                system: NomenclatureSystem::Local,
                code: row.device_type_code.clone().unwrap_or_else(|| {
                    if row.device_type_name.is_some() {
                        format!(
                            "LOCAL-{}",
                            &k.to_uppercase()
                                .chars()
                                .filter(|c| c.is_alphanumeric())
                                .take(12)
                                .collect::<String>()
                        )
                    } else {
                        "UNCLASSIFIED".into()
                    }
                }),
                name: row
                    .device_type_name
                    .clone()
                    .or_else(|| row.device_type_code.clone())
                    .unwrap_or_else(|| "Unclassified".into()),
                life_support: false,
                aem_exclusion: None,
                default_risk: NEW_TYPE_RISK,
                expected_life_years: NEW_TYPE_LIFE_YEARS,
            };
            tx.insert_device_type(&t)?;
            t
        }
    };
    c.types.insert(k, t.clone());
    Ok(t)
}

fn resolve_model(
    tx: W,
    ids: &mut crate::env::IdGen,
    ms: u64,
    c: &mut Cache,
    row: &AssetImportRow,
) -> Result<(ModelId, DeviceType)> {
    let mk = key(&row.manufacturer);
    let mfr = match c.manufacturers.get(&mk) {
        Some(id) => *id,
        None => {
            let id = match tx
                .reader()
                .manufacturer_id_by_name(row.manufacturer.trim())?
            {
                Some(id) => id,
                None => {
                    let m = Manufacturer {
                        id: new_id(ids, ms),
                        name: row.manufacturer.trim().to_string(),
                    };
                    tx.insert_manufacturer(&m)?;
                    m.id
                }
            };
            c.manufacturers.insert(mk, id);
            id
        }
    };
    let k = (mfr, key(&row.model));
    if let Some((id, tid)) = c.models.get(&k) {
        let t = c.types.values().find(|t| t.id == *tid).cloned();
        if let Some(t) = t {
            return Ok((*id, t));
        }
    }
    let (id, t) = match tx.reader().model_by_name(mfr, row.model.trim())? {
        Some(m) => {
            let t =
                tx.reader()
                    .device_type(m.device_type_id)?
                    .ok_or_else(|| CoreError::NotFound {
                        what: "device type",
                        key: m.device_type_id.to_string(),
                    })?;
            c.types.entry(key(&t.code)).or_insert_with(|| t.clone());
            (m.id, t)
        }
        None => {
            let t = resolve_type(tx, ids, ms, c, row)?;
            let m = Model {
                id: new_id(ids, ms),
                manufacturer_id: mfr,
                device_type_id: t.id,
                name: row.model.trim().to_string(),
                expected_life_years: None,
                end_of_support: None,
                replacement_cost: None,
                mds2: None,
                sbom: Vec::new(),
            };
            tx.insert_model(&m)?;
            (m.id, t)
        }
    };
    c.models.insert(k, (id, t.id));
    Ok((id, t))
}

fn resolve_location(
    tx: W,
    ids: &mut crate::env::IdGen,
    ms: u64,
    c: &mut Cache,
    site: SiteId,
    dept: DepartmentId,
    row: &AssetImportRow,
) -> Result<Option<LocationId>> {
    let Some(room) = row.room.as_deref().map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let bname = row.building.clone().unwrap_or_else(|| "Main".into());
    let bk = (site, key(&bname));
    let building = match c.buildings.get(&bk) {
        Some(id) => *id,
        None => {
            let id = match tx.reader().building_by_name(site, bname.trim())? {
                Some(b) => b.id,
                None => {
                    let b = Building {
                        id: new_id(ids, ms),
                        site_id: site,
                        name: bname.trim().to_string(),
                    };
                    tx.insert_building(&b)?;
                    b.id
                }
            };
            c.buildings.insert(bk, id);
            id
        }
    };
    let floor = row.floor.clone().unwrap_or_default();
    let lk = (building, floor.clone(), room.to_string());
    if let Some(id) = c.locations.get(&lk) {
        return Ok(Some(*id));
    }
    let id = match tx.reader().location_in(building, &floor, room)? {
        Some(l) => l.id,
        None => {
            let l = Location {
                id: new_id(ids, ms),
                building_id: building,
                floor: floor.clone(),
                room: room.to_string(),
                department_id: Some(dept),
            };
            tx.insert_location(&l)?;
            l.id
        }
    };
    c.locations.insert(lk, id);
    Ok(Some(id))
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
