//! Work orders of every kind, their status workflow, closure codes, and the
//! records a technician attaches: labor, parts, vendor charges, downtime,
//! PM attempts, notes and the signature.
//!
//! Attached records are insert-only: a correction is a new record, never an
//! edit, so two technicians' entries can never overwrite each other.

use crate::ids::*;
use crate::{Money, RuleError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

crate::code_enum! {
    pub enum WorkOrderKind {
        /// Repair of a reported problem.
        Corrective => "corrective",
        /// Scheduled (preventive) maintenance.
        Pm => "pm",
        /// Incoming inspection before first use.
        Acceptance => "acceptance",
        /// Action on a recall or safety alert.
        Recall => "recall",
        /// Patch or security remediation on a networked device.
        Security => "security",
    }
}

crate::code_enum! {
    pub enum WorkOrderStatus {
        Open => "open",
        InProgress => "in_progress",
        OnHoldParts => "on_hold_parts",
        OnHoldVendor => "on_hold_vendor",
        Completed => "completed",
        SignedOff => "signed_off",
        /// Opened in error or a duplicate; keeps its history.
        Cancelled => "cancelled",
    }
}

impl WorkOrderStatus {
    /// Every move the workflow allows. Completed and signed-off work is
    /// sticky: once a technician has completed and signed, nothing but a
    /// supervisor's sign-off changes the status.
    pub fn can_transition(self, to: WorkOrderStatus) -> bool {
        use WorkOrderStatus::*;
        matches!(
            (self, to),
            (Open, InProgress)
                | (Open, Cancelled)
                | (InProgress, OnHoldParts)
                | (InProgress, OnHoldVendor)
                | (InProgress, Completed)
                | (InProgress, Cancelled)
                | (OnHoldParts, InProgress)
                | (OnHoldVendor, InProgress)
                | (OnHoldParts, Cancelled)
                | (OnHoldVendor, Cancelled)
                | (Completed, SignedOff)
        )
    }

    pub fn transition(self, to: WorkOrderStatus) -> Result<WorkOrderStatus, RuleError> {
        if self.can_transition(to) {
            Ok(to)
        } else {
            Err(RuleError::IllegalTransition { from: self, to })
        }
    }

    /// Open work: counts toward backlog and "my day".
    pub fn is_open(self) -> bool {
        use WorkOrderStatus::*;
        matches!(self, Open | InProgress | OnHoldParts | OnHoldVendor)
    }

    pub fn is_done(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::Completed | WorkOrderStatus::SignedOff
        )
    }

    pub fn is_on_hold(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::OnHoldParts | WorkOrderStatus::OnHoldVendor
        )
    }
}

crate::code_enum! {
    /// 1 is most urgent. Life-threatening failures are `Emergency`.
    pub enum Priority {
        Emergency => "emergency",
        Urgent => "urgent",
        Routine => "routine",
        Scheduled => "scheduled",
    }
}

impl Priority {
    /// Rank for sorting, 1 = most urgent.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Emergency => 1,
            Priority::Urgent => 2,
            Priority::Routine => 3,
            Priority::Scheduled => 4,
        }
    }
    pub fn from_rank(rank: u8) -> Option<Priority> {
        match rank {
            1 => Some(Priority::Emergency),
            2 => Some(Priority::Urgent),
            3 => Some(Priority::Routine),
            4 => Some(Priority::Scheduled),
            _ => None,
        }
    }
}

crate::code_enum! {
    pub enum FailureArea {
        Battery => "battery",
        PowerSupply => "power_supply",
        Display => "display",
        Mechanical => "mechanical",
        AccessoryCable => "accessory_cable",
        Software => "software",
    }
}

/// The small standard set of closure codes; never free text, so CND and
/// use-error trends can be counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ClosureCode {
    DeviceFailure(FailureArea),
    /// Could not duplicate / no problem found.
    CouldNotDuplicate,
    UseError,
    AbuseDamage,
    AccessoryOrSupply,
    NetworkIt,
    PreventiveOnly,
}

