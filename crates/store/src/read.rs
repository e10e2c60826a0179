//! Read queries and the read models they return. Every query here is one
//! of the app's screens or reports, and each is backed by an index chosen
//! for 100k assets and 1M work orders (see the migration).

use crate::codec::*;
use crate::hospital_settings_key;
use crate::{Result, StoreError};
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::catalog::{
    AemExclusion, DeviceType, Mds2, Model, NomenclatureSystem, SbomComponent,
};
use biomend_domain::checklist::{
    Checklist, ChecklistItem, Limit, Reading, SafetyEdition, SafetyLimit, Verdict,
};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::*;
use biomend_domain::inventory::{Coverage, ServiceContract};
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmSchedule, PmStrategy, ScheduleKind};
use biomend_domain::risk::EmScore;
use biomend_domain::settings::HospitalSettings;
use biomend_domain::user::{Role, User};
use biomend_domain::work_order::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

// The read models screens show are plain data the desktop UI shares, so
// they live in the domain crate; the queries that fill them live here.
pub use biomend_domain::views::{
    AssetDetail, AssetSummary, ContractView, PmDue, PmScheduleView, WorkOrderSummary,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A flat row per asset for export.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetExport {
    pub asset: Asset,
    pub manufacturer: String,
    pub model: String,
    pub device_type_code: String,
    pub device_type: String,
    pub site: String,
    pub department: String,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    pub life_support: bool,
    pub contract: Option<String>,
    pub parent_tag: Option<String>,
    pub network: Option<NetworkProfile>,
}

/// A flat row per work order for export.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkOrderExport {
    pub summary: WorkOrderSummary,
    pub reported_by: String,
    pub findings: String,
    pub started_at: Option<DateTime<Utc>>,
    pub signed_off_by: Option<String>,
    pub signed_off_at: Option<DateTime<Utc>>,
}

/// One mutation waiting in the sync outbox, as the store holds it; the
/// protocol crate decodes `hlc` and `payload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub id: uuid::Uuid,
    pub name: String,
    pub version: u16,
    pub hlc: String,
    pub payload: String,
    pub actor_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl OutboxEntry {
    /// The stored payload as JSON; a row that does not parse is corrupt.
    pub fn payload_value(&self) -> Result<serde_json::Value> {
        serde_json::from_str(&self.payload).map_err(|err| StoreError::Corrupt {
            what: "outbox payload",
            detail: format!("mutation {} (seq {}): {err}", self.name, self.seq),
        })
    }
}

/// Read access over a connection or an open transaction.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'c> {
    pub(crate) c: &'c Connection,
}

/// The columns [`asset_summary`] reads; compose with [`ASSET_SUMMARY_FROM`].
const ASSET_SUMMARY_COLS: &str = "
a.id, a.tag, a.serial, mf.name AS manufacturer, m.name AS model, dt.code AS dt_code, dt.name AS dt_name,
d.name AS department,
CASE WHEN l.id IS NULL THEN NULL ELSE b.name || ' · ' || l.floor || ' · ' || l.room END AS location,
a.status, a.risk_function + a.risk_physical + a.risk_maintenance + a.risk_incident AS em,
(dt.life_support OR a.life_support_override) AS life_support";

const ASSET_SUMMARY_FROM: &str = "
FROM assets a
JOIN models m ON m.id = a.model_id
JOIN manufacturers mf ON mf.id = m.manufacturer_id
JOIN device_types dt ON dt.id = m.device_type_id
JOIN departments d ON d.id = a.department_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN buildings b ON b.id = l.building_id";

fn asset_summary(r: &Row<'_>) -> Result<AssetSummary> {
    Ok(AssetSummary {
        id: AssetId(r.uuid("id")?),
        tag: r.text("tag")?,
        serial: r.text_opt("serial")?,
        manufacturer: r.text("manufacturer")?,
        model: r.text("model")?,
        device_type_code: r.text("dt_code")?,
        device_type: r.text("dt_name")?,
        department: r.text("department")?,
        location: r.text_opt("location")?,
        status: r.code("status", AssetStatus::parse)?,
        em_number: r.int("em")? as i32,
        life_support: r.int("life_support")? != 0,
    })
}

pub(crate) fn asset_row(r: &Row<'_>) -> Result<Asset> {
    Ok(Asset {
        id: AssetId(r.uuid("id")?),
        tag: r.text("tag")?,
        serial: r.text_opt("serial")?,
        model_id: ModelId(r.uuid("model_id")?),
        department_id: DepartmentId(r.uuid("department_id")?),
        location_id: r.uuid_opt("location_id")?.map(LocationId),
        ownership: r.code("ownership", Ownership::parse)?,
        status: r.code("status", AssetStatus::parse)?,
        acquired_on: r.date_opt("acquired_on")?,
        acquisition_cost: r.int_opt("acquisition_cost_cents")?.map(Money),
        warranty_end: r.date_opt("warranty_end")?,
        contract_id: r.uuid_opt("contract_id")?.map(ContractId),
        expected_life_years: r.int_opt("expected_life_years")?.map(|v| v as u16),
        risk: EmScore {
            function: r.int("risk_function")? as u8,
            physical_risk: r.int("risk_physical")? as u8,
            maintenance: r.int("risk_maintenance")? as u8,
            incident_history: r.int("risk_incident")? as i8,
        },
        life_support_override: r.int("life_support_override")? != 0,
        parent_id: r.uuid_opt("parent_id")?.map(AssetId),
        notes: r.text("notes")?,
    })
}

