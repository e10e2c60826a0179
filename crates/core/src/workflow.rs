//! Working a work order: start, hold for parts or a vendor, resume, record
//! labor, parts, readings and notes, and complete with a closure code and
//! signature. Attached records are insert-only; nothing a technician
//! recorded is ever edited away.

use crate::corrective::check_text;
use crate::{App, CoreError, Result, SETTING_SAFETY_EDITION, new_id, require, require_site};
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus};
use biomend_domain::checklist::{Answer, ChecklistItem, Reading, SafetyEdition, judge};
use biomend_domain::ids::SiteId;
use biomend_domain::pm::PmSchedule;
use biomend_domain::user::User;
use biomend_domain::work_order::*;
use biomend_protocol::{
    AssetStatusChange, CompleteWorkOrder, DowntimeEnd, FieldChange, Mutation, RecordWork,
    SetWorkOrderStatus,
};
use biomend_store::Tx;
use serde::{Deserialize, Serialize};

/// Loads a work order by number with the site it belongs to.
pub(crate) fn load(app: &App, number: &str) -> Result<(WorkOrder, SiteId)> {
    let r = app.store().reader();
    let wo = r
        .work_order_by_number(number)?
        .ok_or_else(|| CoreError::NotFound {
            what: "work order",
            key: number.trim().to_string(),
        })?;
    let site = r
        .asset_detail(wo.asset_id)?
        .map(|d| d.site.id)
        .ok_or_else(|| CoreError::NotFound {
            what: "asset",
            key: wo.asset_id.to_string(),
        })?;
    Ok((wo, site))
}

fn worker(app: &App, username: &str, number: &str) -> Result<(User, WorkOrder)> {
    let user = app.user(username)?;
    require(&user, user.role.can_perform_work(), "record work")?;
    let (wo, site) = load(app, number)?;
    require_site(&user, site)?;
    Ok((user, wo))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    Parts,
    Vendor,
}

fn set_status(
    app: &mut App,
    username: &str,
    number: &str,
    to: WorkOrderStatus,
) -> Result<WorkOrder> {
    let (user, before) = worker(app, username, number)?;
    let status = before.status.transition(to)?;
    let now = app.now();
    app.write(&user, |tx, ids, ms| {
        let mut after = WorkOrder {
            status,
            ..before.clone()
        };
        if status == WorkOrderStatus::InProgress && after.started_at.is_none() {
            after.started_at = Some(now);
            // Whoever starts unassigned work owns it.
            after.assigned_to = after.assigned_to.or(Some(user.id));
        }
        tx.update_work_order(&before, &after)?;
        let m = Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
            work_order_id: after.id.0,
            status: FieldChange::codes(before.status.as_str(), after.status.as_str()),
            started_at: after.started_at.filter(|_| before.started_at.is_none()),
            assigned_to: crate::outbox::assignment_change(before.assigned_to, after.assigned_to),
        });
        crate::outbox::enqueue(tx, ids, ms, &m)?;
        Ok(after)
    })
}

pub fn start(app: &mut App, username: &str, number: &str) -> Result<WorkOrder> {
    set_status(app, username, number, WorkOrderStatus::InProgress)
}

pub fn hold(app: &mut App, username: &str, number: &str, reason: HoldReason) -> Result<WorkOrder> {
    let to = match reason {
        HoldReason::Parts => WorkOrderStatus::OnHoldParts,
        HoldReason::Vendor => WorkOrderStatus::OnHoldVendor,
    };
    set_status(app, username, number, to)
}

pub fn resume(app: &mut App, username: &str, number: &str) -> Result<WorkOrder> {
    set_status(app, username, number, WorkOrderStatus::InProgress)
}