impl ClosureCode {
    pub fn all() -> Vec<ClosureCode> {
        let mut v: Vec<ClosureCode> = FailureArea::ALL
            .iter()
            .map(|a| ClosureCode::DeviceFailure(*a))
            .collect();
        v.extend([
            ClosureCode::CouldNotDuplicate,
            ClosureCode::UseError,
            ClosureCode::AbuseDamage,
            ClosureCode::AccessoryOrSupply,
            ClosureCode::NetworkIt,
            ClosureCode::PreventiveOnly,
        ]);
        v
    }

    /// Stable code: `failure:battery`, `cnd`, `use_error`, `abuse`,
    /// `accessory`, `network`, `preventive`.
    pub fn code(self) -> String {
        match self {
            ClosureCode::DeviceFailure(a) => format!("failure:{}", a.as_str()),
            ClosureCode::CouldNotDuplicate => "cnd".into(),
            ClosureCode::UseError => "use_error".into(),
            ClosureCode::AbuseDamage => "abuse".into(),
            ClosureCode::AccessoryOrSupply => "accessory".into(),
            ClosureCode::NetworkIt => "network".into(),
            ClosureCode::PreventiveOnly => "preventive".into(),
        }
    }

    pub fn parse(s: &str) -> Option<ClosureCode> {
        let s = s.trim().to_ascii_lowercase();
        if let Some(area) = s.strip_prefix("failure:") {
            return FailureArea::parse(area).map(ClosureCode::DeviceFailure);
        }
        match s.as_str() {
            "cnd" | "npf" | "could_not_duplicate" => Some(ClosureCode::CouldNotDuplicate),
            "use_error" => Some(ClosureCode::UseError),
            "abuse" | "damage" => Some(ClosureCode::AbuseDamage),
            "accessory" => Some(ClosureCode::AccessoryOrSupply),
            "network" => Some(ClosureCode::NetworkIt),
            "preventive" => Some(ClosureCode::PreventiveOnly),
            _ => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            ClosureCode::DeviceFailure(a) => {
                format!("Device failure — {}", a.as_str().replace('_', " "))
            }
            ClosureCode::CouldNotDuplicate => "Could not duplicate / no problem found".into(),
            ClosureCode::UseError => "Use error".into(),
            ClosureCode::AbuseDamage => "Abuse / damage".into(),
            ClosureCode::AccessoryOrSupply => "Accessory or supply issue".into(),
            ClosureCode::NetworkIt => "Network / IT".into(),
            ClosureCode::PreventiveOnly => "Preventive maintenance only".into(),
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, ClosureCode::DeviceFailure(_))
    }

    /// Counted in the use-error rate: use error plus abuse.
    pub fn is_use_error(self) -> bool {
        matches!(self, ClosureCode::UseError | ClosureCode::AbuseDamage)
    }
}

impl From<ClosureCode> for String {
    fn from(c: ClosureCode) -> String {
        c.code()
    }
}

impl TryFrom<String> for ClosureCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ClosureCode::parse(&s).ok_or_else(|| format!("unknown closure code '{s}'"))
    }
}

impl std::fmt::Display for ClosureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub id: WorkOrderId,
    /// Human number printed on paperwork, e.g. `WO-26-004211`.
    pub number: String,
    pub asset_id: AssetId,
    pub kind: WorkOrderKind,
    pub status: WorkOrderStatus,
    pub priority: Priority,
    /// The problem as reported ("alarms occlusion with no line attached").
    pub problem: String,
    /// Who reported it: a clinician's name and unit, free text.
    pub reported_by: String,
    pub opened_at: DateTime<Utc>,
    pub created_by: UserId,
    pub assigned_to: Option<UserId>,
    /// For PM: the scheduled due date; for others an optional target.
    pub due_on: Option<NaiveDate>,
    pub pm_plan_id: Option<PmPlanId>,
    pub recall_id: Option<RecallId>,
    pub started_at: Option<DateTime<Utc>>,
    pub findings: String,
    pub closure: Option<ClosureCode>,
    pub completed_at: Option<DateTime<Utc>>,
    pub signed_off_by: Option<UserId>,
    pub signed_off_at: Option<DateTime<Utc>>,
}

