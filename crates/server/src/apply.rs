//! Applying pushed mutations: exactly-once bookkeeping, authorization by
//! user and site, validation, and the conflict rules for contended fields.
//! Backend-agnostic: everything goes through [`Txn`], so a PostgreSQL
//! backend reuses these rules unchanged.
//!
//! Exactly once: a device's `last_seq` is advanced in the same transaction
//! as the mutation's changes and its log row. A mutation that breaks a
//! rule is rejected: none of its changes are written (they are staged in a
//! [`Work`] overlay and only flushed when the whole mutation passed), but
//! its seq still advances and the rejection is logged, so a retry is
//! answered with the same rejection.
//!
//! The acting user is always the token's user: a payload naming another
//! user as the author of the user's own records is refused, and so is any
//! row outside the user's sites.

use crate::backend::{LogEntry, NewConflict, StoreError, Txn};
use biomend_domain::RuleError;
use biomend_domain::asset::AssetStatus;
use biomend_domain::risk::EmScore;
use biomend_domain::settings;
use biomend_domain::user::Role;
use biomend_domain::work_order::*;
use biomend_protocol::*;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The conflict rules, by the name a supervisor sees on each conflict.
pub mod rule {
    /// A status change whose starting value was stale is applied when the
    /// move from the server's current status is legal.
    pub const LEGAL_MOVE_FROM_CURRENT_STATUS: &str = "legal_move_from_current_status";
    /// A second completion keeps the first one's status, findings, closure
    /// and time; its labor, parts, readings, notes and signature are kept.
    pub const FIRST_COMPLETION_WINS: &str = "first_completion_wins";
    /// Work assigned to someone stays theirs.
    pub const FIRST_ASSIGNMENT_WINS: &str = "first_assignment_wins";
    /// retired > missing > out_of_service > in_repair > in_service: a
    /// device marked down is never silently put back in service.
    pub const MOST_RESTRICTIVE_STATUS_WINS: &str = "most_restrictive_status_wins";
    /// Where a device is, and a hospital setting: the edit that reached
    /// the server last (device clocks never decide).
    pub const LATEST_ARRIVAL_WINS: &str = "latest_arrival_wins";
    /// Department, serial and notes: the server's value stays.
    pub const FIRST_WRITE_WINS: &str = "first_write_wins";
    /// Risk: the higher EM number stays.
    pub const HIGHER_RISK_WINS: &str = "higher_risk_wins";
    /// PM schedule: the later next due date stays.
    pub const LATER_DUE_DATE_WINS: &str = "later_due_date_wins";
    /// A work-order number minted offline that another work order already
    /// has: the new one becomes `<number>-<n>`.
    pub const RENUMBERED_DUPLICATE_NUMBER: &str = "renumbered_duplicate_number";
}

/// Stable rejection codes.
pub mod code {
    pub const UNSUPPORTED_MUTATION: &str = "unsupported_mutation";
    pub const MALFORMED: &str = "malformed";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const ILLEGAL_TRANSITION: &str = "illegal_transition";
    pub const ID_REUSE: &str = "id_reuse";
    pub const CROSS_SITE_MOVE: &str = "cross_site_move";
    pub const TOO_LONG: &str = "too_long";
    pub const INVALID: &str = "invalid";
}

/// Longest free text accepted (problem, findings, notes).
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest short text (numbers, names, serials, part numbers).
pub const MAX_SHORT_CHARS: usize = 500;
/// Most assets (and network profiles) in one `import_assets@1` part.
pub const MAX_IMPORT_ASSETS: usize = 1_000;
/// Most other records (departments, rooms, models...) in one part.
pub const MAX_IMPORT_REFERENCES: usize = 20_000;
/// Longest signature path (SVG path data).
pub const MAX_STROKES_CHARS: usize = 200_000;

/// Who is pushing, as the token says.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Uuid,
    pub user_name: String,
    pub role: Role,
    pub sites: Vec<Uuid>,
    pub device_id: Uuid,
}

/// Why one mutation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

enum Fail {
    Reject(Rejection),
    Store(StoreError),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

fn reject(code: &'static str, message: impl Into<String>) -> Fail {
    Fail::Reject(Rejection {
        code,
        message: message.into(),
    })
}

fn rule_error(e: RuleError) -> Fail {
    match e {
        RuleError::IllegalTransition { .. } => reject(code::ILLEGAL_TRANSITION, e.to_string()),
        other => reject(code::INVALID, other.to_string()),
    }
}

fn protocol_error(e: ProtocolError) -> Fail {
    reject(code::INVALID, e.to_string())
}

/// A server-minted id (conflicts): UUIDv7 from the clock and the OS RNG.
pub fn new_id(now: DateTime<Utc>) -> Result<Uuid, StoreError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Worker(format!("no randomness from the OS: {e}")))?;
    Ok(biomend_domain::ids::new_v7(
        now.timestamp_millis().max(0) as u64,
        bytes,
    ))
}

/// Handles one push: each envelope in seq order, as the module doc says.
/// The caller runs this in one write transaction.
pub fn push(
    txn: &mut dyn Txn,
    actor: &Actor,
    last_seq: u64,
    mutations: &[MutationEnvelope],
    now: DateTime<Utc>,
) -> Result<PushResponse, StoreError> {
    let mut last = last_seq;
    let mut answer = PushResponse::default();
    for env in mutations {
        if env.seq <= last {
            // Already handled: answer what happened then, never redo it.
            let outcome = match txn.logged_mutation(actor.device_id, env.seq)? {
                Some(LogEntry {
                    rejection: Some((code, message)),
                    ..
                }) => Outcome::Rejected { code, message },
                _ => Outcome::Duplicate,
            };
            answer.results.push(MutationResult {
                seq: env.seq,
                id: env.id,
                outcome,
            });
            continue;
        }
        if env.seq > last + 1 {
            answer.expected_seq = Some(last + 1);
            break;
        }
        let mut work = Work::new(txn, actor, env.id, now);
        let result = work.apply(env);
        let (rejection, summary) = match result {
            Ok(summary) => (None, summary),
            Err(Fail::Store(e)) => return Err(e),
            Err(Fail::Reject(r)) => {
                let summary = format!("{}: {}", r.code, r.message);
                (Some(r), summary)
            }
        };
        let (touched_wo, touched_asset, site) = (work.work_order, work.asset, work.site);
        let written: Vec<(Kind, String)> = if rejection.is_none() {
            work.written()
        } else {
            Vec::new()
        };
        if rejection.is_none() {
            work.commit()?;
        }
        if let Ok(m) = env.mutation() {
            echo_unwritten(txn, &m, &written)?;
        }
        let site_id = site.or_else(|| actor.sites.first().copied());
        txn.log_mutation(&LogEntry {
            device_id: actor.device_id,
            seq: env.seq,
            mutation_id: env.id,
            user_id: actor.user_id,
            name: env.name.clone(),
            version: env.version,
            hlc: env.hlc.to_string(),
            received_at: now,
            rejection: rejection
                .as_ref()
                .map(|r| (r.code.to_string(), r.message.clone())),
            summary,
            work_order_id: touched_wo,
            asset_id: touched_asset,
            site_id,
        })?;
        last = env.seq;
        answer.results.push(MutationResult {
            seq: env.seq,
            id: env.id,
            outcome: match rejection {
                None => Outcome::Applied,
                Some(r) => Outcome::Rejected {
                    code: r.code.to_string(),
                    message: r.message,
                },
            },
        });
    }
    txn.set_device_progress(actor.device_id, last, now)?;
    Ok(answer)
}

