//! Version 1 of the records that travel inside mutations, converted to and
//! from domain types by hand. Field names and codes here are the wire
//! format: change them only by adding a `V2`.

use crate::ProtocolError;
use biomend_domain::Money;
use biomend_domain::checklist::{Limit, Reading, Verdict};
use biomend_domain::ids::*;
use biomend_domain::pm::PmSchedule;
use biomend_domain::work_order::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Parses a stable code, naming the field when it is unknown.
pub(crate) fn code<T>(
    field: &'static str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, ProtocolError> {
    parse(value).ok_or_else(|| ProtocolError::BadCode {
        field,
        value: value.to_string(),
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderV1 {
    pub id: Uuid,
    pub number: String,
    pub asset_id: Uuid,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub problem: String,
    pub reported_by: String,
    pub opened_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub assigned_to: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
    pub pm_plan_id: Option<Uuid>,
    pub recall_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub findings: String,
    pub closure: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub signed_off_by: Option<Uuid>,
    pub signed_off_at: Option<DateTime<Utc>>,
}

impl From<&WorkOrder> for WorkOrderV1 {
    fn from(w: &WorkOrder) -> Self {
        WorkOrderV1 {
            id: w.id.0,
            number: w.number.clone(),
            asset_id: w.asset_id.0,
            kind: w.kind.as_str().to_string(),
            status: w.status.as_str().to_string(),
            priority: w.priority.as_str().to_string(),
            problem: w.problem.clone(),
            reported_by: w.reported_by.clone(),
            opened_at: w.opened_at,
            created_by: w.created_by.0,
            assigned_to: w.assigned_to.map(|u| u.0),
            due_on: w.due_on,
            pm_plan_id: w.pm_plan_id.map(|p| p.0),
            recall_id: w.recall_id.map(|r| r.0),
            started_at: w.started_at,
            findings: w.findings.clone(),
            closure: w.closure.map(|c| c.code()),
            completed_at: w.completed_at,
            signed_off_by: w.signed_off_by.map(|u| u.0),
            signed_off_at: w.signed_off_at,
        }
    }
}

impl TryFrom<WorkOrderV1> for WorkOrder {
    type Error = ProtocolError;
    fn try_from(w: WorkOrderV1) -> Result<Self, ProtocolError> {
        Ok(WorkOrder {
            id: WorkOrderId(w.id),
            number: w.number,
            asset_id: AssetId(w.asset_id),
            kind: code("work_order.kind", &w.kind, WorkOrderKind::parse)?,
            status: code("work_order.status", &w.status, WorkOrderStatus::parse)?,
            priority: code("work_order.priority", &w.priority, Priority::parse)?,
            problem: w.problem,
            reported_by: w.reported_by,
            opened_at: w.opened_at,
            created_by: UserId(w.created_by),
            assigned_to: w.assigned_to.map(UserId),
            due_on: w.due_on,
            pm_plan_id: w.pm_plan_id.map(PmPlanId),
            recall_id: w.recall_id.map(RecallId),
            started_at: w.started_at,
            findings: w.findings,
            closure: w
                .closure
                .map(|c| code("work_order.closure", &c, ClosureCode::parse))
                .transpose()?,
            completed_at: w.completed_at,
            signed_off_by: w.signed_off_by.map(UserId),
            signed_off_at: w.signed_off_at,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaborV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub technician_id: Uuid,
    pub minutes: u32,
    pub performed_on: NaiveDate,
    pub note: String,
}

impl From<&Labor> for LaborV1 {
    fn from(l: &Labor) -> Self {
        LaborV1 {
            id: l.id.0,
            work_order_id: l.work_order_id.0,
            technician_id: l.technician_id.0,
            minutes: l.minutes,
            performed_on: l.performed_on,
            note: l.note.clone(),
        }
    }
}

impl TryFrom<LaborV1> for Labor {
    type Error = ProtocolError;
    fn try_from(l: LaborV1) -> Result<Self, ProtocolError> {
        Ok(Labor {
            id: LaborId(l.id),
            work_order_id: WorkOrderId(l.work_order_id),
            technician_id: UserId(l.technician_id),
            minutes: l.minutes,
            performed_on: l.performed_on,
            note: l.note,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartUseV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub part_id: Option<Uuid>,
    pub part_number: String,
    pub description: String,
    pub quantity: u32,
    pub unit_cost_cents: i64,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl From<&PartUse> for PartUseV1 {
    fn from(p: &PartUse) -> Self {
        PartUseV1 {
            id: p.id.0,
            work_order_id: p.work_order_id.0,
            part_id: p.part_id.map(|x| x.0),
            part_number: p.part_number.clone(),
            description: p.description.clone(),
            quantity: p.quantity,
            unit_cost_cents: p.unit_cost.cents(),
            recorded_by: p.recorded_by.0,
            recorded_at: p.recorded_at,
        }
    }
}

impl TryFrom<PartUseV1> for PartUse {
    type Error = ProtocolError;
    fn try_from(p: PartUseV1) -> Result<Self, ProtocolError> {
        Ok(PartUse {
            id: PartUseId(p.id),
            work_order_id: WorkOrderId(p.work_order_id),
            part_id: p.part_id.map(PartId),
            part_number: p.part_number,
            description: p.description,
            quantity: p.quantity,
            unit_cost: Money::from_cents(p.unit_cost_cents),
            recorded_by: UserId(p.recorded_by),
            recorded_at: p.recorded_at,
        })
    }
}

/// An acceptable range as it was in force when a reading was taken;
/// either bound may be open.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitV1 {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub item_key: String,
    pub prompt: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    /// `None` for items without a limit (pass/fail checks, n/a answers).
    pub limit: Option<LimitV1>,
    pub verdict: String,
    pub taken_by: Uuid,
    pub taken_at: DateTime<Utc>,
}

impl From<&Reading> for ReadingV1 {
    fn from(r: &Reading) -> Self {
        ReadingV1 {
            id: r.id.0,
            work_order_id: r.work_order_id.0,
            item_key: r.item_key.clone(),
            prompt: r.prompt.clone(),
            value: r.value,
            unit: r.unit.clone(),
            limit: r.limit.map(|l| LimitV1 {
                min: l.min,
                max: l.max,
            }),
            verdict: r.verdict.as_str().to_string(),
            taken_by: r.taken_by.0,
            taken_at: r.taken_at,
        }
    }
}

impl TryFrom<ReadingV1> for Reading {
    type Error = ProtocolError;
    fn try_from(r: ReadingV1) -> Result<Self, ProtocolError> {
        Ok(Reading {
            id: ReadingId(r.id),
            work_order_id: WorkOrderId(r.work_order_id),
            item_key: r.item_key,
            prompt: r.prompt,
            value: r.value,
            unit: r.unit,
            limit: r.limit.map(|l| Limit {
                min: l.min,
                max: l.max,
            }),
            verdict: code("reading.verdict", &r.verdict, Verdict::parse)?,
            taken_by: UserId(r.taken_by),
            taken_at: r.taken_at,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkNoteV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub author_id: Uuid,
    pub written_at: DateTime<Utc>,
    pub text: String,
}

impl From<&WorkNote> for WorkNoteV1 {
    fn from(n: &WorkNote) -> Self {
        WorkNoteV1 {
            id: n.id.0,
            work_order_id: n.work_order_id.0,
            author_id: n.author_id.0,
            written_at: n.written_at,
            text: n.text.clone(),
        }
    }
}

impl TryFrom<WorkNoteV1> for WorkNote {
    type Error = ProtocolError;
    fn try_from(n: WorkNoteV1) -> Result<Self, ProtocolError> {
        Ok(WorkNote {
            id: NoteId(n.id),
            work_order_id: WorkOrderId(n.work_order_id),
            author_id: UserId(n.author_id),
            written_at: n.written_at,
            text: n.text,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub signer_id: Uuid,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    /// The signature pad's vector path (SVG path data).
    pub strokes: String,
}

impl From<&Signature> for SignatureV1 {
    fn from(s: &Signature) -> Self {
        SignatureV1 {
            id: s.id.0,
            work_order_id: s.work_order_id.0,
            signer_id: s.signer_id.0,
            signer_name: s.signer_name.clone(),
            signed_at: s.signed_at,
            strokes: s.strokes.clone(),
        }
    }
}

impl TryFrom<SignatureV1> for Signature {
    type Error = ProtocolError;
    fn try_from(s: SignatureV1) -> Result<Self, ProtocolError> {
        Ok(Signature {
            id: SignatureId(s.id),
            work_order_id: WorkOrderId(s.work_order_id),
            signer_id: UserId(s.signer_id),
            signer_name: s.signer_name,
            signed_at: s.signed_at,
            strokes: s.strokes,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmAttemptV1 {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub technician_id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub outcome: String,
    pub note: String,
}

impl From<&PmAttempt> for PmAttemptV1 {
    fn from(a: &PmAttempt) -> Self {
        PmAttemptV1 {
            id: a.id.0,
            work_order_id: a.work_order_id.0,
            technician_id: a.technician_id.0,
            attempted_at: a.attempted_at,
            outcome: a.outcome.as_str().to_string(),
            note: a.note.clone(),
        }
    }
}

impl TryFrom<PmAttemptV1> for PmAttempt {
    type Error = ProtocolError;
    fn try_from(a: PmAttemptV1) -> Result<Self, ProtocolError> {
        Ok(PmAttempt {
            id: PmAttemptId(a.id),
            work_order_id: WorkOrderId(a.work_order_id),
            technician_id: UserId(a.technician_id),
            attempted_at: a.attempted_at,
            outcome: code("pm_attempt.outcome", &a.outcome, AttemptOutcome::parse)?,
            note: a.note,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeV1 {
    pub id: Uuid,
    pub asset_id: Uuid,
    pub work_order_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Above 0 and at most 1; below 1 records a degraded device.
    pub partial_factor: f64,
}

impl From<&Downtime> for DowntimeV1 {
    fn from(d: &Downtime) -> Self {
        DowntimeV1 {
            id: d.id.0,
            asset_id: d.asset_id.0,
            work_order_id: d.work_order_id.map(|w| w.0),
            started_at: d.started_at,
            ended_at: d.ended_at,
            partial_factor: d.partial_factor,
        }
    }
}

impl TryFrom<DowntimeV1> for Downtime {
    type Error = ProtocolError;
    fn try_from(d: DowntimeV1) -> Result<Self, ProtocolError> {
        Ok(Downtime {
            id: DowntimeId(d.id),
            asset_id: AssetId(d.asset_id),
            work_order_id: d.work_order_id.map(WorkOrderId),
            started_at: d.started_at,
            ended_at: d.ended_at,
            partial_factor: d.partial_factor,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmScheduleV1 {
    pub asset_id: Uuid,
    pub plan_id: Uuid,
    pub next_due: NaiveDate,
    pub last_done: Option<NaiveDate>,
}

impl From<&PmSchedule> for PmScheduleV1 {
    fn from(s: &PmSchedule) -> Self {
        PmScheduleV1 {
            asset_id: s.asset_id.0,
            plan_id: s.plan_id.0,
            next_due: s.next_due,
            last_done: s.last_done,
        }
    }
}

impl TryFrom<PmScheduleV1> for PmSchedule {
    type Error = ProtocolError;
    fn try_from(s: PmScheduleV1) -> Result<Self, ProtocolError> {
        Ok(PmSchedule {
            asset_id: AssetId(s.asset_id),
            plan_id: PmPlanId(s.plan_id),
            next_due: s.next_due,
            last_done: s.last_done,
        })
    }
}