impl WorkOrder {
    /// A newly opened work order: nothing started, found or signed yet.
    #[allow(clippy::too_many_arguments)]
    pub fn opened(
        id: WorkOrderId,
        number: String,
        asset_id: AssetId,
        kind: WorkOrderKind,
        priority: Priority,
        problem: String,
        opened_at: DateTime<Utc>,
        created_by: UserId,
    ) -> WorkOrder {
        WorkOrder {
            id,
            number,
            asset_id,
            kind,
            status: WorkOrderStatus::Open,
            priority,
            problem,
            reported_by: String::new(),
            opened_at,
            created_by,
            assigned_to: None,
            due_on: None,
            pm_plan_id: None,
            recall_id: None,
            started_at: None,
            findings: String::new(),
            closure: None,
            completed_at: None,
            signed_off_by: None,
            signed_off_at: None,
        }
    }
}

/// Time spent by one technician; insert-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Labor {
    pub id: LaborId,
    pub work_order_id: WorkOrderId,
    pub technician_id: UserId,
    pub minutes: u32,
    pub performed_on: NaiveDate,
    pub note: String,
}

/// Longest single labor entry accepted: one 16-hour shift.
pub const MAX_LABOR_MINUTES: u32 = 16 * 60;

impl Labor {
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.minutes == 0 || self.minutes > MAX_LABOR_MINUTES {
            return Err(RuleError::OutOfRange {
                field: "labor minutes",
                min: 1,
                max: MAX_LABOR_MINUTES as i64,
                value: self.minutes as i64,
            });
        }
        Ok(())
    }
}

/// A part used on a work order; insert-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartUse {
    pub id: PartUseId,
    pub work_order_id: WorkOrderId,
    /// The stocked part, when it came from stock.
    pub part_id: Option<PartId>,
    pub part_number: String,
    pub description: String,
    pub quantity: u32,
    pub unit_cost: Money,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

impl PartUse {
    pub fn total(&self) -> Money {
        Money(self.unit_cost.0 * self.quantity as i64)
    }
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.quantity == 0 {
            return Err(RuleError::OutOfRange {
                field: "part quantity",
                min: 1,
                max: 10_000,
                value: 0,
            });
        }
        if self.unit_cost.0 < 0 {
            return Err(RuleError::Invalid {
                field: "part unit cost",
                reason: "must not be negative".into(),
            });
        }
        if self.part_number.trim().is_empty() && self.description.trim().is_empty() {
            return Err(RuleError::Empty("part number or description"));
        }
        Ok(())
    }
}

/// An invoice from an outside vendor for time and materials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VendorCharge {
    pub id: VendorChargeId,
    pub work_order_id: WorkOrderId,
    pub vendor_id: VendorId,
    pub invoice_number: String,
    pub labor_cost: Money,
    pub parts_cost: Money,
    pub travel_cost: Money,
    pub invoiced_on: NaiveDate,
}

impl VendorCharge {
    pub fn total(&self) -> Money {
        self.labor_cost + self.parts_cost + self.travel_cost
    }
}

/// A period when an asset was unavailable for patient care. A
/// `partial_factor` below 1 records a device that was degraded rather than
/// fully down (e.g. one of two channels failed: 0.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Downtime {
    pub id: DowntimeId,
    pub asset_id: AssetId,
    pub work_order_id: Option<WorkOrderId>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub partial_factor: f64,
}