/// One mutation's staged changes: reads see earlier staged writes, and
/// nothing reaches the transaction unless the whole mutation passes.
struct Work<'a> {
    txn: &'a mut dyn Txn,
    actor: &'a Actor,
    mutation_id: Uuid,
    now: DateTime<Utc>,
    order: Vec<(Kind, String)>,
    staged: HashMap<(Kind, String), (Option<Uuid>, String)>,
    conflicts: Vec<NewConflict>,
    numbers: Vec<(String, Uuid)>,
    work_order: Option<Uuid>,
    asset: Option<Uuid>,
    site: Option<Uuid>,
}

impl<'a> Work<'a> {
    fn new(txn: &'a mut dyn Txn, actor: &'a Actor, mutation_id: Uuid, now: DateTime<Utc>) -> Self {
        Work {
            txn,
            actor,
            mutation_id,
            now,
            order: Vec::new(),
            staged: HashMap::new(),
            conflicts: Vec::new(),
            numbers: Vec::new(),
            work_order: None,
            asset: None,
            site: None,
        }
    }

    /// The rows this mutation's changes will write.
    fn written(&self) -> Vec<(Kind, String)> {
        self.order.clone()
    }

    fn commit(self) -> Result<(), StoreError> {
        let Work {
            txn,
            order,
            mut staged,
            conflicts,
            numbers,
            ..
        } = self;
        for (number, id) in numbers {
            txn.claim_work_order_number(&number, id)?;
        }
        for (kind, key) in order {
            let (site, body) = staged.remove(&(kind, key.clone())).expect("staged row");
            txn.put_row(kind, &key, site, &body)?;
        }
        for c in conflicts {
            txn.insert_conflict(&c)?;
        }
        Ok(())
    }

    fn get_raw(&mut self, kind: Kind, key: &str) -> Result<Option<(Option<Uuid>, String)>, Fail> {
        if let Some((site, body)) = self.staged.get(&(kind, key.to_string())) {
            return Ok(Some((*site, body.clone())));
        }
        Ok(self.txn.get_row(kind, key)?.map(|r| (r.site_id, r.body)))
    }