const WO_SUMMARY_SELECT: &str = "
SELECT w.id, w.number, w.asset_id, a.tag, w.kind, w.status, w.priority, w.problem, w.opened_at, w.due_on,
       u.display_name AS assignee, w.completed_at, w.closure,
       (SELECT coalesce(sum(minutes), 0) FROM labor WHERE work_order_id = w.id) AS labor_minutes,
       (SELECT coalesce(sum(quantity * unit_cost_cents), 0) FROM part_uses WHERE work_order_id = w.id) AS parts_cost,
       (SELECT coalesce(sum(labor_cost_cents + parts_cost_cents + travel_cost_cents), 0)
          FROM vendor_charges WHERE work_order_id = w.id) AS vendor_cost
FROM work_orders w
JOIN assets a ON a.id = w.asset_id
LEFT JOIN users u ON u.id = w.assigned_to";

fn wo_summary(r: &Row<'_>) -> Result<WorkOrderSummary> {
    Ok(WorkOrderSummary {
        id: WorkOrderId(r.uuid("id")?),
        number: r.text("number")?,
        asset_id: AssetId(r.uuid("asset_id")?),
        asset_tag: r.text("tag")?,
        kind: r.code("kind", WorkOrderKind::parse)?,
        status: r.code("status", WorkOrderStatus::parse)?,
        priority: priority(r.int("priority")?)?,
        problem: r.text("problem")?,
        opened_at: r.ts("opened_at")?,
        due_on: r.date_opt("due_on")?,
        assigned_to: r.text_opt("assignee")?,
        completed_at: r.ts_opt("completed_at")?,
        closure: closure_opt(r.text_opt("closure")?)?,
        labor_minutes: r.int("labor_minutes")?,
        parts_cost: Money(r.int("parts_cost")?),
        vendor_cost: Money(r.int("vendor_cost")?),
    })
}

fn priority(v: i64) -> Result<Priority> {
    Priority::from_rank(v as u8).ok_or_else(|| StoreError::Corrupt {
        what: "priority",
        detail: v.to_string(),
    })
}

fn closure_opt(s: Option<String>) -> Result<Option<ClosureCode>> {
    s.map(|s| {
        ClosureCode::parse(&s).ok_or(StoreError::Corrupt {
            what: "closure code",
            detail: s,
        })
    })
    .transpose()
}

fn work_order_row(r: &Row<'_>) -> Result<WorkOrder> {
    Ok(WorkOrder {
        id: WorkOrderId(r.uuid("id")?),
        number: r.text("number")?,
        asset_id: AssetId(r.uuid("asset_id")?),
        kind: r.code("kind", WorkOrderKind::parse)?,
        status: r.code("status", WorkOrderStatus::parse)?,
        priority: priority(r.int("priority")?)?,
        problem: r.text("problem")?,
        reported_by: r.text("reported_by")?,
        opened_at: r.ts("opened_at")?,
        created_by: UserId(r.uuid("created_by")?),
        assigned_to: r.uuid_opt("assigned_to")?.map(UserId),
        due_on: r.date_opt("due_on")?,
        pm_plan_id: r.uuid_opt("pm_plan_id")?.map(PmPlanId),
        recall_id: r.uuid_opt("recall_id")?.map(RecallId),
        started_at: r.ts_opt("started_at")?,
        findings: r.text("findings")?,
        closure: closure_opt(r.text_opt("closure")?)?,
        completed_at: r.ts_opt("completed_at")?,
        signed_off_by: r.uuid_opt("signed_off_by")?.map(UserId),
        signed_off_at: r.ts_opt("signed_off_at")?,
    })
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(what: &'static str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

pub(crate) fn pm_plan_row(r: &Row<'_>) -> Result<PmPlan> {
    Ok(PmPlan {
        id: PmPlanId(r.uuid("id")?),
        name: r.text("name")?,
        model_id: r.uuid_opt("model_id")?.map(ModelId),
        device_type_id: r.uuid_opt("device_type_id")?.map(DeviceTypeId),
        interval_months: r.int("interval_months")? as u16,
        schedule: r.code("schedule", ScheduleKind::parse)?,
        strategy: r.code("strategy", PmStrategy::parse)?,
        aem_evidence: r.text_opt("aem_evidence")?,
        checklist_id: r.uuid_opt("checklist_id")?.map(ChecklistId),
        estimated_minutes: r.int("estimated_minutes")? as u32,
    })
}

pub(crate) fn user_row(c: &Connection, r: &Row<'_>) -> Result<User> {
    let id = UserId(r.uuid("id")?);
    let mut st = c.prepare_cached("SELECT site_id FROM user_sites WHERE user_id = ?1")?;
    let sites = st
        .query_map([id.0], |r| r.get::<_, uuid::Uuid>(0))?
        .map(|s| s.map(SiteId))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(User {
        id,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: r.code("role", Role::parse)?,
        sites,
        active: r.int("active")? != 0,
        loaded_rate_cents: r.int_opt("loaded_rate_cents")?,
    })
}

/// How many matches a search ranks. Ranking (bm25) reads every match it
/// scores, about a microsecond each, so a word that matches a large share of
/// a 100k-asset inventory ("pump", a department name) took 10-25 ms to rank
/// in full. A query with fewer matches is ranked exactly; a broader one
/// lists the best of the first this-many matches in index order, and the
/// technician narrows it with another word.
pub const SEARCH_RANK_CANDIDATES: u32 = 1000;

/// Turns what a person typed into an FTS5 query: every word must match as
/// a prefix. Punctuation splits words the same way the index does, and
/// quoting each word keeps FTS5 operators in user input inert.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(16)
        .map(|t| format!("\"{}\"*", t.to_lowercase()))
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" AND "))
    }
}