impl Downtime {
    pub fn validate(&self) -> Result<(), RuleError> {
        if !(self.partial_factor > 0.0 && self.partial_factor <= 1.0) {
            return Err(RuleError::Invalid {
                field: "partial-down factor",
                reason: format!("must be above 0 and at most 1, got {}", self.partial_factor),
            });
        }
        if let Some(end) = self.ended_at
            && end < self.started_at
        {
            return Err(RuleError::Invalid {
                field: "downtime end",
                reason: "is before its start".into(),
            });
        }
        Ok(())
    }

    /// Weighted downtime hours inside `[from, to)`; an open period runs to `to`.
    pub fn weighted_hours_within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let start = self.started_at.max(from);
        let end = self.ended_at.unwrap_or(to).min(to);
        if end <= start {
            return 0.0;
        }
        (end - start).num_seconds() as f64 / 3600.0 * self.partial_factor
    }
}

crate::code_enum! {
    /// A PM that could not be done, documented per policy: counts as an
    /// attempt and needs follow-up.
    pub enum AttemptOutcome {
        InUse => "in_use",
        NotLocated => "not_located",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmAttempt {
    pub id: PmAttemptId,
    pub work_order_id: WorkOrderId,
    pub technician_id: UserId,
    pub attempted_at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    pub note: String,
}

/// The technician's signature on completed work. `strokes` holds the
/// signature pad's vector path (SVG path data), small enough to sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub id: SignatureId,
    pub work_order_id: WorkOrderId,
    pub signer_id: UserId,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    pub strokes: String,
}

/// A free-text note on a work order; insert-only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkNote {
    pub id: NoteId,
    pub work_order_id: WorkOrderId,
    pub author_id: UserId,
    pub written_at: DateTime<Utc>,
    pub text: String,
}

/// What completion needs, gathered by the caller from the work order and
/// its attached records.
#[derive(Clone, Copy, Debug)]
pub struct CompletionFacts {
    pub kind: WorkOrderKind,
    pub status: WorkOrderStatus,
    pub closure: Option<ClosureCode>,
    pub has_signature: bool,
}

/// A work order can complete only from in-progress, with a closure code that
/// fits its kind and the technician's signature.
pub fn check_completion(f: &CompletionFacts) -> Result<(), RuleError> {
    f.status.transition(WorkOrderStatus::Completed)?;
    let closure = f.closure.ok_or(RuleError::MissingClosureCode)?;
    if closure == ClosureCode::PreventiveOnly && f.kind == WorkOrderKind::Corrective {
        return Err(RuleError::ClosureCodeNotAllowed(f.kind.as_str()));
    }
    if !f.has_signature {
        return Err(RuleError::MissingSignature);
    }
    Ok(())
}

