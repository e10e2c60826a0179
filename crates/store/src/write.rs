//! Writes. [`Tx`] is the only way to change data outside bulk loading: each
//! method writes one record and its audit row in the caller's transaction,
//! except the inserts of an [`AssetBatch`] (an inventory import), which like
//! every bulk load is audited by one row for the whole batch.

use crate::codec::*;
use crate::hospital_settings_key;
use crate::read::Reader;
use crate::{Result, StoreError};
use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Manufacturer, Model};
use biomend_domain::checklist::{Checklist, Reading, SafetyEdition};
use biomend_domain::ids::*;
use biomend_domain::inventory::{Part, PartStock, ServiceContract, Vendor};
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Building, Department, Location, Site};
use biomend_domain::pm::{PmPlan, PmSchedule};
use biomend_domain::recall::{Recall, RecallAsset};
use biomend_domain::settings::HospitalSettings;
use biomend_domain::training::TrainingEvent;
use biomend_domain::usage::UsageWindow;
use biomend_domain::user::User;
use biomend_domain::work_order::*;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use uuid::Uuid;

/// Who performs an action, for the audit trail.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
}

impl Actor {
    pub fn user(u: &User) -> Actor {
        Actor {
            user_id: Some(u.id),
            name: u.username.clone(),
        }
    }
    /// Work done by the software itself (import, demo load, migration).
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
        }
    }
}

/// The records of one bulk action on the inventory (an import), audited
/// together by one row: see [`Tx::insert_asset_in`]. A batch that is not
/// passed to [`Tx::audit_asset_batch`] before the transaction commits leaves
/// its records unaudited, so callers always finish it.
#[derive(Debug, Default)]
#[must_use = "a batch's records are audited only by Tx::audit_asset_batch"]
pub struct AssetBatch {
    assets: Vec<AssetId>,
    network_profiles: u64,
}

impl AssetBatch {
    pub fn with_capacity(assets: usize) -> Self {
        AssetBatch {
            assets: Vec::with_capacity(assets),
            network_profiles: 0,
        }
    }
    /// Assets inserted so far.
    pub fn len(&self) -> usize {
        self.assets.len()
    }
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }
}

/// One open write transaction on behalf of one actor at one time.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: Transaction<'a>,
    actor: Actor,
    at: DateTime<Utc>,
    audit: bool,
    /// What this transaction changed in the work history, summed again
    /// into the analytics rollup before it commits.
    rollup: std::cell::RefCell<crate::rollup::Dirty>,
}

/// The trigger that indexes a new asset for search (see
/// [`Tx::with_deferred_search_index`]).
const SEARCH_INSERT_TRIGGER: &str = "assets_fts_insert";

fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

impl<'a> Tx<'a> {
    pub(crate) fn new(tx: Transaction<'a>, actor: Actor, at: DateTime<Utc>) -> Self {
        Tx {
            tx,
            actor,
            at,
            audit: true,
            rollup: Default::default(),
        }
    }

    pub(crate) fn commit(self) -> Result<()> {
        self.rollup.into_inner().apply(&self.tx)?;
        Ok(self.tx.commit()?)
    }

    /// Notes that an asset's work history changed outside the record
    /// methods below (the bulk loader): its analytics rollup is summed
    /// again at commit.
    pub(crate) fn rollup_asset(&self, asset: uuid::Uuid) {
        self.rollup.borrow_mut().asset(asset);
    }

    fn rollup_work_order(&self, work_order: uuid::Uuid) {
        self.rollup.borrow_mut().work_order(work_order);
    }