pub fn cancel(app: &mut App, username: &str, number: &str) -> Result<WorkOrder> {
    set_status(app, username, number, WorkOrderStatus::Cancelled)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LaborInput {
    pub minutes: u32,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartInput {
    pub part_number: String,
    pub description: String,
    pub quantity: u32,
    /// `None` takes the stocked part's unit cost.
    pub unit_cost: Option<Money>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReadingInput {
    pub item_key: String,
    pub answer: Answer,
}

/// Everything a technician records while working, added in one action.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorkRecord {
    pub labor: Vec<LaborInput>,
    pub parts: Vec<PartInput>,
    pub readings: Vec<ReadingInput>,
    pub note: Option<String>,
}

/// What the technician records to finish the job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Completion {
    pub findings: String,
    pub closure: ClosureCode,
    pub record: WorkRecord,
    /// The signature pad's strokes (SVG path data); required.
    pub signature: Option<String>,
}

/// Largest signature accepted, in bytes of path data.
pub const MAX_SIGNATURE: usize = 64 * 1024;
/// Most entries of one kind in one action.
pub const MAX_ENTRIES: usize = 200;

pub(crate) fn checklist_items(app: &App, wo: &WorkOrder) -> Result<Vec<ChecklistItem>> {
    let r = app.store().reader();
    let mut plan_ids: Vec<_> = wo.pm_plan_id.into_iter().collect();
    // Post-repair checks (e.g. electrical safety after a power-supply swap)
    // use the asset's PM checklists.
    plan_ids.extend(r.pm_schedules(wo.asset_id)?.into_iter().map(|v| v.plan.id));
    let mut items = Vec::new();
    for pid in plan_ids {
        if let Some(plan) = r.pm_plan(pid)?
            && let Some(cid) = plan.checklist_id
            && let Some(c) = r.checklist(cid)?
        {
            for it in c.items {
                if !items.iter().any(|i: &ChecklistItem| i.key == it.key) {
                    items.push(it);
                }
            }
        }
    }
    Ok(items)
}

pub(crate) fn safety_edition(app: &App) -> Result<Option<SafetyEdition>> {
    let r = app.store().reader();
    let name: Option<String> = r.setting(SETTING_SAFETY_EDITION)?;
    let name = match name {
        Some(n) => Some(n),
        // Without a setting, the newest edition on file is in force.
        None => r.safety_editions()?.into_iter().max(),
    };
    Ok(match name {
        Some(n) => r.safety_edition(&n)?,
        None => None,
    })
}

/// Validates and prices the inputs before any write, so a bad entry fails
/// the whole action instead of half of it.
struct Prepared {
    labor: Vec<LaborInput>,
    parts: Vec<(PartInput, Option<biomend_domain::ids::PartId>, Money)>,
    readings: Vec<(ChecklistItem, Answer)>,
    edition: Option<SafetyEdition>,
    note: Option<String>,
}

fn prepare(app: &App, wo: &WorkOrder, rec: &WorkRecord) -> Result<Prepared> {
    if rec.labor.len() > MAX_ENTRIES
        || rec.parts.len() > MAX_ENTRIES
        || rec.readings.len() > MAX_ENTRIES
    {
        return Err(CoreError::invalid(
            "work record",
            format!("more than {MAX_ENTRIES} entries of one kind"),
        ));
    }
    for l in &rec.labor {
        check_text("labor note", &l.note, false)?;
        if l.minutes == 0 || l.minutes > MAX_LABOR_MINUTES {
            return Err(CoreError::invalid(
                "labor minutes",
                format!("must be 1 to {MAX_LABOR_MINUTES}, got {}", l.minutes),
            ));
        }
    }
    let mut parts = Vec::new();
    for p in &rec.parts {
        check_text("part number", &p.part_number, false)?;
        check_text("part description", &p.description, false)?;
        let stocked = app.store().reader().part_by_number(p.part_number.trim())?;
        let cost = match (p.unit_cost, &stocked) {
            (Some(c), _) => c,
            (None, Some(s)) => s.unit_cost,
            (None, None) => {
                return Err(CoreError::invalid(
                    "part",
                    format!("'{}' is not stocked; give its unit cost", p.part_number),
                ));
            }
        };
        parts.push((p.clone(), stocked.map(|s| s.id), cost));
    }
    let items = if rec.readings.is_empty() {
        Vec::new()
    } else {
        checklist_items(app, wo)?
    };
    let mut readings = Vec::new();
    for r in &rec.readings {
        // A slipped keystroke must not become a stored NaN that a limit
        // check, a report or the wire format would each read differently.
        if let Answer::Value(v) = r.answer
            && !v.is_finite()
        {
            return Err(CoreError::invalid(
                "reading",
                format!("'{}': {v} is not a measured value", r.item_key),
            ));
        }
        let item = items.iter().find(|i| i.key == r.item_key).ok_or_else(|| {
            CoreError::invalid(
                "reading",
                format!(
                    "'{}' is not an item of this work order's checklist",
                    r.item_key
                ),
            )
        })?;
        readings.push((item.clone(), r.answer));
    }
    let edition = if readings.is_empty() {
        None
    } else {
        safety_edition(app)?
    };
    if let Some(n) = &rec.note {
        check_text("note", n, true)?;
    }
    Ok(Prepared {
        labor: rec.labor.clone(),
        parts,
        readings,
        edition,
        note: rec.note.clone(),
    })
}

/// Writes prepared records; returns them as the wire records the
/// action's mutation carries, and the readings written (with verdicts).
fn write_record(
    tx: &mut Tx<'_>,
    ids: &mut crate::env::IdGen,
    ms: u64,
    user: &User,
    wo: &WorkOrder,
    p: &Prepared,
) -> Result<(RecordWork, Vec<Reading>)> {
    let mut written = RecordWork {
        work_order_id: wo.id.0,
        ..RecordWork::default()
    };
    let now = tx.at();
    let today = now.date_naive();
    for l in &p.labor {
        let labor = Labor {
            id: new_id(ids, ms),
            work_order_id: wo.id,
            technician_id: user.id,
            minutes: l.minutes,
            performed_on: today,
            note: l.note.clone(),
        };
        labor.validate()?;
        tx.insert_labor(&labor)?;
        written.labor.push((&labor).into());
    }
    for (input, part_id, cost) in &p.parts {
        let pu = PartUse {
            id: new_id(ids, ms),
            work_order_id: wo.id,
            part_id: *part_id,
            part_number: input.part_number.trim().to_string(),
            description: input.description.trim().to_string(),
            quantity: input.quantity,
            unit_cost: *cost,
            recorded_by: user.id,
            recorded_at: now,
        };
        pu.validate()?;
        tx.insert_part_use(&pu)?;
        written.parts.push((&pu).into());
    }
    let mut out = Vec::new();
    for (item, answer) in &p.readings {
        let (value, unit, limit, verdict) = judge(item, *answer, p.edition.as_ref())
            .map_err(|e| CoreError::invalid("reading", e.to_string()))?;
        let reading = Reading {
            id: new_id(ids, ms),
            work_order_id: wo.id,
            item_key: item.key.clone(),
            prompt: item.prompt.clone(),
            value,
            unit,
            limit,
            verdict,
            taken_by: user.id,
            taken_at: now,
        };
        tx.insert_reading(&reading)?;
        written.readings.push((&reading).into());
        out.push(reading);
    }
    if let Some(text) = &p.note {
        let note = WorkNote {
            id: new_id(ids, ms),
            work_order_id: wo.id,
            author_id: user.id,
            written_at: now,
            text: text.trim().to_string(),
        };
        tx.insert_note(&note)?;
        written.notes.push((&note).into());
    }
    Ok((written, out))
}

/// Records labor, parts, readings or a note on open work.
pub fn record(
    app: &mut App,
    username: &str,
    number: &str,
    rec: &WorkRecord,
) -> Result<Vec<Reading>> {
    let (user, wo) = worker(app, username, number)?;
    if !wo.status.is_open() {
        return Err(CoreError::invalid(
            "work order",
            format!(
                "{} is {}; add a note instead of new work",
                wo.number, wo.status
            ),
        ));
    }
    let prepared = prepare(app, &wo, rec)?;
    app.write(&user, |tx, ids, ms| {
        let (written, readings) = write_record(tx, ids, ms, &user, &wo, &prepared)?;
        // An empty record changes nothing, so there is nothing to sync.
        if !written.is_empty() {
            crate::outbox::enqueue(tx, ids, ms, &Mutation::RecordWork(written))?;
        }
        Ok(readings)
    })
}

/// Completes in-progress work: records what was done, checks the closure
/// code and signature, ends downtime, returns the device to service, and
/// for a PM moves the schedule on.
pub fn complete(app: &mut App, username: &str, number: &str, c: &Completion) -> Result<WorkOrder> {
    let (user, before) = worker(app, username, number)?;
    check_text("findings", &c.findings, false)?;
    if let Some(s) = &c.signature
        && s.len() > MAX_SIGNATURE
    {
        return Err(CoreError::invalid(
            "signature",
            format!("larger than {MAX_SIGNATURE} bytes"),
        ));
    }
    check_completion(&CompletionFacts {
        kind: before.kind,
        status: before.status,
        closure: Some(c.closure),
        has_signature: c.signature.as_ref().is_some_and(|s| !s.trim().is_empty()),
    })?;
    let prepared = prepare(app, &before, &c.record)?;
    let r = app.store().reader();
    let asset = r
        .asset(before.asset_id)?
        .ok_or_else(|| CoreError::NotFound {
            what: "asset",
            key: before.asset_id.to_string(),
        })?;
    let open_downtime = r.open_downtime(before.asset_id)?;
    let schedule = match before.pm_plan_id {
        Some(pid) => r
            .pm_schedules(before.asset_id)?
            .into_iter()
            .find(|v| v.plan.id == pid),
        None => None,
    };
    let now = app.now();
    let today = app.clock().today();
    app.write(&user, |tx, ids, ms| {
        let (work, _) = write_record(tx, ids, ms, &user, &before, &prepared)?;
        let sig = Signature {
            id: new_id(ids, ms),
            work_order_id: before.id,
            signer_id: user.id,
            signer_name: user.display_name.clone(),
            signed_at: now,
            strokes: c.signature.clone().unwrap_or_default(),
        };
        tx.insert_signature(&sig)?;
        let after = WorkOrder {
            status: WorkOrderStatus::Completed,
            findings: c.findings.trim().to_string(),
            closure: Some(c.closure),
            completed_at: Some(now),
            assigned_to: before.assigned_to.or(Some(user.id)),
            ..before.clone()
        };
        tx.update_work_order(&before, &after)?;
        let mut done = CompleteWorkOrder {
            work_order_id: after.id.0,
            status: FieldChange::codes(before.status.as_str(), after.status.as_str()),
            findings: after.findings.clone(),
            closure: c.closure.code(),
            completed_at: now,
            assigned_to: crate::outbox::assignment_change(before.assigned_to, after.assigned_to),
            work,
            signature: (&sig).into(),
            downtime_ended: None,
            asset_status: None,
            pm_schedule: None,
        };
        if let Some(d) = &open_downtime {
            // Another tablet, whose clock may run ahead of this one, may
            // have opened it: never end it before it began.
            let ended_at = now.max(d.started_at);
            tx.update_downtime(
                d,
                &Downtime {
                    ended_at: Some(ended_at),
                    ..d.clone()
                },
            )?;
            done.downtime_ended = Some(DowntimeEnd {
                downtime_id: d.id.0,
                ended_at,
            });
        }
        if matches!(
            asset.status,
            AssetStatus::OutOfService | AssetStatus::InRepair
        ) {
            let back = Asset {
                status: AssetStatus::InService,
                ..asset.clone()
            };
            tx.update_asset(&asset, &back)?;
            done.asset_status = Some(AssetStatusChange {
                asset_id: asset.id.0,
                status: FieldChange::codes(asset.status.as_str(), back.status.as_str()),
            });
        }
        if let Some(view) = &schedule {
            let due = before.due_on.unwrap_or(view.schedule.next_due);
            let next = PmSchedule {
                next_due: view.plan.next_due(due, today),
                last_done: Some(today),
                ..view.schedule.clone()
            };
            tx.upsert_pm_schedule(Some(&view.schedule), &next)?;
            done.pm_schedule = Some(FieldChange::new((&view.schedule).into(), (&next).into()));
        }
        crate::outbox::enqueue(tx, ids, ms, &Mutation::CompleteWorkOrder(done))?;
        Ok(after)
    })
}