/// Formats a human work-order number from the year and a sequence.
pub fn work_order_number(year: i32, seq: u64) -> String {
    format!("WO-{:02}-{:06}", year.rem_euclid(100), seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkOrderStatus::*;

    #[test]
    fn every_allowed_move_and_no_other() {
        let allowed = [
            (Open, InProgress),
            (Open, Cancelled),
            (InProgress, OnHoldParts),
            (InProgress, OnHoldVendor),
            (InProgress, Completed),
            (InProgress, Cancelled),
            (OnHoldParts, InProgress),
            (OnHoldVendor, InProgress),
            (OnHoldParts, Cancelled),
            (OnHoldVendor, Cancelled),
            (Completed, SignedOff),
        ];
        for from in WorkOrderStatus::ALL {
            for to in WorkOrderStatus::ALL {
                let expected = allowed.contains(&(*from, *to));
                assert_eq!(from.can_transition(*to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn completed_and_signed_off_are_sticky() {
        assert_eq!(
            Completed.transition(InProgress),
            Err(RuleError::IllegalTransition {
                from: Completed,
                to: InProgress
            })
        );
        for to in WorkOrderStatus::ALL {
            assert!(SignedOff.transition(*to).is_err());
        }
    }

    fn facts(closure: Option<ClosureCode>, sig: bool) -> CompletionFacts {
        CompletionFacts {
            kind: WorkOrderKind::Corrective,
            status: InProgress,
            closure,
            has_signature: sig,
        }
    }

    #[test]
    fn completion_needs_closure_code_and_signature() {
        let fail = Some(ClosureCode::DeviceFailure(FailureArea::Battery));
        assert_eq!(
            check_completion(&facts(None, true)),
            Err(RuleError::MissingClosureCode)
        );
        assert_eq!(
            check_completion(&facts(fail, false)),
            Err(RuleError::MissingSignature)
        );
        assert_eq!(check_completion(&facts(fail, true)), Ok(()));
        assert_eq!(
            check_completion(&facts(Some(ClosureCode::PreventiveOnly), true)),
            Err(RuleError::ClosureCodeNotAllowed("corrective"))
        );
        let open = CompletionFacts {
            status: Open,
            ..facts(fail, true)
        };
        assert!(matches!(
            check_completion(&open),
            Err(RuleError::IllegalTransition { .. })
        ));
        let pm = CompletionFacts {
            kind: WorkOrderKind::Pm,
            ..facts(Some(ClosureCode::PreventiveOnly), true)
        };
        assert_eq!(check_completion(&pm), Ok(()));
    }

    #[test]
    fn closure_codes_round_trip_through_their_codes_and_serde() {
        for c in ClosureCode::all() {
            assert_eq!(ClosureCode::parse(&c.code()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<ClosureCode>(&json).unwrap(), c);
        }
        assert_eq!(ClosureCode::all().len(), 12);
        assert_eq!(ClosureCode::parse("failure:warp_core"), None);
        assert!(ClosureCode::AbuseDamage.is_use_error());
        assert!(!ClosureCode::CouldNotDuplicate.is_failure());
    }

    #[test]
    fn downtime_weighting_and_clipping() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(h * 3600, 0).unwrap();
        let d = Downtime {
            id: DowntimeId::new(0, [0; 10]),
            asset_id: AssetId::new(0, [0; 10]),
            work_order_id: None,
            started_at: t(10),
            ended_at: Some(t(20)),
            partial_factor: 0.5,
        };
        assert_eq!(d.weighted_hours_within(t(0), t(100)), 5.0);
        assert_eq!(d.weighted_hours_within(t(15), t(100)), 2.5);
        assert_eq!(d.weighted_hours_within(t(30), t(100)), 0.0);
        let open = Downtime {
            ended_at: None,
            partial_factor: 1.0,
            ..d.clone()
        };
        assert_eq!(open.weighted_hours_within(t(0), t(12)), 2.0);
        assert!(
            Downtime {
                partial_factor: 0.0,
                ..d.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            Downtime {
                partial_factor: 1.5,
                ..d.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            Downtime {
                ended_at: Some(t(5)),
                ..d
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn labor_and_parts_validation() {
        let wo = WorkOrderId::new(0, [0; 10]);
        let u = UserId::new(0, [0; 10]);
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let l = Labor {
            id: LaborId::new(0, [0; 10]),
            work_order_id: wo,
            technician_id: u,
            minutes: 0,
            performed_on: day,
            note: String::new(),
        };
        assert!(l.validate().is_err());
        assert!(
            Labor {
                minutes: 45,
                ..l.clone()
            }
            .validate()
            .is_ok()
        );
        assert!(Labor { minutes: 2000, ..l }.validate().is_err());
        let p = PartUse {
            id: PartUseId::new(0, [0; 10]),
            work_order_id: wo,
            part_id: None,
            part_number: "BAT-1".into(),
            description: "battery".into(),
            quantity: 2,
            unit_cost: Money(4_500),
            recorded_by: u,
            recorded_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
        };
        assert_eq!(p.total(), Money(9_000));
        assert!(p.validate().is_ok());
        assert!(
            PartUse {
                quantity: 0,
                ..p.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            PartUse {
                unit_cost: Money(-1),
                ..p
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn numbers_and_priorities() {
        assert_eq!(work_order_number(2026, 4211), "WO-26-004211");
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
    }
}