    /// The raw connection, for the bulk loader's unaudited inserts.
    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Reads inside this transaction see its own uncommitted writes.
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(&self.tx)
    }

    /// Records one change. `before`/`after` are the whole record as JSON.
    pub fn audit(
        &self,
        action: &str,
        entity: &str,
        entity_id: Option<Uuid>,
        before: Option<&impl Serialize>,
        after: Option<&impl Serialize>,
    ) -> Result<()> {
        if !self.audit {
            return Ok(());
        }
        let before = before.map(serde_json::to_string).transpose()?;
        let after = after.map(serde_json::to_string).transpose()?;
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                ts(self.at),
                self.actor.user_id.map(|u| u.0),
                self.actor.name,
                action,
                entity,
                entity_id,
                before,
                after
            ])?;
        Ok(())
    }

    fn created<T: Serialize>(&self, entity: &str, id: Uuid, v: &T) -> Result<()> {
        self.audit("create", entity, Some(id), None::<&T>, Some(v))
    }

    /// Audits an update that changed `rows` rows; none means the record
    /// was not there. `(what, key)` name it for the user, `entity` and `id`
    /// for the audit trail.
    fn updated<T: Serialize>(
        &self,
        rows: usize,
        (what, key): (&'static str, String),
        (entity, id): (&str, Uuid),
        before: &T,
        after: &T,
    ) -> Result<()> {
        if rows == 0 {
            return Err(StoreError::NotFound { entity: what, key });
        }
        self.audit("update", entity, Some(id), Some(before), Some(after))
    }

    /// Next value of a named counter, starting at 1.
    pub fn next_counter(&self, name: &str) -> Result<u64> {
        let v: i64 = self.tx.query_row(
            "INSERT INTO counters (name, value) VALUES (?1, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            [name],
            |r| r.get(0),
        )?;
        Ok(v as u64)
    }

    /// Next value of a named counter, and never at or below `floor`: for
    /// sequences whose values may also arrive from elsewhere (a bulk load,
    /// an import), so a new number never collides with an existing one.
    pub fn next_counter_above(&self, name: &str, floor: u64) -> Result<u64> {
        let v: i64 = self.tx.query_row(
            "INSERT INTO counters (name, value) VALUES (?1, ?2 + 1)
             ON CONFLICT (name) DO UPDATE SET value = max(value + 1, ?2 + 1) RETURNING value",
            params![name, floor as i64],
            |r| r.get(0),
        )?;
        Ok(v as u64)
    }

    // ---- sync ----------------------------------------------------------

    /// Appends a mutation to the sync outbox as `pending` and returns its
    /// sequence number. The actor and time are the transaction's. Not
    /// audited: the outbox row is itself the record of the action's intent,
    /// next to the audit rows of what it changed.
    pub fn enqueue_mutation(
        &self,
        id: Uuid,
        name: &str,
        version: u16,
        hlc: &str,
        payload_json: &str,
    ) -> Result<u64> {
        let seq: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO outbox (id, name, version, hlc, payload, actor_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq",
            )?
            .query_row(
                params![
                    id,
                    name,
                    version,
                    hlc,
                    payload_json,
                    self.actor.user_id.map(|u| u.0),
                    ts(self.at)
                ],
                |r| r.get(0),
            )
            .map_err(|e| {
                if unique_violation(&e) {
                    StoreError::Duplicate {
                        entity: "mutation",
                        key: id.to_string(),
                    }
                } else {
                    e.into()
                }
            })?;
        Ok(seq as u64)
    }

    /// A value the sync engine keeps about this device, read inside this
    /// transaction.
    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        self.reader().sync_value(key)
    }

    /// Sets a sync value; bookkeeping, so not audited.
    pub fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }

    pub fn set_setting(&self, key: &str, value: &impl Serialize) -> Result<()> {
        let json = serde_json::to_string(value)?;
        let before: Option<String> = self
            .tx
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .ok();
        self.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, json],
        )?;
        self.audit(
            "update",
            &format!("setting:{key}"),
            None,
            before.as_ref(),
            Some(&json),
        )
    }

    /// Saves a hospital settings group (audited like any setting).
    pub fn put_hospital_settings(&self, s: &HospitalSettings) -> Result<()> {
        self.set_setting(&hospital_settings_key(&s.name), s)
    }

    /// Runs `f` with search indexing of newly inserted assets deferred to
    /// one statement at its end, still inside this transaction: for bulk
    /// inserts, where indexing row by row costs more than the inserts
    /// (FTS5 flushes at every statement). If `f` fails, the caller's
    /// transaction rolls back and the deferral with it. Assets inserted by
    /// `f` must not be updated by `f`.
    ///
    /// The search insert trigger is dropped for `f` and created again from
    /// its stored SQL, unchanged, before this returns, whether `f` succeeds
    /// or not. Both happen inside this transaction, so a rollback or a crash
    /// restores it too, and other connections never see it missing.
    /// Standing it aside by its `WHEN` clause (migration 0004) was not
    /// enough: any trigger on `assets` makes SQLite give each insert a
    /// statement journal, copying every page it touches, which cost a
    /// fifth of an import. Nested calls defer to the outermost one.
    pub fn with_deferred_search_index<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Tx<'a>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let trigger: Option<String> = self
            .tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                [SEARCH_INSERT_TRIGGER],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some(trigger) = trigger else {
            // Already inside a deferral: the outer one indexes these rows.
            return f(self);
        };
        let before: i64 = self
            .tx
            .query_row("SELECT coalesce(max(seq), 0) FROM assets", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        self.tx
            .execute_batch(&format!("DROP TRIGGER {SEARCH_INSERT_TRIGGER}"))
            .map_err(StoreError::from)?;
        let out = f(self);
        self.tx.execute_batch(&trigger).map_err(StoreError::from)?;
        let out = out?;
        self.tx
            .execute(
                "INSERT INTO assets_fts(rowid, tag, serial, manufacturer, model, device_type, department, location)
                 SELECT seq, tag, serial, manufacturer, model, device_type, department, location
                 FROM asset_search_text WHERE seq > ?1 ORDER BY seq",
                [before],
            )
            .map_err(StoreError::from)?;
        Ok(out)
    }

    // ---- reference data ------------------------------------------------

    pub fn insert_site(&self, s: &Site) -> Result<()> {
        ins::site(&self.tx, s)?;
        self.created("site", s.id.0, s)
    }
    pub fn insert_building(&self, b: &Building) -> Result<()> {
        ins::building(&self.tx, b)?;
        self.created("building", b.id.0, b)
    }
    pub fn insert_department(&self, d: &Department) -> Result<()> {
        ins::department(&self.tx, d)?;
        self.created("department", d.id.0, d)
    }
    /// Renames a department or sets its short name; its assets are
    /// re-indexed for search by a trigger.
    pub fn update_department(&self, before: &Department, after: &Department) -> Result<()> {
        let n = self
            .tx
            .prepare_cached(
                "UPDATE departments SET name = ?2, short_name = ?3, cost_center = ?4 WHERE id = ?1",
            )?
            .execute(params![
                after.id.0,
                after.name,
                after.short_name,
                after.cost_center
            ])?;
        self.updated(
            n,
            ("department", after.name.clone()),
            ("department", after.id.0),
            before,
            after,
        )
    }
    pub fn insert_location(&self, l: &Location) -> Result<()> {
        ins::location(&self.tx, l)?;
        self.created("location", l.id.0, l)
    }
    pub fn insert_user(&self, u: &User) -> Result<()> {
        ins::user(&self.tx, u).map_err(|e| match e {
            StoreError::Sqlite(ref s) if unique_violation(s) => StoreError::Duplicate {
                entity: "user",
                key: u.username.clone(),
            },
            e => e,
        })?;
        self.created("user", u.id.0, u)
    }
    pub fn set_user_area(&self, user: UserId, departments: &[DepartmentId]) -> Result<()> {
        self.tx
            .execute("DELETE FROM user_areas WHERE user_id = ?1", [user.0])?;
        for d in departments {
            ins::user_area(&self.tx, user, *d)?;
        }
        self.audit(
            "update",
            "user_area",
            Some(user.0),
            None::<&()>,
            Some(&departments),
        )
    }
    pub fn insert_manufacturer(&self, m: &Manufacturer) -> Result<()> {
        ins::manufacturer(&self.tx, m)?;
        self.created("manufacturer", m.id.0, m)
    }
    pub fn insert_device_type(&self, d: &DeviceType) -> Result<()> {
        ins::device_type(&self.tx, d)?;
        self.created("device_type", d.id.0, d)
    }
    pub fn insert_model(&self, m: &Model) -> Result<()> {
        ins::model(&self.tx, m)?;
        self.created("model", m.id.0, m)
    }
    pub fn insert_safety_edition(&self, e: &SafetyEdition) -> Result<()> {
        ins::safety_edition(&self.tx, e)?;
        self.created("safety_edition", e.id.0, e)
    }
    pub fn insert_checklist(&self, c: &Checklist) -> Result<()> {
        ins::checklist(&self.tx, c)?;
        self.created("checklist", c.id.0, c)
    }
    pub fn insert_pm_plan(&self, p: &PmPlan) -> Result<()> {
        ins::pm_plan(&self.tx, p)?;
        self.created("pm_plan", p.id.0, p)
    }
    pub fn insert_vendor(&self, v: &Vendor) -> Result<()> {
        ins::vendor(&self.tx, v)?;
        self.created("vendor", v.id.0, v)
    }
    pub fn insert_contract(&self, c: &ServiceContract) -> Result<()> {
        ins::contract(&self.tx, c)?;
        self.created("service_contract", c.id.0, c)
    }
    pub fn insert_part(&self, p: &Part) -> Result<()> {
        ins::part(&self.tx, p)?;
        self.created("part", p.id.0, p)
    }

    // ---- inventory -----------------------------------------------------

    /// Inserts an asset; a tag already in use is a [`StoreError::Duplicate`].
    pub fn insert_asset(&self, a: &Asset) -> Result<()> {
        ins::asset(&self.tx, a).map_err(|e| match e {
            StoreError::Sqlite(ref s) if unique_violation(s) => StoreError::Duplicate {
                entity: "asset tag",
                key: a.tag.clone(),
            },
            e => e,
        })?;
        self.created("asset", a.id.0, a)
    }

    /// Inserts an asset that is part of `batch`, a bulk load (an inventory
    /// import): the batch gets one audit row for all its records, written
    /// by [`Tx::audit_asset_batch`] and naming every asset, instead of one
    /// row per asset that repeats the whole record (half the bytes an
    /// import wrote). A tag already in use is a [`StoreError::Duplicate`].
    pub fn insert_asset_in(&self, batch: &mut AssetBatch, a: &Asset) -> Result<()> {
        ins::asset(&self.tx, a).map_err(|e| match e {
            StoreError::Sqlite(ref s) if unique_violation(s) => StoreError::Duplicate {
                entity: "asset tag",
                key: a.tag.clone(),
            },
            e => e,
        })?;
        batch.assets.push(a.id);
        Ok(())
    }

    /// Inserts the network profile of an asset of `batch`, recorded by the
    /// batch's audit row like the asset itself.
    pub fn insert_network_profile_in(
        &self,
        batch: &mut AssetBatch,
        p: &NetworkProfile,
    ) -> Result<()> {
        ins::network_profile(&self.tx, p, false)?;
        batch.network_profiles += 1;
        Ok(())
    }

    /// Writes the one audit row of a batch of assets: the actor and time of
    /// this transaction, `action` on `entity` `id` (the batch's own id, so
    /// [`Reader::audit_for`] finds it), and as its `after` the `details`
    /// object with the count of network profiles and the id of every asset
    /// the batch created, in the order they were inserted.
    pub fn audit_asset_batch(
        &self,
        batch: AssetBatch,
        action: &str,
        entity: &str,
        id: Uuid,
        details: serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        #[derive(Serialize)]
        struct Audited {
            #[serde(flatten)]
            details: serde_json::Map<String, serde_json::Value>,
            network_profiles: u64,
            assets: Vec<AssetId>,
        }
        self.audit(
            action,
            entity,
            Some(id),
            None::<&()>,
            Some(&Audited {
                details,
                network_profiles: batch.network_profiles,
                assets: batch.assets,
            }),
        )
    }

    pub fn update_asset(&self, before: &Asset, after: &Asset) -> Result<()> {
        if before.acquired_on != after.acquired_on {
            // Downtime before acquisition is outside the covered time.
            self.rollup_asset(after.id.0);
        }
        let n = self.tx.prepare_cached(
            "UPDATE assets SET tag = ?2, serial = ?3, model_id = ?4, department_id = ?5, location_id = ?6,
                site_id = (SELECT site_id FROM departments WHERE id = ?5),
                ownership = ?7, status = ?8, acquired_on = ?9, acquisition_cost_cents = ?10, warranty_end = ?11,
                contract_id = ?12, expected_life_years = ?13, risk_function = ?14, risk_physical = ?15,
                risk_maintenance = ?16, risk_incident = ?17, life_support_override = ?18, parent_id = ?19, notes = ?20
             WHERE id = ?1",
        )?.execute(params![
            after.id.0, after.tag, after.serial, after.model_id.0, after.department_id.0,
            after.location_id.map(|x| x.0), after.ownership.as_str(), after.status.as_str(),
            date_opt(after.acquired_on), after.acquisition_cost.map(|m| m.0), date_opt(after.warranty_end),
            after.contract_id.map(|x| x.0), after.expected_life_years, after.risk.function, after.risk.physical_risk,
            after.risk.maintenance, after.risk.incident_history, after.life_support_override,
            after.parent_id.map(|x| x.0), after.notes,
        ]).map_err(|e| {
            if unique_violation(&e) {
                StoreError::Duplicate {
                    entity: "asset tag",
                    key: after.tag.clone(),
                }
            } else {
                e.into()
            }
        })?;
        self.updated(
            n,
            ("asset", after.id.to_string()),
            ("asset", after.id.0),
            before,
            after,
        )
    }

    pub fn upsert_network_profile(
        &self,
        before: Option<&NetworkProfile>,
        p: &NetworkProfile,
    ) -> Result<()> {
        ins::network_profile(&self.tx, p, before.is_some())?;
        self.audit(
            if before.is_some() { "update" } else { "create" },
            "network_profile",
            Some(p.asset_id.0),
            before,
            Some(p),
        )
    }

    pub fn upsert_pm_schedule(&self, before: Option<&PmSchedule>, s: &PmSchedule) -> Result<()> {
        ins::pm_schedule(&self.tx, s, true)?;
        self.audit(
            if before.is_some() { "update" } else { "create" },
            "pm_schedule",
            Some(s.asset_id.0),
            before,
            Some(s),
        )
    }

    pub fn add_model_product_code(&self, model: ModelId, code: &str) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO model_product_codes (model_id, product_code) VALUES (?1, ?2)",
            params![model.0, code],
        )?;
        self.audit(
            "create",
            "model_product_code",
            Some(model.0),
            None::<&()>,
            Some(&code),
        )
    }

    // ---- work orders ---------------------------------------------------

    pub fn insert_work_order(&self, w: &WorkOrder) -> Result<()> {
        ins::work_order(&self.tx, w)?;
        self.rollup_asset(w.asset_id.0);
        self.created("work_order", w.id.0, w)
    }

    /// Replaces the work order's mutable fields; `before` is what the
    /// caller read, for the audit row.
    pub fn update_work_order(&self, before: &WorkOrder, after: &WorkOrder) -> Result<()> {
        let n = self.tx.prepare_cached(
            "UPDATE work_orders SET status = ?2, priority = ?3, problem = ?4, assigned_to = ?5, due_on = ?6,
                started_at = ?7, findings = ?8, closure = ?9, completed_at = ?10, signed_off_by = ?11, signed_off_at = ?12
             WHERE id = ?1",
        )?.execute(params![
            after.id.0, after.status.as_str(), after.priority.rank(), after.problem, after.assigned_to.map(|u| u.0),
            date_opt(after.due_on), ts_opt(after.started_at), after.findings, after.closure.map(|c| c.code()),
            ts_opt(after.completed_at), after.signed_off_by.map(|u| u.0), ts_opt(after.signed_off_at),
        ])?;
        self.rollup_work_order(after.id.0);
        self.updated(
            n,
            ("work order", after.number.clone()),
            ("work_order", after.id.0),
            before,
            after,
        )
    }

    pub fn insert_labor(&self, l: &Labor) -> Result<()> {
        ins::labor(&self.tx, l)?;
        self.rollup_work_order(l.work_order_id.0);
        self.created("labor", l.id.0, l)
    }
    pub fn insert_part_use(&self, p: &PartUse) -> Result<()> {
        ins::part_use(&self.tx, p)?;
        self.rollup_work_order(p.work_order_id.0);
        if let Some(part) = p.part_id {
            // Stock at the work order's site goes down; a part that is not
            // stocked there is recorded all the same (bought locally).
            self.tx
                .prepare_cached(
                    "UPDATE part_stock SET on_hand = on_hand - ?2
                 WHERE part_id = ?1 AND site_id = (SELECT site_id FROM work_orders WHERE id = ?3)",
                )?
                .execute(params![part.0, p.quantity, p.work_order_id.0])?;
        }
        self.created("part_use", p.id.0, p)
    }
    pub fn insert_vendor_charge(&self, v: &VendorCharge) -> Result<()> {
        ins::vendor_charge(&self.tx, v)?;
        self.rollup_work_order(v.work_order_id.0);
        self.created("vendor_charge", v.id.0, v)
    }
    pub fn insert_downtime(&self, d: &Downtime) -> Result<()> {
        ins::downtime(&self.tx, d, false)?;
        self.rollup_asset(d.asset_id.0);
        if let Some(w) = d.work_order_id {
            self.rollup_work_order(w.0);
        }
        self.created("downtime", d.id.0, d)
    }
    pub fn update_downtime(&self, before: &Downtime, after: &Downtime) -> Result<()> {
        ins::downtime(&self.tx, after, true)?;
        self.rollup_asset(after.asset_id.0);
        if let Some(w) = after.work_order_id {
            self.rollup_work_order(w.0);
        }
        self.audit(
            "update",
            "downtime",
            Some(after.id.0),
            Some(before),
            Some(after),
        )
    }
    pub fn insert_reading(&self, r: &Reading) -> Result<()> {
        ins::reading(&self.tx, r)?;
        self.created("reading", r.id.0, r)
    }
    pub fn insert_attempt(&self, a: &PmAttempt) -> Result<()> {
        ins::attempt(&self.tx, a)?;
        self.rollup_work_order(a.work_order_id.0);
        self.created("pm_attempt", a.id.0, a)
    }
    pub fn insert_note(&self, n: &WorkNote) -> Result<()> {
        ins::note(&self.tx, n)?;
        self.created("work_note", n.id.0, n)
    }
    pub fn insert_signature(&self, s: &Signature) -> Result<()> {
        ins::signature(&self.tx, s)?;
        self.created("signature", s.id.0, s)
    }
}