impl<'c> Reader<'c> {
    pub fn new(c: &'c Connection) -> Self {
        Reader { c }
    }

    pub(crate) fn collect<T>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
        f: impl Fn(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut st = self.c.prepare_cached(sql)?;
        let mut rows = st.query(p)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(f(r)?);
        }
        Ok(out)
    }

    pub(crate) fn one<T>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
        f: impl Fn(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut st = self.c.prepare_cached(sql)?;
        let mut rows = st.query(p)?;
        match rows.next()? {
            Some(r) => Ok(Some(f(r)?)),
            None => Ok(None),
        }
    }

    pub fn count(&self, table: &str) -> Result<u64> {
        // Table names come from code, never from users.
        debug_assert!(table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        Ok(self
            .c
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    // ---- assets --------------------------------------------------------

    /// Exact tag look-up, as a scanner types it (case-insensitive).
    pub fn asset_by_tag(&self, tag: &str) -> Result<Option<AssetSummary>> {
        self.one(
            &format!("SELECT {ASSET_SUMMARY_COLS} {ASSET_SUMMARY_FROM} WHERE a.tag = ?1"),
            [tag],
            asset_summary,
        )
    }

    pub fn asset_summary(&self, id: AssetId) -> Result<Option<AssetSummary>> {
        self.one(
            &format!("SELECT {ASSET_SUMMARY_COLS} {ASSET_SUMMARY_FROM} WHERE a.id = ?1"),
            [id.0],
            asset_summary,
        )
    }

    pub fn asset(&self, id: AssetId) -> Result<Option<Asset>> {
        self.one("SELECT * FROM assets WHERE id = ?1", [id.0], asset_row)
    }

    pub fn asset_id_by_tag(&self, tag: &str) -> Result<Option<AssetId>> {
        Ok(self
            .c
            .prepare_cached("SELECT id FROM assets WHERE tag = ?1")?
            .query_row([tag], |r| r.get::<_, uuid::Uuid>(0))
            .optional()?
            .map(AssetId))
    }

    /// Full-text search over tag, serial, manufacturer, model, device type,
    /// department and location; best matches first, ranked among the first
    /// [`SEARCH_RANK_CANDIDATES`] matches, with retired devices after the
    /// ones still in use (a technician is looking for a device to work on).
    pub fn search_assets(&self, text: &str, limit: u32) -> Result<Vec<AssetSummary>> {
        let Some(q) = fts_query(text) else {
            return Ok(Vec::new());
        };
        // The LIMIT inside `candidates` keeps SQLite from flattening it into
        // the ORDER BY, so only the candidates are scored.
        let sql = format!(
            "WITH candidates AS (SELECT rowid AS seq, rank FROM assets_fts WHERE assets_fts MATCH ?1 LIMIT ?3),
                  hits AS (SELECT c.seq, c.rank, a2.status = 'retired' AS retired FROM candidates c
                           JOIN assets a2 ON a2.seq = c.seq ORDER BY retired, c.rank LIMIT ?2)
             SELECT {ASSET_SUMMARY_COLS} {ASSET_SUMMARY_FROM} JOIN hits h ON h.seq = a.seq ORDER BY h.retired, h.rank"
        );
        self.collect(
            &sql,
            params![q, limit, limit.max(SEARCH_RANK_CANDIDATES)],
            asset_summary,
        )
    }

    pub fn model(&self, id: ModelId) -> Result<Option<Model>> {
        self.one("SELECT * FROM models WHERE id = ?1", [id.0], model_row)
    }

    pub fn device_type(&self, id: DeviceTypeId) -> Result<Option<DeviceType>> {
        self.one(
            "SELECT * FROM device_types WHERE id = ?1",
            [id.0],
            device_type_row,
        )
    }

    pub fn device_type_by_code(&self, code: &str) -> Result<Option<DeviceType>> {
        self.one(
            "SELECT * FROM device_types WHERE code = ?1 COLLATE NOCASE ORDER BY system LIMIT 1",
            [code],
            device_type_row,
        )
    }

    pub fn device_type_by_name(&self, name: &str) -> Result<Option<DeviceType>> {
        self.one(
            "SELECT * FROM device_types WHERE name = ?1 COLLATE NOCASE LIMIT 1",
            [name],
            device_type_row,
        )
    }

    pub fn manufacturer_id_by_name(&self, name: &str) -> Result<Option<ManufacturerId>> {
        self.one(
            "SELECT id FROM manufacturers WHERE name = ?1",
            [name],
            |r| Ok(ManufacturerId(r.uuid("id")?)),
        )
    }

    pub fn model_by_name(&self, manufacturer: ManufacturerId, name: &str) -> Result<Option<Model>> {
        let id = self.one(
            "SELECT id FROM models WHERE manufacturer_id = ?1 AND name = ?2",
            params![manufacturer.0, name],
            |r| Ok(ModelId(r.uuid("id")?)),
        )?;
        match id {
            Some(id) => self.model(id),
            None => Ok(None),
        }
    }

    pub fn sites(&self) -> Result<Vec<Site>> {
        self.collect("SELECT * FROM sites ORDER BY code", [], site_row)
    }

    pub fn site(&self, id: SiteId) -> Result<Option<Site>> {
        self.one("SELECT * FROM sites WHERE id = ?1", [id.0], site_row)
    }

    /// A site by its code or name (case-insensitive).
    pub fn site_by_name(&self, name: &str) -> Result<Option<Site>> {
        self.one("SELECT * FROM sites WHERE code = ?1 COLLATE NOCASE OR name = ?1 COLLATE NOCASE LIMIT 1", [name], site_row)
    }

    pub fn department_by_name(&self, site: SiteId, name: &str) -> Result<Option<Department>> {
        self.one(
            "SELECT * FROM departments WHERE site_id = ?1 AND name = ?2 COLLATE NOCASE",
            params![site.0, name],
            department_row,
        )
    }

    pub fn department(&self, id: DepartmentId) -> Result<Option<Department>> {
        self.one(
            "SELECT * FROM departments WHERE id = ?1",
            [id.0],
            department_row,
        )
    }

    pub fn departments(&self) -> Result<Vec<Department>> {
        self.collect(
            "SELECT * FROM departments ORDER BY name",
            [],
            department_row,
        )
    }

    pub fn building_by_name(&self, site: SiteId, name: &str) -> Result<Option<Building>> {
        self.one(
            "SELECT * FROM buildings WHERE site_id = ?1 AND name = ?2 COLLATE NOCASE",
            params![site.0, name],
            building_row,
        )
    }

    pub fn location_in(
        &self,
        building: BuildingId,
        floor: &str,
        room: &str,
    ) -> Result<Option<Location>> {
        self.one(
            "SELECT * FROM locations WHERE building_id = ?1 AND floor = ?2 COLLATE NOCASE AND room = ?3 COLLATE NOCASE",
            params![building.0, floor, room],
            location_row,
        )
    }

    /// The asset page: identity, placement, contract, network, PM plans.
    pub fn asset_detail(&self, id: AssetId) -> Result<Option<AssetDetail>> {
        let Some(asset) = self.asset(id)? else {
            return Ok(None);
        };
        let missing = |what: &'static str| StoreError::Corrupt {
            what,
            detail: format!("asset {} points at a missing {what}", asset.tag),
        };
        let model = self
            .model(asset.model_id)?
            .ok_or_else(|| missing("model"))?;
        let manufacturer: String = self
            .c
            .prepare_cached("SELECT name FROM manufacturers WHERE id = ?1")?
            .query_row([model.manufacturer_id.0], |r| r.get(0))?;
        let device_type = self
            .device_type(model.device_type_id)?
            .ok_or_else(|| missing("device type"))?;
        let department = self
            .one(
                "SELECT * FROM departments WHERE id = ?1",
                [asset.department_id.0],
                department_row,
            )?
            .ok_or_else(|| missing("department"))?;
        let site = self
            .site(department.site_id)?
            .ok_or_else(|| missing("site"))?;
        let location = match asset.location_id {
            Some(l) => self.one("SELECT * FROM locations WHERE id = ?1", [l.0], location_row)?,
            None => None,
        };
        let building = match &location {
            Some(l) => self.one(
                "SELECT * FROM buildings WHERE id = ?1",
                [l.building_id.0],
                building_row,
            )?,
            None => None,
        };
        let contract = match asset.contract_id {
            Some(cid) => self.one(
                "SELECT c.*, v.name AS vendor FROM service_contracts c JOIN vendors v ON v.id = c.vendor_id WHERE c.id = ?1",
                [cid.0],
                |r| Ok(ContractView { contract: contract_row(r)?, vendor: r.text("vendor")? }),
            )?,
            None => None,
        };
        let network = self.network_profile(id)?;
        let pm = self.pm_schedules(id)?;
        let parent_tag = match asset.parent_id {
            Some(p) => self.one("SELECT tag FROM assets WHERE id = ?1", [p.0], |r| {
                r.text("tag")
            })?,
            None => None,
        };
        let children = self.collect(
            "SELECT tag FROM assets WHERE parent_id = ?1 ORDER BY tag",
            [id.0],
            |r| r.text("tag"),
        )?;
        Ok(Some(AssetDetail {
            asset,
            manufacturer,
            model,
            device_type,
            department,
            site,
            building,
            location,
            network,
            contract,
            pm,
            parent_tag,
            children,
        }))
    }

    pub fn network_profile(&self, id: AssetId) -> Result<Option<NetworkProfile>> {
        self.one(
            "SELECT * FROM network_profiles WHERE asset_id = ?1",
            [id.0],
            network_profile_row,
        )
    }

    pub fn pm_schedules(&self, asset: AssetId) -> Result<Vec<PmScheduleView>> {
        self.collect(
            "SELECT s.asset_id, s.plan_id, s.next_due, s.last_done, p.* FROM pm_schedules s
             JOIN pm_plans p ON p.id = s.plan_id WHERE s.asset_id = ?1 ORDER BY s.next_due",
            [asset.0],
            |r| {
                Ok(PmScheduleView {
                    schedule: PmSchedule {
                        asset_id: AssetId(r.uuid("asset_id")?),
                        plan_id: PmPlanId(r.uuid("plan_id")?),
                        next_due: r.date("next_due")?,
                        last_done: r.date_opt("last_done")?,
                    },
                    plan: pm_plan_row(r)?,
                })
            },
        )
    }

    pub fn pm_plan(&self, id: PmPlanId) -> Result<Option<PmPlan>> {
        self.one("SELECT * FROM pm_plans WHERE id = ?1", [id.0], pm_plan_row)
    }

    pub fn checklist(&self, id: ChecklistId) -> Result<Option<Checklist>> {
        self.one("SELECT * FROM checklists WHERE id = ?1", [id.0], |r| {
            let items: Vec<ChecklistItem> = json("checklist items", &r.text("items_json")?)?;
            Ok(Checklist {
                id: ChecklistId(r.uuid("id")?),
                name: r.text("name")?,
                items,
            })
        })
    }

    pub fn safety_edition(&self, name: &str) -> Result<Option<SafetyEdition>> {
        self.one(
            "SELECT * FROM safety_editions WHERE name = ?1",
            [name],
            |r| {
                let limits: Vec<SafetyLimit> = json("safety limits", &r.text("limits_json")?)?;
                Ok(SafetyEdition {
                    id: SafetyEditionId(r.uuid("id")?),
                    name: r.text("name")?,
                    limits,
                })
            },
        )
    }

    pub fn safety_editions(&self) -> Result<Vec<String>> {
        self.collect("SELECT name FROM safety_editions ORDER BY name", [], |r| {
            r.text("name")
        })
    }

    pub fn setting<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let v = self.one("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.text("value")
        })?;
        v.map(|s| json("setting", &s)).transpose()
    }

    /// A hospital settings group as last saved here or pulled; `None`
    /// when nobody has set any of its values (the defaults apply).
    pub fn hospital_settings(&self, name: &str) -> Result<Option<HospitalSettings>> {
        self.setting(&hospital_settings_key(name))
    }

    // ---- work orders ---------------------------------------------------

    pub fn work_order(&self, id: WorkOrderId) -> Result<Option<WorkOrder>> {
        self.one(
            "SELECT * FROM work_orders WHERE id = ?1",
            [id.0],
            work_order_row,
        )
    }

    pub fn work_order_by_number(&self, number: &str) -> Result<Option<WorkOrder>> {
        self.one(
            "SELECT * FROM work_orders WHERE number = ?1",
            [number.trim()],
            work_order_row,
        )
    }

    pub fn work_order_summary(&self, id: WorkOrderId) -> Result<Option<WorkOrderSummary>> {
        self.one(
            &format!("{WO_SUMMARY_SELECT} WHERE w.id = ?1"),
            [id.0],
            wo_summary,
        )
    }

    /// An asset's work orders, newest first.
    pub fn asset_history(&self, asset: AssetId, limit: u32) -> Result<Vec<WorkOrderSummary>> {
        self.collect(
            &format!(
                "{WO_SUMMARY_SELECT} WHERE w.asset_id = ?1 ORDER BY w.opened_at DESC LIMIT ?2"
            ),
            params![asset.0, limit],
            wo_summary,
        )
    }

    /// Open work orders of an asset (any kind).
    pub fn open_work_on_asset(&self, asset: AssetId) -> Result<Vec<WorkOrderSummary>> {
        self.collect(
            &format!("{WO_SUMMARY_SELECT} WHERE w.asset_id = ?1 AND w.status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor') ORDER BY w.priority, w.opened_at"),
            [asset.0],
            wo_summary,
        )
    }

    /// Open work assigned to a user, most urgent first, then by due date.
    pub fn open_work_assigned(&self, user: UserId) -> Result<Vec<WorkOrderSummary>> {
        self.collect(
            &format!(
                "{WO_SUMMARY_SELECT} WHERE w.assigned_to = ?1
                   AND w.status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor')
                 ORDER BY w.priority, w.due_on IS NULL, w.due_on, w.opened_at"
            ),
            [user.0],
            wo_summary,
        )
    }

    /// PMs due on or before `until` on active assets in the user's area
    /// (their departments, or every department of their sites).
    pub fn pm_due_in_area(&self, user: UserId, until: NaiveDate, limit: u32) -> Result<Vec<PmDue>> {
        let sql = format!(
            "WITH area AS (
                SELECT department_id AS id FROM user_areas WHERE user_id = ?1
                UNION
                SELECT d.id FROM departments d JOIN user_sites us ON us.site_id = d.site_id
                 WHERE us.user_id = ?1 AND NOT EXISTS (SELECT 1 FROM user_areas WHERE user_id = ?1)
             ),
             due AS (
                SELECT s.asset_id, s.plan_id, s.next_due, s.last_done
                FROM pm_schedules s JOIN assets a2 ON a2.id = s.asset_id
                WHERE s.next_due <= ?2 AND a2.department_id IN (SELECT id FROM area)
                  AND a2.status NOT IN ('retired', 'missing')
             )
             SELECT {ASSET_SUMMARY_COLS}, due.plan_id, due.next_due, due.last_done, p.name AS plan_name,
                    p.interval_months,
                    (SELECT w.id FROM work_orders w
                      WHERE w.asset_id = a.id AND w.kind = 'pm' AND w.pm_plan_id = due.plan_id
                        AND w.status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor') LIMIT 1) AS open_wo
             {ASSET_SUMMARY_FROM}
             JOIN due ON due.asset_id = a.id
             JOIN pm_plans p ON p.id = due.plan_id
             ORDER BY due.next_due, a.tag LIMIT ?3"
        );
        let rows = self.collect(&sql, params![user.0, date(until), limit], |r| {
            Ok((
                PmDue {
                    asset: asset_summary(r)?,
                    plan_id: PmPlanId(r.uuid("plan_id")?),
                    plan_name: r.text("plan_name")?,
                    interval_months: r.int("interval_months")? as u16,
                    next_due: r.date("next_due")?,
                    last_done: r.date_opt("last_done")?,
                    open_work_order: None,
                },
                r.uuid_opt("open_wo")?,
            ))
        })?;
        rows.into_iter()
            .map(|(mut due, wo)| {
                if let Some(wo) = wo {
                    let number =
                        self.one("SELECT number FROM work_orders WHERE id = ?1", [wo], |r| {
                            r.text("number")
                        })?;
                    due.open_work_order = number.map(|n| (WorkOrderId(wo), n));
                }
                Ok(due)
            })
            .collect()
    }

    /// A work order with everything attached to it.
    pub fn work_order_bundle(&self, id: WorkOrderId) -> Result<Option<WorkOrderBundle>> {
        let Some(wo) = self.work_order(id)? else {
            return Ok(None);
        };
        let mut b = WorkOrderBundle::new(wo);
        b.labor = self.collect(
            "SELECT * FROM labor WHERE work_order_id = ?1 ORDER BY performed_on, id",
            [id.0],
            |r| {
                Ok(Labor {
                    id: LaborId(r.uuid("id")?),
                    work_order_id: id,
                    technician_id: UserId(r.uuid("technician_id")?),
                    minutes: r.int("minutes")? as u32,
                    performed_on: r.date("performed_on")?,
                    note: r.text("note")?,
                })
            },
        )?;
        b.parts = self.collect(
            "SELECT * FROM part_uses WHERE work_order_id = ?1 ORDER BY recorded_at, id",
            [id.0],
            |r| {
                Ok(PartUse {
                    id: PartUseId(r.uuid("id")?),
                    work_order_id: id,
                    part_id: r.uuid_opt("part_id")?.map(PartId),
                    part_number: r.text("part_number")?,
                    description: r.text("description")?,
                    quantity: r.int("quantity")? as u32,
                    unit_cost: Money(r.int("unit_cost_cents")?),
                    recorded_by: UserId(r.uuid("recorded_by")?),
                    recorded_at: r.ts("recorded_at")?,
                })
            },
        )?;
        b.vendor_charges = self.collect(
            "SELECT * FROM vendor_charges WHERE work_order_id = ?1 ORDER BY invoiced_on, id",
            [id.0],
            |r| {
                Ok(VendorCharge {
                    id: VendorChargeId(r.uuid("id")?),
                    work_order_id: id,
                    vendor_id: VendorId(r.uuid("vendor_id")?),
                    invoice_number: r.text("invoice_number")?,
                    labor_cost: Money(r.int("labor_cost_cents")?),
                    parts_cost: Money(r.int("parts_cost_cents")?),
                    travel_cost: Money(r.int("travel_cost_cents")?),
                    invoiced_on: r.date("invoiced_on")?,
                })
            },
        )?;
        b.downtime = self.collect(
            "SELECT * FROM downtime WHERE work_order_id = ?1 ORDER BY started_at",
            [id.0],
            downtime_row,
        )?;
        b.readings = self.collect(
            "SELECT * FROM readings WHERE work_order_id = ?1 ORDER BY taken_at, id",
            [id.0],
            |r| {
                let limit = (r.int("has_limit")? != 0)
                    .then(|| -> Result<Limit> {
                        Ok(Limit {
                            min: r.real_opt("limit_min")?,
                            max: r.real_opt("limit_max")?,
                        })
                    })
                    .transpose()?;
                Ok(Reading {
                    id: ReadingId(r.uuid("id")?),
                    work_order_id: id,
                    item_key: r.text("item_key")?,
                    prompt: r.text("prompt")?,
                    value: r.real_opt("value")?,
                    unit: r.text_opt("unit")?,
                    limit,
                    verdict: r.code("verdict", Verdict::parse)?,
                    taken_by: UserId(r.uuid("taken_by")?),
                    taken_at: r.ts("taken_at")?,
                })
            },
        )?;
        b.attempts = self.collect(
            "SELECT * FROM pm_attempts WHERE work_order_id = ?1 ORDER BY attempted_at",
            [id.0],
            |r| {
                Ok(PmAttempt {
                    id: PmAttemptId(r.uuid("id")?),
                    work_order_id: id,
                    technician_id: UserId(r.uuid("technician_id")?),
                    attempted_at: r.ts("attempted_at")?,
                    outcome: r.code("outcome", AttemptOutcome::parse)?,
                    note: r.text("note")?,
                })
            },
        )?;
        b.notes = self.collect(
            "SELECT * FROM work_notes WHERE work_order_id = ?1 ORDER BY written_at, id",
            [id.0],
            |r| {
                Ok(WorkNote {
                    id: NoteId(r.uuid("id")?),
                    work_order_id: id,
                    author_id: UserId(r.uuid("author_id")?),
                    written_at: r.ts("written_at")?,
                    text: r.text("text")?,
                })
            },
        )?;
        b.signature = self.one(
            "SELECT * FROM signatures WHERE work_order_id = ?1 ORDER BY signed_at DESC LIMIT 1",
            [id.0],
            |r| {
                Ok(Signature {
                    id: SignatureId(r.uuid("id")?),
                    work_order_id: id,
                    signer_id: UserId(r.uuid("signer_id")?),
                    signer_name: r.text("signer_name")?,
                    signed_at: r.ts("signed_at")?,
                    strokes: r.text("strokes")?,
                })
            },
        )?;
        Ok(Some(b))
    }

    pub fn open_downtime(&self, asset: AssetId) -> Result<Option<Downtime>> {
        self.one("SELECT * FROM downtime WHERE asset_id = ?1 AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1", [asset.0], downtime_row)
    }

    /// Completed work waiting for a supervisor's sign-off, oldest first.
    pub fn sign_off_queue(&self, limit: u32) -> Result<Vec<WorkOrderSummary>> {
        self.collect(
            &format!(
                "{WO_SUMMARY_SELECT} WHERE w.status = 'completed' ORDER BY w.completed_at LIMIT ?1"
            ),
            [limit],
            wo_summary,
        )
    }

    // ---- users ---------------------------------------------------------

    pub fn user(&self, id: UserId) -> Result<Option<User>> {
        self.one("SELECT * FROM users WHERE id = ?1", [id.0], |r| {
            user_row(self.c, r)
        })
    }

    pub fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.one(
            "SELECT * FROM users WHERE username = ?1",
            [username.trim()],
            |r| user_row(self.c, r),
        )
    }

    pub fn users(&self) -> Result<Vec<User>> {
        self.collect("SELECT * FROM users ORDER BY username", [], |r| {
            user_row(self.c, r)
        })
    }

    // ---- audit ---------------------------------------------------------

    /// Every recorded change to one record, oldest first.
    pub fn audit_for(&self, entity_id: uuid::Uuid) -> Result<Vec<AuditEntry>> {
        self.collect(
            "SELECT * FROM audit_log WHERE entity_id = ?1 ORDER BY seq",
            [entity_id],
            |r| {
                Ok(AuditEntry {
                    at: r.ts("at")?,
                    actor: r.text("actor_name")?,
                    action: r.text("action")?,
                    entity: r.text("entity")?,
                    before: r
                        .text_opt("before_json")?
                        .map(|s| json("audit before", &s))
                        .transpose()?,
                    after: r
                        .text_opt("after_json")?
                        .map(|s| json("audit after", &s))
                        .transpose()?,
                })
            },
        )
    }

    // ---- sync ----------------------------------------------------------

    /// The oldest `limit` pending mutations, in the order they were made.
    pub fn pending_mutations(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.collect(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
            [limit],
            crate::outbox_state::outbox_entry,
        )
    }

    /// How many mutations wait to be pushed.
    pub fn pending_count(&self) -> Result<u64> {
        Ok(self.c.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        self.one("SELECT value FROM sync_state WHERE key = ?1", [key], |r| {
            r.text("value")
        })
    }

    // ---- export --------------------------------------------------------

    /// Streams every asset, ordered by tag, as flat export rows.
    pub fn for_each_asset_export(
        &self,
        mut f: impl FnMut(AssetExport) -> Result<()>,
    ) -> Result<u64> {
        let mut st = self.c.prepare(
            "SELECT a.*, mf.name AS manufacturer, m.name AS model_name, dt.code AS dt_code, dt.name AS dt_name,
                    s.name AS site_name, d.name AS department_name, b.name AS building_name, l.floor, l.room,
                    (dt.life_support OR a.life_support_override) AS ls, c.number AS contract_number, p.tag AS parent_tag
             FROM assets a
             JOIN models m ON m.id = a.model_id
             JOIN manufacturers mf ON mf.id = m.manufacturer_id
             JOIN device_types dt ON dt.id = m.device_type_id
             JOIN departments d ON d.id = a.department_id
             JOIN sites s ON s.id = a.site_id
             LEFT JOIN locations l ON l.id = a.location_id
             LEFT JOIN buildings b ON b.id = l.building_id
             LEFT JOIN service_contracts c ON c.id = a.contract_id
             LEFT JOIN assets p ON p.id = a.parent_id
             ORDER BY a.tag",
        )?;
        let mut rows = st.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let asset = asset_row(r)?;
            let network = self.network_profile(asset.id)?;
            f(AssetExport {
                manufacturer: r.text("manufacturer")?,
                model: r.text("model_name")?,
                device_type_code: r.text("dt_code")?,
                device_type: r.text("dt_name")?,
                site: r.text("site_name")?,
                department: r.text("department_name")?,
                building: r.text_opt("building_name")?,
                floor: r.text_opt("floor")?,
                room: r.text_opt("room")?,
                life_support: r.int("ls")? != 0,
                contract: r.text_opt("contract_number")?,
                parent_tag: r.text_opt("parent_tag")?,
                network,
                asset,
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// Streams every work order, oldest first, as flat export rows.
    pub fn for_each_work_order_export(
        &self,
        mut f: impl FnMut(WorkOrderExport) -> Result<()>,
    ) -> Result<u64> {
        let sql = format!(
            "{} , w.reported_by, w.findings, w.started_at, so.display_name AS signed_off_name, w.signed_off_at
             FROM work_orders w JOIN assets a ON a.id = w.asset_id LEFT JOIN users u ON u.id = w.assigned_to
             LEFT JOIN users so ON so.id = w.signed_off_by ORDER BY w.opened_at",
            WO_SUMMARY_SELECT.split("FROM work_orders w").next().unwrap_or_default()
        );
        let mut st = self.c.prepare(&sql)?;
        let mut rows = st.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            f(WorkOrderExport {
                summary: wo_summary(r)?,
                reported_by: r.text("reported_by")?,
                findings: r.text("findings")?,
                started_at: r.ts_opt("started_at")?,
                signed_off_by: r.text_opt("signed_off_name")?,
                signed_off_at: r.ts_opt("signed_off_at")?,
            })?;
            n += 1;
        }
        Ok(n)
    }
}

pub(crate) fn model_row(r: &Row<'_>) -> Result<Model> {
    let mds2: Option<Mds2> = r
        .text_opt("mds2_json")?
        .map(|s| json("MDS2", &s))
        .transpose()?;
    let sbom: Vec<SbomComponent> = json("SBOM", &r.text("sbom_json")?)?;
    Ok(Model {
        id: ModelId(r.uuid("id")?),
        manufacturer_id: ManufacturerId(r.uuid("manufacturer_id")?),
        device_type_id: DeviceTypeId(r.uuid("device_type_id")?),
        name: r.text("name")?,
        expected_life_years: r.int_opt("expected_life_years")?.map(|v| v as u16),
        end_of_support: r.date_opt("end_of_support")?,
        replacement_cost: r.int_opt("replacement_cost_cents")?.map(Money),
        mds2,
        sbom,
    })
}

pub(crate) fn network_profile_row(r: &Row<'_>) -> Result<NetworkProfile> {
    Ok(NetworkProfile {
        asset_id: AssetId(r.uuid("asset_id")?),
        hostname: r.text_opt("hostname")?,
        ip_address: r.text_opt("ip_address")?,
        mac_address: r.text_opt("mac_address")?,
        vlan: r.int_opt("vlan")?.map(|v| v as u16),
        segment: r.text_opt("segment")?,
        os_name: r.text_opt("os_name")?,
        os_version: r.text_opt("os_version")?,
        firmware_version: r.text_opt("firmware_version")?,
        patch_level: r.text_opt("patch_level")?,
        last_patched_on: r.date_opt("last_patched_on")?,
        remote_recoverable: r.int("remote_recoverable")? != 0,
        stores_phi: r.int("stores_phi")? != 0,
        patch_validation: r.code("patch_validation", PatchValidation::parse)?,
    })
}

pub(crate) fn site_row(r: &Row<'_>) -> Result<Site> {
    Ok(Site {
        id: SiteId(r.uuid("id")?),
        code: r.text("code")?,
        name: r.text("name")?,
    })
}

fn building_row(r: &Row<'_>) -> Result<Building> {
    Ok(Building {
        id: BuildingId(r.uuid("id")?),
        site_id: SiteId(r.uuid("site_id")?),
        name: r.text("name")?,
    })
}

pub(crate) fn department_row(r: &Row<'_>) -> Result<Department> {
    Ok(Department {
        id: DepartmentId(r.uuid("id")?),
        site_id: SiteId(r.uuid("site_id")?),
        name: r.text("name")?,
        short_name: r.text_opt("short_name")?,
        cost_center: r.text_opt("cost_center")?,
    })
}

fn location_row(r: &Row<'_>) -> Result<Location> {
    Ok(Location {
        id: LocationId(r.uuid("id")?),
        building_id: BuildingId(r.uuid("building_id")?),
        floor: r.text("floor")?,
        room: r.text("room")?,
        department_id: r.uuid_opt("department_id")?.map(DepartmentId),
    })
}

pub(crate) fn device_type_row(r: &Row<'_>) -> Result<DeviceType> {
    Ok(DeviceType {
        id: DeviceTypeId(r.uuid("id")?),
        system: r.code("system", NomenclatureSystem::parse)?,
        code: r.text("code")?,
        name: r.text("name")?,
        life_support: r.int("life_support")? != 0,
        aem_exclusion: r
            .text_opt("aem_exclusion")?
            .map(|s| {
                AemExclusion::parse(&s).ok_or(StoreError::Corrupt {
                    what: "AEM exclusion",
                    detail: s,
                })
            })
            .transpose()?,
        default_risk: EmScore {
            function: r.int("risk_function")? as u8,
            physical_risk: r.int("risk_physical")? as u8,
            maintenance: r.int("risk_maintenance")? as u8,
            incident_history: r.int("risk_incident")? as i8,
        },
        expected_life_years: r.int("expected_life_years")? as u16,
    })
}

pub(crate) fn contract_row(r: &Row<'_>) -> Result<ServiceContract> {
    Ok(ServiceContract {
        id: ContractId(r.uuid("id")?),
        vendor_id: VendorId(r.uuid("vendor_id")?),
        number: r.text("number")?,
        coverage: r.code("coverage", Coverage::parse)?,
        starts_on: r.date("starts_on")?,
        ends_on: r.date("ends_on")?,
        annual_cost: Money(r.int("annual_cost_cents")?),
        hours_cap: r.int_opt("hours_cap")?.map(|v| v as u32),
        cost_cap: r.int_opt("cost_cap_cents")?.map(Money),
        uptime_guarantee_pct: r.real_opt("uptime_guarantee_pct")?,
    })
}

fn downtime_row(r: &Row<'_>) -> Result<Downtime> {
    Ok(Downtime {
        id: DowntimeId(r.uuid("id")?),
        asset_id: AssetId(r.uuid("asset_id")?),
        work_order_id: r.uuid_opt("work_order_id")?.map(WorkOrderId),
        started_at: r.ts("started_at")?,
        ended_at: r.ts_opt("ended_at")?,
        partial_factor: r.get("partial_factor")?,
    })
}