    fn get<T: DeserializeOwned>(
        &mut self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<(T, Option<Uuid>)>, Fail> {
        match self.get_raw(kind, key)? {
            None => Ok(None),
            Some((site, body)) => {
                let value = serde_json::from_str(&body).map_err(|e| {
                    Fail::Store(StoreError::Corrupt {
                        what: "stored row",
                        detail: format!("{} {key}: {e}", kind.as_str()),
                    })
                })?;
                Ok(Some((value, site)))
            }
        }
    }

    fn put(&mut self, record: &Record, site: Option<Uuid>) {
        let id = (record.kind(), record.key());
        if !self.staged.contains_key(&id) {
            self.order.push(id.clone());
        }
        self.staged.insert(id, (site, record.to_json()));
    }

    /// Inserts an insert-only record; the same id again with the same body
    /// is a no-op, with another body it is refused.
    fn insert_once(&mut self, record: Record, site: Option<Uuid>) -> Result<bool, Fail> {
        let kind = record.kind();
        let key = record.key();
        match self.get_raw(kind, &key)? {
            None => {
                self.put(&record, site);
                Ok(true)
            }
            Some((_, body)) => {
                let same = Record::decode(kind, &body).is_ok_and(|stored| stored == record);
                if same {
                    Ok(false)
                } else {
                    Err(reject(
                        code::ID_REUSE,
                        format!(
                            "{} {key} already exists with different content; a correction is a new record with a new id",
                            kind.as_str()
                        ),
                    ))
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn conflict(
        &mut self,
        kind: Kind,
        key: &str,
        label: &str,
        field: &str,
        base: serde_json::Value,
        kept: serde_json::Value,
        set_aside: serde_json::Value,
        rule: &str,
        site: Option<Uuid>,
    ) -> Result<(), Fail> {
        self.conflicts.push(NewConflict {
            id: new_id(self.now)?,
            kind: kind.as_str().to_string(),
            key: key.to_string(),
            label: label.to_string(),
            field: field.to_string(),
            base,
            kept,
            set_aside,
            rule: rule.to_string(),
            user_id: self.actor.user_id,
            device_id: self.actor.device_id,
            mutation_id: self.mutation_id,
            detected_at: self.now,
            site_id: site,
            work_order_id: self.work_order,
        });
        Ok(())
    }

    // ---- checks ----

    fn check_site(&self, site: Option<Uuid>, what: &str) -> Result<(), Fail> {
        match site {
            Some(s) if !self.actor.sites.contains(&s) => Err(reject(
                code::FORBIDDEN,
                format!("{what} belongs to a site you do not work at"),
            )),
            _ => Ok(()),
        }
    }

    fn check_actor(&self, field: &str, claimed: Uuid) -> Result<(), Fail> {
        if claimed != self.actor.user_id {
            return Err(reject(
                code::FORBIDDEN,
                format!("{field} names another user; you can only record your own work"),
            ));
        }
        Ok(())
    }

    fn check_can_work(&self) -> Result<(), Fail> {
        if !self.actor.role.can_perform_work() {
            return Err(reject(
                code::FORBIDDEN,
                format!("a {} cannot record work on devices", self.actor.role),
            ));
        }
        Ok(())
    }

    fn load_asset(&mut self, id: Uuid) -> Result<(AssetV1, Option<Uuid>), Fail> {
        let (asset, site) = self
            .get::<AssetV1>(Kind::Asset, &id.to_string())?
            .ok_or_else(|| reject(code::NOT_FOUND, format!("asset {id} does not exist")))?;
        self.check_site(site, &format!("asset {}", asset.tag))?;
        self.asset.get_or_insert(id);
        self.site = self.site.or(site);
        Ok((asset, site))
    }

    fn load_work_order(&mut self, id: Uuid) -> Result<(WorkOrderV1, Option<Uuid>), Fail> {
        let (wo, site) = self
            .get::<WorkOrderV1>(Kind::WorkOrder, &id.to_string())?
            .ok_or_else(|| reject(code::NOT_FOUND, format!("work order {id} does not exist")))?;
        self.check_site(site, &format!("work order {}", wo.number))?;
        self.work_order = Some(id);
        self.asset.get_or_insert(wo.asset_id);
        self.site = self.site.or(site);
        Ok((wo, site))
    }

    // ---- mutations ----

    fn apply(&mut self, env: &MutationEnvelope) -> Result<String, Fail> {
        let m = env.mutation().map_err(|e| match e {
            ProtocolError::Unsupported { .. } => reject(
                code::UNSUPPORTED_MUTATION,
                format!("{e}; this server knows {}", supported_list()),
            ),
            other => reject(code::MALFORMED, other.to_string()),
        })?;
        match &m {
            Mutation::CreateWorkOrder(c) => self.create_work_order(c),
            Mutation::SetWorkOrderStatus(s) => self.set_work_order_status(s),
            Mutation::RecordWork(r) => self.record_work(r),
            Mutation::CompleteWorkOrder(c) => self.complete_work_order(c),
            Mutation::SignOffWorkOrder(s) => self.sign_off(s),
            Mutation::RecordPmAttempt(a) => self.record_pm_attempt(a),
            Mutation::UpdateAsset(u) => self.update_asset(u),
            Mutation::SetHospitalSettings(h) => self.set_hospital_settings(h),
            Mutation::ImportAssets(i) => self.import_assets(i),
        }
    }

    fn create_work_order(&mut self, c: &CreateWorkOrder) -> Result<String, Fail> {
        self.check_can_work()?;
        let mut wo = c.work_order.clone();
        self.check_actor("work_order.created_by", wo.created_by)?;
        let domain = WorkOrder::try_from(wo.clone()).map_err(protocol_error)?;
        if !domain.status.is_open() {
            return Err(reject(
                code::INVALID,
                format!("a new work order must be open work, not {}", domain.status),
            ));
        }
        text("work_order.number", &wo.number, MAX_SHORT_CHARS)?;
        if wo.number.trim().is_empty() {
            return Err(reject(code::INVALID, "work_order.number must not be empty"));
        }
        text("work_order.problem", &wo.problem, MAX_TEXT_CHARS)?;
        text("work_order.reported_by", &wo.reported_by, MAX_SHORT_CHARS)?;
        text("work_order.findings", &wo.findings, MAX_TEXT_CHARS)?;
        let (_, site) = self.load_asset(wo.asset_id)?;
        self.work_order = Some(wo.id);
        let key = wo.id.to_string();
        let mut summary = format!("{} opened", wo.number);
        match self.get::<WorkOrderV1>(Kind::WorkOrder, &key)? {
            Some((stored, _)) => {
                // The row may have moved on since (started, renumbered);
                // what names it is what was created.
                let same = stored.asset_id == wo.asset_id
                    && stored.kind == wo.kind
                    && stored.opened_at == wo.opened_at
                    && stored.created_by == wo.created_by
                    && stored.problem == wo.problem;
                if !same {
                    return Err(reject(
                        code::ID_REUSE,
                        format!("work order {key} already exists with different content"),
                    ));
                }
                summary = format!("{} opened (already on the server)", stored.number);
            }
            None => {
                let owner = self.number_owner(&wo.number)?;
                if owner.is_some_and(|o| o != wo.id) {
                    let original = wo.number.clone();
                    let mut n = 2u32;
                    let renumbered = loop {
                        let candidate = format!("{original}-{n}");
                        if self.number_owner(&candidate)?.is_none() {
                            break candidate;
                        }
                        n += 1;
                    };
                    wo.number = renumbered.clone();
                    self.conflict(
                        Kind::WorkOrder,
                        &key,
                        &renumbered,
                        "number",
                        json!(original),
                        json!(renumbered),
                        json!(original),
                        rule::RENUMBERED_DUPLICATE_NUMBER,
                        site,
                    )?;
                    summary = format!("{renumbered} opened (renumbered from {original})");
                }
                self.numbers.push((wo.number.clone(), wo.id));
                self.put(&Record::WorkOrder(wo.clone()), site);
            }
        }
        if let Some(d) = &c.downtime {
            if d.asset_id != wo.asset_id || d.work_order_id.is_some_and(|w| w != wo.id) {
                return Err(reject(
                    code::INVALID,
                    "the downtime must be of this work order's asset",
                ));
            }
            Downtime::try_from(d.clone())
                .map_err(protocol_error)?
                .validate()
                .map_err(rule_error)?;
            self.insert_once(Record::Downtime(d.clone()), site)?;
        }
        if let Some(s) = &c.asset_status {
            if s.asset_id != wo.asset_id {
                return Err(reject(
                    code::INVALID,
                    "the asset status change must be of this work order's asset",
                ));
            }
            self.asset_status(s.asset_id, &s.status)?;
        }
        Ok(summary)
    }

    fn number_owner(&mut self, number: &str) -> Result<Option<Uuid>, Fail> {
        if let Some((_, id)) = self.numbers.iter().find(|(n, _)| n == number) {
            return Ok(Some(*id));
        }
        Ok(self.txn.work_order_number_owner(number)?)
    }

    fn set_work_order_status(&mut self, s: &SetWorkOrderStatus) -> Result<String, Fail> {
        self.check_can_work()?;
        let (mut wo, site) = self.load_work_order(s.work_order_id)?;
        let before = wo.clone();
        let (from, to) = statuses(&s.status)?;
        if to.is_done() {
            return Err(reject(
                code::INVALID,
                format!("a work order becomes {to} through its own action, not a status change"),
            ));
        }
        self.status_move(&mut wo, site, from, to)?;
        if to == WorkOrderStatus::InProgress && wo.status == to.as_str() && wo.started_at.is_none()
        {
            wo.started_at = s.started_at;
        }
        if let Some(a) = &s.assigned_to {
            self.assign(&mut wo, site, a)?;
        }
        if wo != before {
            self.put(&Record::WorkOrder(wo.clone()), site);
        }
        Ok(format!("{} {}", wo.number, wo.status))
    }

    /// Compare-and-set of a work order's status through the state machine.
    fn status_move(
        &mut self,
        wo: &mut WorkOrderV1,
        site: Option<Uuid>,
        from: WorkOrderStatus,
        to: WorkOrderStatus,
    ) -> Result<(), Fail> {
        let current = stored_status(wo)?;
        if current == from {
            from.transition(to).map_err(rule_error)?;
            wo.status = to.as_str().to_string();
        } else if current == to {
            // Someone made the same move first: nothing to do.
        } else if current.can_transition(to) {
            wo.status = to.as_str().to_string();
            self.conflict(
                Kind::WorkOrder,
                &wo.id.to_string(),
                &wo.number,
                "status",
                json!(from.as_str()),
                json!(to.as_str()),
                json!(current.as_str()),
                rule::LEGAL_MOVE_FROM_CURRENT_STATUS,
                site,
            )?;
        } else {
            return Err(reject(
                code::ILLEGAL_TRANSITION,
                format!(
                    "work order {} is {current} on the server (this device saw {from}); it cannot go from {current} to {to}",
                    wo.number
                ),
            ));
        }
        Ok(())
    }

    fn assign(
        &mut self,
        wo: &mut WorkOrderV1,
        site: Option<Uuid>,
        change: &FieldChange<Option<Uuid>>,
    ) -> Result<(), Fail> {
        if wo.assigned_to == change.from {
            wo.assigned_to = change.to;
        } else if wo.assigned_to != change.to {
            self.conflict(
                Kind::WorkOrder,
                &wo.id.to_string(),
                &wo.number,
                "assigned_to",
                json!(change.from),
                json!(wo.assigned_to),
                json!(change.to),
                rule::FIRST_ASSIGNMENT_WINS,
                site,
            )?;
        }
        Ok(())
    }

    fn record_work(&mut self, r: &RecordWork) -> Result<String, Fail> {
        self.check_can_work()?;
        let (wo, site) = self.load_work_order(r.work_order_id)?;
        let n = self.insert_work(r, wo.id, site)?;
        Ok(format!("{}: {n} records added", wo.number))
    }

    /// The insert-only records of a work record; returns how many were new.
    fn insert_work(&mut self, r: &RecordWork, wo: Uuid, site: Option<Uuid>) -> Result<usize, Fail> {
        let belongs = |what: &str, id: Uuid| -> Result<(), Fail> {
            if id != wo {
                return Err(reject(
                    code::INVALID,
                    format!("{what} belongs to another work order"),
                ));
            }
            Ok(())
        };
        let mut n = 0;
        for l in &r.labor {
            belongs("labor", l.work_order_id)?;
            self.check_actor("labor.technician_id", l.technician_id)?;
            text("labor.note", &l.note, MAX_TEXT_CHARS)?;
            Labor::try_from(l.clone())
                .map_err(protocol_error)?
                .validate()
                .map_err(rule_error)?;
            n += self.insert_once(Record::Labor(l.clone()), site)? as usize;
        }
        for p in &r.parts {
            belongs("part use", p.work_order_id)?;
            self.check_actor("part_use.recorded_by", p.recorded_by)?;
            text("part_use.part_number", &p.part_number, MAX_SHORT_CHARS)?;
            text("part_use.description", &p.description, MAX_SHORT_CHARS)?;
            PartUse::try_from(p.clone())
                .map_err(protocol_error)?
                .validate()
                .map_err(rule_error)?;
            n += self.insert_once(Record::PartUse(p.clone()), site)? as usize;
        }
        for reading in &r.readings {
            belongs("reading", reading.work_order_id)?;
            self.check_actor("reading.taken_by", reading.taken_by)?;
            text("reading.item_key", &reading.item_key, MAX_SHORT_CHARS)?;
            text("reading.prompt", &reading.prompt, MAX_SHORT_CHARS)?;
            if reading.value.is_some_and(|v| !v.is_finite()) {
                return Err(reject(
                    code::INVALID,
                    "reading.value must be a finite number",
                ));
            }
            biomend_domain::checklist::Reading::try_from(reading.clone())
                .map_err(protocol_error)?;
            n += self.insert_once(Record::Reading(reading.clone()), site)? as usize;
        }
        for note in &r.notes {
            belongs("note", note.work_order_id)?;
            self.check_actor("work_note.author_id", note.author_id)?;
            text("work_note.text", &note.text, MAX_TEXT_CHARS)?;
            n += self.insert_once(Record::WorkNote(note.clone()), site)? as usize;
        }
        Ok(n)
    }

    fn complete_work_order(&mut self, c: &CompleteWorkOrder) -> Result<String, Fail> {
        self.check_can_work()?;
        let (mut wo, site) = self.load_work_order(c.work_order_id)?;
        let before = wo.clone();
        text("findings", &c.findings, MAX_TEXT_CHARS)?;
        let closure = ClosureCode::parse(&c.closure).ok_or_else(|| {
            reject(
                code::INVALID,
                format!("closure: unknown code '{}'", c.closure),
            )
        })?;
        let sig = &c.signature;
        if sig.work_order_id != wo.id {
            return Err(reject(
                code::INVALID,
                "the signature belongs to another work order",
            ));
        }
        self.check_actor("signature.signer_id", sig.signer_id)?;
        text("signature.signer_name", &sig.signer_name, MAX_SHORT_CHARS)?;
        text("signature.strokes", &sig.strokes, MAX_STROKES_CHARS)?;
        let (from, to) = statuses(&c.status)?;
        if to != WorkOrderStatus::Completed {
            return Err(reject(
                code::INVALID,
                format!("complete_work_order moves a work order to completed, not {to}"),
            ));
        }
        let current = stored_status(&wo)?;
        let kind = WorkOrderKind::parse(&wo.kind).ok_or_else(|| corrupt("work order kind"))?;
        let mut summary = format!("{} completed", wo.number);
        if current.is_done() {
            // Someone completed it first: their completion stands, this
            // one's records are kept and its findings set aside in a
            // conflict so the supervisor sees both.
            let kept = completion_json(&wo.findings, wo.closure.as_deref(), wo.completed_at);
            let set_aside =
                completion_json(&c.findings, Some(&closure.code()), Some(c.completed_at));
            if kept != set_aside {
                self.conflict(
                    Kind::WorkOrder,
                    &wo.id.to_string(),
                    &wo.number,
                    "completion",
                    json!(from.as_str()),
                    kept,
                    set_aside,
                    rule::FIRST_COMPLETION_WINS,
                    site,
                )?;
                summary = format!("{} completed again: the first completion stands", wo.number);
            }
        } else {
            check_completion(&CompletionFacts {
                kind,
                status: if current == from { from } else { current },
                closure: Some(closure),
                has_signature: true,
            })
            .map_err(|e| match e {
                RuleError::IllegalTransition { .. } => reject(
                    code::ILLEGAL_TRANSITION,
                    format!(
                        "work order {} is {current} on the server (this device saw {from}); it cannot go from {current} to completed",
                        wo.number
                    ),
                ),
                other => rule_error(other),
            })?;
            self.status_move(&mut wo, site, from, to)?;
            wo.findings = c.findings.clone();
            wo.closure = Some(closure.code());
            wo.completed_at = Some(c.completed_at);
            if let Some(a) = &c.assigned_to {
                self.assign(&mut wo, site, a)?;
            }
        }
        self.insert_work(&c.work, wo.id, site)?;
        self.insert_once(Record::Signature(sig.clone()), site)?;
        if let Some(end) = &c.downtime_ended {
            let key = end.downtime_id.to_string();
            let (mut d, d_site) = self
                .get::<DowntimeV1>(Kind::Downtime, &key)?
                .ok_or_else(|| reject(code::NOT_FOUND, format!("downtime {key} does not exist")))?;
            if d.asset_id != wo.asset_id {
                return Err(reject(
                    code::INVALID,
                    "the downtime ended is of another asset",
                ));
            }
            // The first end recorded stands; a later one changes nothing.
            if d.ended_at.is_none() {
                // Device clocks may be a day apart: a device behind the one
                // that opened the downtime would end it before it began.
                // Clocks never decide an outcome, so the end is clamped to
                // the start (no downtime) rather than refused.
                d.ended_at = Some(end.ended_at.max(d.started_at));
                Downtime::try_from(d.clone())
                    .map_err(protocol_error)?
                    .validate()
                    .map_err(rule_error)?;
                self.put(&Record::Downtime(d), d_site);
            }
        }
        if let Some(s) = &c.asset_status {
            if s.asset_id != wo.asset_id {
                return Err(reject(
                    code::INVALID,
                    "the asset status change must be of this work order's asset",
                ));
            }
            self.asset_status(s.asset_id, &s.status)?;
        }
        if let Some(p) = &c.pm_schedule {
            self.pm_schedule(wo.asset_id, p)?;
        }
        if wo != before {
            self.put(&Record::WorkOrder(wo), site);
        }
        Ok(summary)
    }

    fn sign_off(&mut self, s: &SignOffWorkOrder) -> Result<String, Fail> {
        if !self.actor.role.can_sign_off() {
            return Err(reject(
                code::FORBIDDEN,
                format!("a {} cannot sign off work", self.actor.role),
            ));
        }
        self.check_actor("signed_off_by", s.signed_off_by)?;
        let (mut wo, site) = self.load_work_order(s.work_order_id)?;
        let (_, to) = statuses(&s.status)?;
        if to != WorkOrderStatus::SignedOff {
            return Err(reject(
                code::INVALID,
                format!("sign_off_work_order moves a work order to signed_off, not {to}"),
            ));
        }
        match stored_status(&wo)? {
            WorkOrderStatus::SignedOff => Ok(format!("{} already signed off", wo.number)),
            WorkOrderStatus::Completed => {
                wo.status = to.as_str().to_string();
                wo.signed_off_by = Some(s.signed_off_by);
                wo.signed_off_at = Some(s.signed_off_at);
                let summary = format!("{} signed off", wo.number);
                self.put(&Record::WorkOrder(wo), site);
                Ok(summary)
            }
            current => Err(reject(
                code::ILLEGAL_TRANSITION,
                format!(
                    "work order {} is {current} on the server; only completed work can go to signed_off",
                    wo.number
                ),
            )),
        }
    }

    fn record_pm_attempt(&mut self, a: &RecordPmAttempt) -> Result<String, Fail> {
        self.check_can_work()?;
        let att = &a.attempt;
        self.check_actor("attempt.technician_id", att.technician_id)?;
        text("attempt.note", &att.note, MAX_TEXT_CHARS)?;
        PmAttempt::try_from(att.clone()).map_err(protocol_error)?;
        let (wo, site) = self.load_work_order(att.work_order_id)?;
        self.insert_once(Record::PmAttempt(att.clone()), site)?;
        Ok(format!("{}: PM attempt ({})", wo.number, att.outcome))
    }

    /// Compare-and-set of an asset's status; a true conflict keeps the
    /// most restrictive of the server's value and the new one.
    fn asset_status(&mut self, asset_id: Uuid, change: &FieldChange<String>) -> Result<(), Fail> {
        let (mut asset, site) = self.load_asset(asset_id)?;
        let before = asset.clone();
        self.asset_status_on(&mut asset, site, change)?;
        if asset != before {
            self.put(&Record::Asset(asset), site);
        }
        Ok(())
    }

    fn asset_status_on(
        &mut self,
        asset: &mut AssetV1,
        site: Option<Uuid>,
        change: &FieldChange<String>,
    ) -> Result<(), Fail> {
        let parse = |field: &str, s: &str| {
            AssetStatus::parse(s).ok_or_else(|| {
                reject(
                    code::INVALID,
                    format!("asset status {field}: unknown code '{s}'"),
                )
            })
        };
        let from = parse("from", &change.from)?;
        let to = parse("to", &change.to)?;
        let current = AssetStatus::parse(&asset.status).ok_or_else(|| corrupt("asset status"))?;
        if current == from {
            asset.status = to.as_str().to_string();
        } else if current != to {
            let kept = if restriction(to) > restriction(current) {
                to
            } else {
                current
            };
            let set_aside = if kept == current { to } else { current };
            asset.status = kept.as_str().to_string();
            self.conflict(
                Kind::Asset,
                &asset.id.to_string(),
                &asset.tag,
                "status",
                json!(from.as_str()),
                json!(kept.as_str()),
                json!(set_aside.as_str()),
                rule::MOST_RESTRICTIVE_STATUS_WINS,
                site,
            )?;
        }
        Ok(())
    }

    fn pm_schedule(
        &mut self,
        asset_id: Uuid,
        change: &FieldChange<PmScheduleV1>,
    ) -> Result<(), Fail> {
        let (from, to) = (&change.from, &change.to);
        if from.asset_id != asset_id || to.asset_id != asset_id || from.plan_id != to.plan_id {
            return Err(reject(
                code::INVALID,
                "the PM schedule must be this asset's, under one plan",
            ));
        }
        let (asset, site) = self.load_asset(asset_id)?;
        let key = pm_schedule_key(asset_id, to.plan_id);
        match self.get::<PmScheduleV1>(Kind::PmSchedule, &key)? {
            None => self.put(&Record::PmSchedule(to.clone()), site),
            Some((current, _)) if current == *from => {
                self.put(&Record::PmSchedule(to.clone()), site)
            }
            Some((current, _)) if current == *to => {}
            Some((current, _)) => {
                let (kept, set_aside) = if to.next_due > current.next_due {
                    (to.clone(), current)
                } else {
                    (current, to.clone())
                };
                self.conflict(
                    Kind::PmSchedule,
                    &key,
                    &asset.tag,
                    "schedule",
                    json!(from),
                    json!(kept),
                    json!(set_aside),
                    rule::LATER_DUE_DATE_WINS,
                    site,
                )?;
                self.put(&Record::PmSchedule(kept), site);
            }
        }
        Ok(())
    }

    fn update_asset(&mut self, u: &UpdateAsset) -> Result<String, Fail> {
        let role = self.actor.role;
        if !(role.can_perform_work() || role.can_edit_inventory()) {
            return Err(reject(
                code::FORBIDDEN,
                format!("a {role} cannot change assets"),
            ));
        }
        let (mut asset, site) = self.load_asset(u.asset_id)?;
        let before = asset.clone();
        let key = asset.id.to_string();
        let tag = asset.tag.clone();
        let mut fields = Vec::new();
        if let Some(s) = &u.status {
            if AssetStatus::parse(&s.to) == Some(AssetStatus::Retired) && !role.can_edit_inventory()
            {
                return Err(reject(
                    code::FORBIDDEN,
                    format!("a {role} cannot retire a device"),
                ));
            }
            self.asset_status_on(&mut asset, site, s)?;
            fields.push("status");
        }
        if let Some(l) = &u.location_id {
            if let Some(to) = l.to {
                self.check_location(to, site)?;
            }
            if asset.location_id == l.from {
                asset.location_id = l.to;
            } else if asset.location_id != l.to {
                // Where a device is: the later arrival at the server wins.
                self.conflict(
                    Kind::Asset,
                    &key,
                    &tag,
                    "location_id",
                    json!(l.from),
                    json!(l.to),
                    json!(asset.location_id),
                    rule::LATEST_ARRIVAL_WINS,
                    site,
                )?;
                asset.location_id = l.to;
            }
            fields.push("location");
        }
        if let Some(d) = &u.department_id {
            if !role.can_edit_inventory() {
                return Err(reject(
                    code::FORBIDDEN,
                    format!("a {role} cannot move a device to another department"),
                ));
            }
            let (dept, _) = self
                .get::<DepartmentV1>(Kind::Department, &d.to.to_string())?
                .ok_or_else(|| {
                    reject(
                        code::NOT_FOUND,
                        format!("department {} does not exist", d.to),
                    )
                })?;
            if Some(dept.site_id) != site {
                return Err(reject(
                    code::CROSS_SITE_MOVE,
                    format!(
                        "{tag} cannot move to {}: it is at another site; transfer it between sites instead",
                        dept.name
                    ),
                ));
            }
            let mut current = asset.department_id;
            self.first_write(
                &key,
                &tag,
                "department_id",
                &mut current,
                &d.from,
                &d.to,
                site,
            )?;
            asset.department_id = current;
            fields.push("department");
        }
        if let Some(s) = &u.serial {
            if let Some(v) = &s.to {
                text("serial", v, MAX_SHORT_CHARS)?;
            }
            let mut current = asset.serial.clone();
            self.first_write(&key, &tag, "serial", &mut current, &s.from, &s.to, site)?;
            asset.serial = current;
            fields.push("serial");
        }
        if let Some(n) = &u.notes {
            text("notes", &n.to, MAX_TEXT_CHARS)?;
            let mut current = asset.notes.clone();
            self.first_write(&key, &tag, "notes", &mut current, &n.from, &n.to, site)?;
            asset.notes = current;
            fields.push("notes");
        }
        if let Some(r) = &u.risk {
            let new = EmScore::try_from(r.to).map_err(protocol_error)?;
            if asset.risk == r.from {
                asset.risk = r.to;
            } else if asset.risk != r.to {
                let current = EmScore::try_from(asset.risk).map_err(|_| corrupt("asset risk"))?;
                let (kept, set_aside) = if new.em_number() > current.em_number() {
                    (r.to, asset.risk)
                } else {
                    (asset.risk, r.to)
                };
                self.conflict(
                    Kind::Asset,
                    &key,
                    &tag,
                    "risk",
                    json!(r.from),
                    json!(kept),
                    json!(set_aside),
                    rule::HIGHER_RISK_WINS,
                    site,
                )?;
                asset.risk = kept;
            }
            fields.push("risk");
        }
        if asset != before {
            self.put(&Record::Asset(asset), site);
        }
        Ok(if fields.is_empty() {
            format!("{tag}: nothing to change")
        } else {
            format!("{tag} updated: {}", fields.join(", "))
        })
    }

    /// An inventory import made on a device (`import_assets@1`): needs a
    /// role that may edit the inventory, and every record must belong to
    /// the user's sites. A reference record (department, room, model...)
    /// the server lacks is inserted; one it has stays as it is (the ids
    /// are derived from natural keys, so the same id is the same thing).
    /// An asset the server lacks is inserted; for one it has, each field
    /// the import changed is compare-and-set against the value the device
    /// started from, and where someone changed it meanwhile the server's
    /// value stays and the import's is set aside as a conflict
    /// (`first_write_wins`), as for any other edit of that asset.
    fn import_assets(&mut self, m: &ImportAssets) -> Result<String, Fail> {
        let role = self.actor.role;
        if !role.can_edit_inventory() {
            return Err(reject(
                code::FORBIDDEN,
                format!("a {role} cannot import inventory"),
            ));
        }
        text("file", &m.file, MAX_SHORT_CHARS)?;
        let refs = m.buildings.len()
            + m.departments.len()
            + m.locations.len()
            + m.manufacturers.len()
            + m.device_types.len()
            + m.models.len();
        if m.assets.len() > MAX_IMPORT_ASSETS
            || m.network_profiles.len() > MAX_IMPORT_ASSETS
            || refs > MAX_IMPORT_REFERENCES
        {
            return Err(reject(
                code::TOO_LONG,
                format!(
                    "an import part carries at most {MAX_IMPORT_ASSETS} assets and {MAX_IMPORT_REFERENCES} other records"
                ),
            ));
        }
        for b in &m.buildings {
            text("building name", &b.name, MAX_SHORT_CHARS)?;
            self.check_site(Some(b.site_id), &format!("building {}", b.name))?;
            self.require_row(Kind::Site, b.site_id, "site")?;
            self.insert_reference(Record::Building(b.clone()), Some(b.site_id))?;
        }
        for d in &m.departments {
            text("department name", &d.name, MAX_SHORT_CHARS)?;
            self.check_site(Some(d.site_id), &format!("department {}", d.name))?;
            self.require_row(Kind::Site, d.site_id, "site")?;
            self.insert_reference(Record::Department(d.clone()), Some(d.site_id))?;
        }
        for l in &m.locations {
            text("room", &l.room, MAX_SHORT_CHARS)?;
            text("floor", &l.floor, MAX_SHORT_CHARS)?;
            let (b, _) = self
                .get::<BuildingV1>(Kind::Building, &l.building_id.to_string())?
                .ok_or_else(|| {
                    reject(
                        code::NOT_FOUND,
                        format!("building {} does not exist", l.building_id),
                    )
                })?;
            self.check_site(Some(b.site_id), &format!("room {}", l.room))?;
            self.insert_reference(Record::Location(l.clone()), Some(b.site_id))?;
        }
        for x in &m.manufacturers {
            text("manufacturer", &x.name, MAX_SHORT_CHARS)?;
            self.insert_reference(Record::Manufacturer(x.clone()), None)?;
        }
        for t in &m.device_types {
            text("device type", &t.name, MAX_SHORT_CHARS)?;
            biomend_domain::catalog::DeviceType::try_from(t.clone()).map_err(protocol_error)?;
            self.insert_reference(Record::DeviceType(t.clone()), None)?;
        }
        for x in &m.models {
            text("model", &x.name, MAX_SHORT_CHARS)?;
            self.require_row(Kind::Manufacturer, x.manufacturer_id, "manufacturer")?;
            self.require_row(Kind::DeviceType, x.device_type_id, "device type")?;
            self.insert_reference(Record::Model(x.clone()), None)?;
        }
        let (mut created, mut updated, mut set_aside) = (0usize, 0usize, 0usize);
        let mut sites: HashMap<Uuid, Option<Uuid>> = HashMap::new();
        for ia in &m.assets {
            let a = &ia.after;
            text("tag", &a.tag, MAX_SHORT_CHARS)?;
            text("notes", &a.notes, MAX_TEXT_CHARS)?;
            if let Some(b) = &ia.before
                && b.id != a.id
            {
                return Err(reject(
                    code::MALFORMED,
                    format!("asset {}: before and after are different assets", a.tag),
                ));
            }
            biomend_domain::asset::Asset::try_from(a.clone()).map_err(protocol_error)?;
            self.require_row(Kind::Model, a.model_id, "model")?;
            let site = self.department_site(a.department_id)?;
            self.check_site(site, &format!("asset {}", a.tag))?;
            if let Some(l) = a.location_id {
                self.check_location(l, site)?;
            }
            let key = a.id.to_string();
            match self.get::<AssetV1>(Kind::Asset, &key)? {
                None => {
                    self.put(&Record::Asset(a.clone()), site);
                    created += 1;
                }
                Some((current, current_site)) => {
                    self.check_site(current_site, &format!("asset {}", current.tag))?;
                    let (merged, conflicts) = self.merge_fields(
                        Kind::Asset,
                        &key,
                        &a.tag,
                        &ia.before,
                        a,
                        &current,
                        site,
                    )?;
                    set_aside += conflicts;
                    if merged != current {
                        let site = self.department_site(merged.department_id)?;
                        self.put(&Record::Asset(merged), site);
                        updated += 1;
                    }
                }
            }
            self.site = self.site.or(site);
            sites.insert(a.id, site);
        }
        for n in &m.network_profiles {
            let key = n.after.asset_id.to_string();
            let site = match sites.get(&n.after.asset_id) {
                Some(s) => *s,
                None => self.load_asset(n.after.asset_id)?.1,
            };
            biomend_domain::network::NetworkProfile::try_from(n.after.clone())
                .map_err(protocol_error)?;
            match self.get::<NetworkProfileV1>(Kind::NetworkProfile, &key)? {
                None => self.put(&Record::NetworkProfile(n.after.clone()), site),
                Some((current, _)) => {
                    let (merged, conflicts) = self.merge_fields(
                        Kind::NetworkProfile,
                        &key,
                        &key,
                        &n.before,
                        &n.after,
                        &current,
                        site,
                    )?;
                    set_aside += conflicts;
                    if merged != current {
                        self.put(&Record::NetworkProfile(merged), site);
                    }
                }
            }
        }
        let mut summary = format!(
            "import of {} (part {} of {}): {created} assets created, {updated} updated",
            m.file, m.part, m.parts
        );
        if set_aside > 0 {
            summary.push_str(&format!(", {set_aside} values set aside"));
        }
        Ok(summary)
    }

    /// Inserts a reference record the server lacks; one it has stays.
    fn insert_reference(&mut self, record: Record, site: Option<Uuid>) -> Result<(), Fail> {
        if self.get_raw(record.kind(), &record.key())?.is_none() {
            self.put(&record, site);
        }
        Ok(())
    }

    fn require_row(&mut self, kind: Kind, id: Uuid, what: &str) -> Result<(), Fail> {
        match self.get_raw(kind, &id.to_string())? {
            Some(_) => Ok(()),
            None => Err(reject(
                code::NOT_FOUND,
                format!("{what} {id} does not exist"),
            )),
        }
    }

    fn department_site(&mut self, id: Uuid) -> Result<Option<Uuid>, Fail> {
        let (d, _) = self
            .get::<DepartmentV1>(Kind::Department, &id.to_string())?
            .ok_or_else(|| reject(code::NOT_FOUND, format!("department {id} does not exist")))?;
        Ok(Some(d.site_id))
    }

    /// Compare-and-sets each top-level field of a record that `to`
    /// changed from `base` (every field, when the device had no copy):
    /// applied where the server still holds the base value, kept as the
    /// server has it (and recorded as a conflict) where someone changed it
    /// meanwhile. Returns the merged record and how many values were set
    /// aside.
    #[allow(clippy::too_many_arguments)]
    fn merge_fields<T: serde::Serialize + DeserializeOwned>(
        &mut self,
        kind: Kind,
        key: &str,
        label: &str,
        base: &Option<T>,
        to: &T,
        current: &T,
        site: Option<Uuid>,
    ) -> Result<(T, usize), Fail> {
        let as_map = |v: &T| match serde_json::to_value(v) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(corrupt("imported record")),
        };
        let to_map = as_map(to)?;
        let base_map = base.as_ref().map(as_map).transpose()?;
        let mut merged = as_map(current)?;
        let mut set_aside = 0;
        for (field, to_v) in &to_map {
            let base_v = base_map.as_ref().and_then(|b| b.get(field));
            if base_v == Some(to_v) {
                continue;
            }
            let cur_v = merged
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if &cur_v == to_v {
                continue;
            }
            if base_v == Some(&cur_v) {
                merged.insert(field.clone(), to_v.clone());
            } else {
                self.conflict(
                    kind,
                    key,
                    label,
                    field,
                    base_v.cloned().unwrap_or(serde_json::Value::Null),
                    cur_v,
                    to_v.clone(),
                    rule::FIRST_WRITE_WINS,
                    site,
                )?;
                set_aside += 1;
            }
        }
        let merged = serde_json::from_value(serde_json::Value::Object(merged))
            .map_err(|_| corrupt("merged record"))?;
        Ok((merged, set_aside))
    }

    /// A manager's or administrator's change to a settings group. Each key
    /// is compare-and-set on its own; when someone changed a key since the
    /// user saw it, the later arrival wins (settings are policy one
    /// person sets at a time; the supervisor sees the value set aside).
    /// The whole resulting group must be valid, or nothing is written.
    fn set_hospital_settings(&mut self, h: &SetHospitalSettings) -> Result<String, Fail> {
        let role = self.actor.role;
        if !role.can_change_settings() {
            return Err(reject(
                code::FORBIDDEN,
                format!("a {role} cannot change the hospital's settings"),
            ));
        }
        if h.name != settings::ANALYTICS {
            return Err(reject(
                code::INVALID,
                format!(
                    "unknown settings group '{}'; this server knows {}",
                    h.name,
                    settings::ANALYTICS
                ),
            ));
        }
        if h.changes.is_empty() {
            return Ok(format!("{} settings: nothing to change", h.name));
        }
        // The shape of what was sent, before it is compared or stored.
        let sent = |side: fn(&FieldChange<Option<String>>) -> &Option<String>| {
            h.changes
                .iter()
                .map(|(k, c)| (k.clone(), side(c).clone().unwrap_or_default()))
                .collect()
        };
        for values in [sent(|c| &c.from), sent(|c| &c.to)] {
            settings::check_bounds(&values).map_err(|m| reject(code::TOO_LONG, m))?;
        }
        let key = h.name.clone();
        let label = format!("{} settings", h.name);
        let mut values = self
            .get::<HospitalSettingsV1>(Kind::HospitalSettings, &key)?
            .map(|(stored, _)| stored.values)
            .unwrap_or_default();
        for (k, change) in &h.changes {
            let current = values.get(k).cloned();
            if current != change.from && current != change.to {
                self.conflict(
                    Kind::HospitalSettings,
                    &key,
                    &label,
                    k,
                    json!(change.from),
                    json!(change.to),
                    json!(current),
                    rule::LATEST_ARRIVAL_WINS,
                    None,
                )?;
            }
            match &change.to {
                Some(v) => values.insert(k.clone(), v.clone()),
                None => values.remove(k),
            };
        }
        settings::check_bounds(&values).map_err(|m| reject(code::TOO_LONG, m))?;
        biomend_analytics::Settings::from_values(&values)
            .map_err(|e| reject(code::INVALID, e.to_string()))?;
        self.put(
            &Record::HospitalSettings(HospitalSettingsV1 {
                name: h.name.clone(),
                values,
                updated_by: self.actor.user_id,
                updated_at: h.updated_at,
            }),
            None,
        );
        let keys: Vec<&str> = h.changes.keys().map(String::as_str).collect();
        Ok(format!("{label} changed: {}", keys.join(", ")))
    }

    /// Compare-and-set where the server's value stays on a true conflict.
    #[allow(clippy::too_many_arguments)]
    fn first_write<T: PartialEq + Clone + serde::Serialize>(
        &mut self,
        key: &str,
        label: &str,
        field: &str,
        current: &mut T,
        from: &T,
        to: &T,
        site: Option<Uuid>,
    ) -> Result<(), Fail> {
        if current == from {
            *current = to.clone();
        } else if current != to {
            self.conflict(
                Kind::Asset,
                key,
                label,
                field,
                json!(from),
                json!(current),
                json!(to),
                rule::FIRST_WRITE_WINS,
                site,
            )?;
        }
        Ok(())
    }

    fn check_location(&mut self, id: Uuid, site: Option<Uuid>) -> Result<(), Fail> {
        let (loc, loc_site) = self
            .get::<LocationV1>(Kind::Location, &id.to_string())?
            .ok_or_else(|| reject(code::NOT_FOUND, format!("location {id} does not exist")))?;
        if loc_site != site {
            return Err(reject(
                code::CROSS_SITE_MOVE,
                format!(
                    "room {} is at another site; transfer the device between sites instead",
                    loc.room
                ),
            ));
        }
        Ok(())
    }
}

fn supported_list() -> String {
    SUPPORTED
        .iter()
        .map(|(n, v)| format!("{n}@{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(field: &str, value: &str, max: usize) -> Result<(), Fail> {
    // Counting chars only past the byte bound keeps the common case cheap.
    if value.len() > max && value.chars().count() > max {
        return Err(reject(
            code::TOO_LONG,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn corrupt(what: &'static str) -> Fail {
    Fail::Store(StoreError::Corrupt {
        what,
        detail: "unknown code in a stored row".into(),
    })
}

fn statuses(change: &FieldChange<String>) -> Result<(WorkOrderStatus, WorkOrderStatus), Fail> {
    let parse = |field: &str, s: &str| {
        WorkOrderStatus::parse(s)
            .ok_or_else(|| reject(code::INVALID, format!("status {field}: unknown code '{s}'")))
    };
    Ok((parse("from", &change.from)?, parse("to", &change.to)?))
}

fn stored_status(wo: &WorkOrderV1) -> Result<WorkOrderStatus, Fail> {
    WorkOrderStatus::parse(&wo.status).ok_or_else(|| corrupt("work order status"))
}

fn completion_json(
    findings: &str,
    closure: Option<&str>,
    completed_at: Option<DateTime<Utc>>,
) -> serde_json::Value {
    json!({ "findings": findings, "closure": closure, "completed_at": completed_at })
}

/// How restrictive an asset status is; the higher stays on a conflict.
pub fn restriction(s: AssetStatus) -> u8 {
    match s {
        AssetStatus::InService => 0,
        AssetStatus::InRepair => 1,
        AssetStatus::OutOfService => 2,
        AssetStatus::Missing => 3,
        AssetStatus::Retired => 4,
    }
}

/// Every row a device changed locally when it recorded `m`.
fn rows_named(m: &Mutation) -> Vec<(Kind, String)> {
    let id = |kind: Kind, id: Uuid| (kind, id.to_string());
    let work = |w: &RecordWork, out: &mut Vec<(Kind, String)>| {
        out.extend(w.labor.iter().map(|l| id(Kind::Labor, l.id)));
        out.extend(w.parts.iter().map(|p| id(Kind::PartUse, p.id)));
        out.extend(w.readings.iter().map(|r| id(Kind::Reading, r.id)));
        out.extend(w.notes.iter().map(|n| id(Kind::WorkNote, n.id)));
    };
    let mut out = Vec::new();
    match m {
        Mutation::CreateWorkOrder(c) => {
            out.push(id(Kind::WorkOrder, c.work_order.id));
            out.extend(c.downtime.iter().map(|d| id(Kind::Downtime, d.id)));
            out.extend(c.asset_status.iter().map(|a| id(Kind::Asset, a.asset_id)));
        }
        Mutation::SetWorkOrderStatus(s) => out.push(id(Kind::WorkOrder, s.work_order_id)),
        Mutation::RecordWork(w) => {
            out.push(id(Kind::WorkOrder, w.work_order_id));
            work(w, &mut out);
        }
        Mutation::CompleteWorkOrder(c) => {
            out.push(id(Kind::WorkOrder, c.work_order_id));
            work(&c.work, &mut out);
            out.push(id(Kind::Signature, c.signature.id));
            out.extend(
                c.downtime_ended
                    .iter()
                    .map(|d| id(Kind::Downtime, d.downtime_id)),
            );
            out.extend(c.asset_status.iter().map(|a| id(Kind::Asset, a.asset_id)));
            out.extend(c.pm_schedule.iter().map(|s| {
                (
                    Kind::PmSchedule,
                    pm_schedule_key(s.to.asset_id, s.to.plan_id),
                )
            }));
        }
        Mutation::SignOffWorkOrder(s) => out.push(id(Kind::WorkOrder, s.work_order_id)),
        Mutation::RecordPmAttempt(a) => {
            out.push(id(Kind::WorkOrder, a.attempt.work_order_id));
            out.push(id(Kind::PmAttempt, a.attempt.id));
        }
        Mutation::UpdateAsset(u) => out.push(id(Kind::Asset, u.asset_id)),
        Mutation::SetHospitalSettings(h) => out.push((Kind::HospitalSettings, h.name.clone())),
        Mutation::ImportAssets(i) => {
            out.extend(i.buildings.iter().map(|r| id(Kind::Building, r.id)));
            out.extend(i.departments.iter().map(|r| id(Kind::Department, r.id)));
            out.extend(i.locations.iter().map(|r| id(Kind::Location, r.id)));
            out.extend(i.manufacturers.iter().map(|r| id(Kind::Manufacturer, r.id)));
            out.extend(i.device_types.iter().map(|r| id(Kind::DeviceType, r.id)));
            out.extend(i.models.iter().map(|r| id(Kind::Model, r.id)));
            out.extend(i.assets.iter().map(|a| id(Kind::Asset, a.after.id)));
            out.extend(
                i.network_profiles
                    .iter()
                    .map(|n| id(Kind::NetworkProfile, n.after.asset_id)),
            );
        }
    }
    out
}

/// Sends the server's truth back to the device for every row it changed
/// locally that this mutation did not write: the device applied its edit
/// optimistically, and when a rule kept the server's value (a conflict)
/// or refused the mutation, the row did not change here, so without a new
/// version the device's cursor would already be past it and the device
/// would keep its own value for good. Re-putting the row as it is gives
/// it a new version, and every device pulls it again.
fn echo_unwritten(
    txn: &mut dyn Txn,
    m: &Mutation,
    written: &[(Kind, String)],
) -> Result<(), StoreError> {
    for (kind, key) in rows_named(m) {
        if written.iter().any(|(k, w)| *k == kind && *w == key) {
            continue;
        }
        if let Some(row) = txn.get_row(kind, &key)? {
            txn.put_row(kind, &key, row.site_id, &row.body)?;
        }
    }
    Ok(())
}