/// Plain inserts shared by [`Tx`] and the bulk loader. Each uses a cached
/// prepared statement, which is what makes bulk loading fast.
pub(crate) mod ins {
    use super::*;

    pub fn site(c: &Connection, s: &Site) -> Result<()> {
        c.prepare_cached("INSERT INTO sites (id, code, name) VALUES (?1, ?2, ?3)")?
            .execute(params![s.id.0, s.code, s.name])?;
        Ok(())
    }
    pub fn building(c: &Connection, b: &Building) -> Result<()> {
        c.prepare_cached("INSERT INTO buildings (id, site_id, name) VALUES (?1, ?2, ?3)")?
            .execute(params![b.id.0, b.site_id.0, b.name])?;
        Ok(())
    }
    pub fn department(c: &Connection, d: &Department) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO departments (id, site_id, name, short_name, cost_center) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![d.id.0, d.site_id.0, d.name, d.short_name, d.cost_center])?;
        Ok(())
    }
    pub fn location(c: &Connection, l: &Location) -> Result<()> {
        c.prepare_cached("INSERT INTO locations (id, building_id, floor, room, department_id) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![l.id.0, l.building_id.0, l.floor, l.room, l.department_id.map(|d| d.0)])?;
        Ok(())
    }
    pub fn user(c: &Connection, u: &User) -> Result<()> {
        c.prepare_cached("INSERT INTO users (id, username, display_name, role, active, loaded_rate_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![u.id.0, u.username, u.display_name, u.role.as_str(), u.active, u.loaded_rate_cents])?;
        for s in &u.sites {
            c.prepare_cached("INSERT INTO user_sites (user_id, site_id) VALUES (?1, ?2)")?
                .execute(params![u.id.0, s.0])?;
        }
        Ok(())
    }
    pub fn user_area(c: &Connection, u: UserId, d: DepartmentId) -> Result<()> {
        c.prepare_cached(
            "INSERT OR IGNORE INTO user_areas (user_id, department_id) VALUES (?1, ?2)",
        )?
        .execute(params![u.0, d.0])?;
        Ok(())
    }
    pub fn manufacturer(c: &Connection, m: &Manufacturer) -> Result<()> {
        c.prepare_cached("INSERT INTO manufacturers (id, name) VALUES (?1, ?2)")?
            .execute(params![m.id.0, m.name])?;
        Ok(())
    }
    pub fn device_type(c: &Connection, d: &DeviceType) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO device_types (id, system, code, name, life_support, aem_exclusion, risk_function, risk_physical,
                risk_maintenance, risk_incident, expected_life_years) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            d.id.0, d.system.as_str(), d.code, d.name, d.life_support, d.aem_exclusion.map(|x| x.as_str()),
            d.default_risk.function, d.default_risk.physical_risk, d.default_risk.maintenance,
            d.default_risk.incident_history, d.expected_life_years
        ])?;
        Ok(())
    }
    pub fn model(c: &Connection, m: &Model) -> Result<()> {
        let mds2 = m.mds2.as_ref().map(serde_json::to_string).transpose()?;
        c.prepare_cached(
            "INSERT INTO models (id, manufacturer_id, device_type_id, name, expected_life_years, end_of_support,
                replacement_cost_cents, mds2_json, sbom_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            m.id.0, m.manufacturer_id.0, m.device_type_id.0, m.name, m.expected_life_years,
            date_opt(m.end_of_support), m.replacement_cost.map(|x| x.0), mds2, serde_json::to_string(&m.sbom)?
        ])?;
        Ok(())
    }
    pub fn safety_edition(c: &Connection, e: &SafetyEdition) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO safety_editions (id, name, limits_json) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![e.id.0, e.name, serde_json::to_string(&e.limits)?])?;
        Ok(())
    }
    pub fn checklist(c: &Connection, k: &Checklist) -> Result<()> {
        c.prepare_cached("INSERT INTO checklists (id, name, items_json) VALUES (?1, ?2, ?3)")?
            .execute(params![k.id.0, k.name, serde_json::to_string(&k.items)?])?;
        Ok(())
    }
    pub fn pm_plan(c: &Connection, p: &PmPlan) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO pm_plans (id, name, model_id, device_type_id, interval_months, schedule, strategy, aem_evidence,
                checklist_id, estimated_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            p.id.0, p.name, p.model_id.map(|x| x.0), p.device_type_id.map(|x| x.0), p.interval_months,
            p.schedule.as_str(), p.strategy.as_str(), p.aem_evidence, p.checklist_id.map(|x| x.0), p.estimated_minutes
        ])?;
        Ok(())
    }
    pub fn vendor(c: &Connection, v: &Vendor) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO vendors (id, name, phone, email, account) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![v.id.0, v.name, v.phone, v.email, v.account])?;
        Ok(())
    }
    pub fn contract(c: &Connection, k: &ServiceContract) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO service_contracts (id, vendor_id, number, coverage, starts_on, ends_on, annual_cost_cents,
                hours_cap, cost_cap_cents, uptime_guarantee_pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            k.id.0, k.vendor_id.0, k.number, k.coverage.as_str(), date(k.starts_on), date(k.ends_on),
            k.annual_cost.0, k.hours_cap, k.cost_cap.map(|x| x.0), k.uptime_guarantee_pct
        ])?;
        Ok(())
    }
    pub fn part(c: &Connection, p: &Part) -> Result<()> {
        c.prepare_cached("INSERT INTO parts (id, part_number, description, manufacturer, unit_cost_cents) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![p.id.0, p.part_number, p.description, p.manufacturer, p.unit_cost.0])?;
        Ok(())
    }
    pub fn part_stock(c: &Connection, s: &PartStock) -> Result<()> {
        c.prepare_cached("INSERT INTO part_stock (part_id, site_id, on_hand, reorder_point, bin) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![s.part_id.0, s.site_id.0, s.on_hand, s.reorder_point, s.bin])?;
        Ok(())
    }
    pub fn asset(c: &Connection, a: &Asset) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO assets (id, tag, serial, model_id, department_id, location_id, site_id, ownership, status,
                acquired_on, acquisition_cost_cents, warranty_end, contract_id, expected_life_years, risk_function,
                risk_physical, risk_maintenance, risk_incident, life_support_override, parent_id, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT site_id FROM departments WHERE id = ?5), ?7, ?8, ?9, ?10, ?11,
                ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )?
        .execute(params![
            a.id.0, a.tag, a.serial, a.model_id.0, a.department_id.0, a.location_id.map(|x| x.0),
            a.ownership.as_str(), a.status.as_str(), date_opt(a.acquired_on), a.acquisition_cost.map(|m| m.0),
            date_opt(a.warranty_end), a.contract_id.map(|x| x.0), a.expected_life_years, a.risk.function,
            a.risk.physical_risk, a.risk.maintenance, a.risk.incident_history, a.life_support_override,
            a.parent_id.map(|x| x.0), a.notes
        ])?;
        Ok(())
    }
    pub fn network_profile(c: &Connection, p: &NetworkProfile, upsert: bool) -> Result<()> {
        let verb = if upsert {
            "INSERT OR REPLACE"
        } else {
            "INSERT"
        };
        c.prepare_cached(&format!(
            "{verb} INTO network_profiles (asset_id, hostname, ip_address, mac_address, vlan, segment, os_name,
                os_version, firmware_version, patch_level, last_patched_on, remote_recoverable, stores_phi, patch_validation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ))?
        .execute(params![
            p.asset_id.0, p.hostname, p.ip_address, p.mac_address, p.vlan, p.segment, p.os_name, p.os_version,
            p.firmware_version, p.patch_level, date_opt(p.last_patched_on), p.remote_recoverable, p.stores_phi,
            p.patch_validation.as_str()
        ])?;
        Ok(())
    }
    pub fn pm_schedule(c: &Connection, s: &PmSchedule, upsert: bool) -> Result<()> {
        let verb = if upsert {
            "INSERT OR REPLACE"
        } else {
            "INSERT"
        };
        c.prepare_cached(&format!(
            "{verb} INTO pm_schedules (asset_id, plan_id, next_due, last_done) VALUES (?1, ?2, ?3, ?4)"
        ))?
        .execute(params![s.asset_id.0, s.plan_id.0, date(s.next_due), date_opt(s.last_done)])?;
        Ok(())
    }
    pub fn usage_window(c: &Connection, u: &UsageWindow) -> Result<()> {
        c.prepare_cached("INSERT INTO usage_windows (id, department_id, device_type_id, weekdays, starts, ends) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![
                u.id.0, u.department_id.0, u.device_type_id.map(|x| x.0), u.weekdays,
                u.starts.format("%H:%M").to_string(), u.ends.format("%H:%M").to_string()
            ])?;
        Ok(())
    }
    pub fn training_event(c: &Connection, t: &TrainingEvent) -> Result<()> {
        c.prepare_cached("INSERT INTO training_events (id, department_id, device_type_id, held_on, topic, trainer, attendees) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![t.id.0, t.department_id.0, t.device_type_id.0, date(t.held_on), t.topic, t.trainer, t.attendees])?;
        Ok(())
    }
    pub fn recall(c: &Connection, r: &Recall) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO recalls (id, source, number, title, received_on, manufacturer, model, device_type_code,
                product_code, closed_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            r.id.0, r.source.as_str(), r.number, r.title, date(r.received_on), r.manufacturer, r.model,
            r.device_type_code, r.product_code, date_opt(r.closed_on)
        ])?;
        Ok(())
    }
    pub fn recall_asset(c: &Connection, r: &RecallAsset) -> Result<()> {
        c.prepare_cached("INSERT INTO recall_assets (recall_id, asset_id, action, work_order_id, acted_on) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![r.recall_id.0, r.asset_id.0, r.action.as_str(), r.work_order_id.map(|x| x.0), date_opt(r.acted_on)])?;
        Ok(())
    }
    pub fn work_order(c: &Connection, w: &WorkOrder) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO work_orders (id, number, asset_id, site_id, kind, status, priority, problem, reported_by,
                opened_at, created_by, assigned_to, due_on, pm_plan_id, recall_id, started_at, findings, closure,
                completed_at, signed_off_by, signed_off_at)
             VALUES (?1, ?2, ?3, (SELECT site_id FROM assets WHERE id = ?3), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )?
        .execute(params![
            w.id.0, w.number, w.asset_id.0, w.kind.as_str(), w.status.as_str(), w.priority.rank(), w.problem,
            w.reported_by, ts(w.opened_at), w.created_by.0, w.assigned_to.map(|u| u.0), date_opt(w.due_on),
            w.pm_plan_id.map(|x| x.0), w.recall_id.map(|x| x.0), ts_opt(w.started_at), w.findings,
            w.closure.map(|c| c.code()), ts_opt(w.completed_at), w.signed_off_by.map(|u| u.0), ts_opt(w.signed_off_at)
        ])?;
        Ok(())
    }
    pub fn labor(c: &Connection, l: &Labor) -> Result<()> {
        c.prepare_cached("INSERT INTO labor (id, work_order_id, technician_id, minutes, performed_on, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![l.id.0, l.work_order_id.0, l.technician_id.0, l.minutes, date(l.performed_on), l.note])?;
        Ok(())
    }
    pub fn part_use(c: &Connection, p: &PartUse) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO part_uses (id, work_order_id, part_id, part_number, description, quantity, unit_cost_cents,
                recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            p.id.0, p.work_order_id.0, p.part_id.map(|x| x.0), p.part_number, p.description, p.quantity,
            p.unit_cost.0, p.recorded_by.0, ts(p.recorded_at)
        ])?;
        Ok(())
    }
    pub fn vendor_charge(c: &Connection, v: &VendorCharge) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO vendor_charges (id, work_order_id, vendor_id, invoice_number, labor_cost_cents,
                parts_cost_cents, travel_cost_cents, invoiced_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            v.id.0, v.work_order_id.0, v.vendor_id.0, v.invoice_number, v.labor_cost.0, v.parts_cost.0,
            v.travel_cost.0, date(v.invoiced_on)
        ])?;
        Ok(())
    }
    pub fn downtime(c: &Connection, d: &Downtime, upsert: bool) -> Result<()> {
        let verb = if upsert {
            "INSERT OR REPLACE"
        } else {
            "INSERT"
        };
        c.prepare_cached(&format!(
            "{verb} INTO downtime (id, asset_id, work_order_id, started_at, ended_at, partial_factor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        ))?
        .execute(params![
            d.id.0, d.asset_id.0, d.work_order_id.map(|x| x.0), ts(d.started_at), ts_opt(d.ended_at), d.partial_factor
        ])?;
        Ok(())
    }
    pub fn reading(c: &Connection, r: &Reading) -> Result<()> {
        c.prepare_cached(
            "INSERT INTO readings (id, work_order_id, item_key, prompt, value, unit, limit_min, limit_max, has_limit,
                verdict, taken_by, taken_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            r.id.0, r.work_order_id.0, r.item_key, r.prompt, r.value, r.unit, r.limit.and_then(|l| l.min),
            r.limit.and_then(|l| l.max), r.limit.is_some(), r.verdict.as_str(), r.taken_by.0, ts(r.taken_at)
        ])?;
        Ok(())
    }
    pub fn attempt(c: &Connection, a: &PmAttempt) -> Result<()> {
        c.prepare_cached("INSERT INTO pm_attempts (id, work_order_id, technician_id, attempted_at, outcome, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![a.id.0, a.work_order_id.0, a.technician_id.0, ts(a.attempted_at), a.outcome.as_str(), a.note])?;
        Ok(())
    }
    pub fn note(c: &Connection, n: &WorkNote) -> Result<()> {
        c.prepare_cached("INSERT INTO work_notes (id, work_order_id, author_id, written_at, text) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![n.id.0, n.work_order_id.0, n.author_id.0, ts(n.written_at), n.text])?;
        Ok(())
    }
    pub fn signature(c: &Connection, s: &Signature) -> Result<()> {
        c.prepare_cached("INSERT INTO signatures (id, work_order_id, signer_id, signer_name, signed_at, strokes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![s.id.0, s.work_order_id.0, s.signer_id.0, s.signer_name, ts(s.signed_at), s.strokes])?;
        Ok(())
    }
}
